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
    [ThreadStatic] private static int threadIndex;

    /// <summary>
    /// 0 on the calling thread, 1..Threads-1 on the workers (scratch buffers only: which thread runs which chunk varies,
    /// so per-thread partial sums would make results depend on timing; use <see cref="ForChunks"/>).
    /// </summary>
    public static int ThreadIndex => threadIndex;
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
    /// Runs <paramref name="body"/>(start, end) over [0, n) in contiguous chunks of at least <paramref name="grain"/>
    /// items. The threads take chunks from a shared counter (up to 4 chunks per thread), so a thread slowed by another
    /// process does not hold the others back. Serial inside another parallel job. Which thread runs which chunk varies
    /// from call to call, but the chunk boundaries depend only on n, grain and <see cref="Threads"/>: a kernel that
    /// accumulates partial results must keep them per chunk (<see cref="ForChunks"/>), never per thread.
    /// </summary>
    public static void For(int n, int grain, Action<int, int> body) => For(n, grain, 4, body);

    /// <summary>As <see cref="For(int, int, Action{int, int})"/> with at most <paramref name="chunksPerThread"/> chunks per thread.</summary>
    public static void For(int n, int grain, int chunksPerThread, Action<int, int> body) =>
        ForChunks(n, grain, chunksPerThread, (_, s, e) => body(s, e));

    /// <summary>
    /// The number of chunks <see cref="For(int, int, int, Action{int, int})"/> and <see cref="ForChunks"/> split
    /// [0, n) into on this thread now (1 when they run serially): a function of n, grain, chunksPerThread and
    /// <see cref="Threads"/> only, so per-chunk partial sums combined in chunk order are deterministic.
    /// </summary>
    public static int ChunkCount(int n, int grain, int chunksPerThread = 4)
    {
        int chunks = Math.Min(threads * Math.Max(1, chunksPerThread), Math.Max(1, n / Math.Max(1, grain)));
        return threads == 1 || chunks <= 1 || insideJob || n <= 1 ? 1 : chunks;
    }

    /// <summary>
    /// As <see cref="For(int, int, int, Action{int, int})"/>, passing each chunk's index (0..<see cref="ChunkCount"/>-1)
    /// with its range: <paramref name="body"/>(chunk, start, end). Chunk c always covers [n c / chunks, n (c + 1) / chunks).
    /// </summary>
    public static void ForChunks(int n, int grain, int chunksPerThread, Action<int, int, int> body)
    {
        int chunks = ChunkCount(n, grain, chunksPerThread);
        if (chunks <= 1)
        {
            body(0, 0, n);
            return;
        }
        lock (Gate)
        {
            var job = new Job(body, n, chunks, workers.Length);
            for (int w = 0; w < workers.Length; w++) workers[w].Post(job);
            insideJob = true;
            Exception? mine = null;
            try { job.Work(); }
            catch (Exception e) { mine = e; job.Abort(); }
            finally { insideJob = false; }
            job.WaitOthers();
            var failure = mine ?? job.Error;
            if (failure is not null) throw new AggregateException("a parallel kernel chunk failed", failure);
        }
    }

    private sealed class Job(Action<int, int, int> body, int n, int chunks, int helpers)
    {
        private int next;
        private int pending = helpers;
        private Exception? error;

        public void Work()
        {
            while (true)
            {
                int c = Interlocked.Increment(ref next) - 1;
                if (c >= chunks || error is not null) return;
                long start = (long)n * c / chunks, end = (long)n * (c + 1) / chunks;
                body(c, (int)start, (int)end);
            }
        }

        public Exception? Error => error;

        public void Abort() => error ??= new OperationCanceledException("another chunk failed");

        public void RunOnWorker()
        {
            try { Work(); }
            catch (Exception e) { error = e; }
            finally { Interlocked.Decrement(ref pending); }
        }

        public void WaitOthers()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private sealed class Worker
    {
        private readonly Thread thread;
        private readonly SemaphoreSlim signal = new(0);
        private Job? job;
        private volatile bool stop;

        private readonly int index;

        public Worker(int index)
        {
            this.index = index;
            thread = new Thread(Loop) { IsBackground = true, Name = $"mw-kernel-{index}" };
            thread.Start();
        }

        public void Post(Job j)
        {
            job = j;
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
            threadIndex = index;
            while (true)
            {
                signal.Wait();
                if (stop) return;
                var j = job!;
                job = null;
                j.RunOnWorker();
            }
        }
    }
}
