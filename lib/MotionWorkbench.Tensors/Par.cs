namespace MotionWorkbench.Tensors;

/// <summary>
/// The engine's one thread pool: <see cref="Threads"/> - 1 dedicated workers plus the calling thread. Kernels split
/// their rows with <see cref="For"/>; GEMM splits M or N over the same workers (OpenBLAS runs single-threaded inside
/// each call), so no second pool spins against this one. Idle workers block after a short spin.
/// </summary>
public static class Par
{
    private static Worker[] workers = [];
    private static int threads = 1;
    [ThreadStatic] private static bool insideJob;
    private static readonly Lock Gate = new();

    static Par() => Threads = Math.Min(2, Environment.ProcessorCount);

    /// <summary>Number of threads kernels use (the caller included). Setting it restarts the workers.</summary>
    public static int Threads
    {
        get => threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"thread count must be >= 1, got {value}");
            lock (Gate)
            {
                foreach (var w in workers) w.Stop();
                workers = new Worker[value - 1];
                for (int i = 0; i < workers.Length; i++) workers[i] = new Worker(i + 1);
                threads = value;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over [0, n) in at most <see cref="Threads"/> contiguous chunks of at
    /// least <paramref name="grain"/> items; serial inside another parallel job.
    /// </summary>
    public static void For(int n, int grain, Action<int, int> body)
    {
        int chunks = Math.Min(threads, Math.Max(1, n / Math.Max(1, grain)));
        if (chunks <= 1 || insideJob || n <= 1)
        {
            body(0, n);
            return;
        }
        lock (Gate)
        {
            var job = new Job(body, n, chunks);
            for (int c = 1; c < chunks; c++) workers[c - 1].Post(job, c);
            insideJob = true;
            try { job.RunChunk(0); }
            finally { insideJob = false; }
            job.WaitOthers();
        }
    }

    private sealed class Job(Action<int, int> body, int n, int chunks)
    {
        private int pending = chunks - 1;
        private Exception? error;

        public void RunChunk(int c)
        {
            long start = (long)n * c / chunks, end = (long)n * (c + 1) / chunks;
            body((int)start, (int)end);
        }

        public void RunOnWorker(int c)
        {
            try { RunChunk(c); }
            catch (Exception e) { error = e; }
            finally { Interlocked.Decrement(ref pending); }
        }

        public void WaitOthers()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
            if (error is not null) throw new AggregateException("a parallel kernel chunk failed", error);
        }
    }

    private sealed class Worker
    {
        private readonly Thread thread;
        private readonly SemaphoreSlim signal = new(0);
        private Job? job;
        private int chunk;
        private volatile bool stop;

        public Worker(int index)
        {
            thread = new Thread(Loop) { IsBackground = true, Name = $"mw-kernel-{index}" };
            thread.Start();
        }

        public void Post(Job j, int c)
        {
            job = j;
            chunk = c;
            signal.Release();
        }

        public void Stop()
        {
            stop = true;
            signal.Release();
        }

        private void Loop()
        {
            insideJob = true;
            while (true)
            {
                signal.Wait();
                if (stop) return;
                var j = job!;
                job = null;
                j.RunOnWorker(chunk);
            }
        }
    }
}
