namespace MotionWorkbench.Tensors;

/// <summary>
/// The engine's one thread pool: <see cref="Threads"/> - 1 dedicated workers plus the calling thread. Kernels split
/// their rows with <see cref="For"/>; GEMM splits M or N over the same workers (OpenBLAS runs single-threaded inside
/// each call), so no second pool spins against this one. The count starts at <see cref="ThreadSetting.Default"/> (the
/// cores this process may use); the edges (mw's <c>--threads</c> / <c>MW_THREADS</c>, a notebook's <c>threads</c>)
/// change it with <see cref="Use"/>. Idle workers block on a semaphore; the caller, once its own chunks are done, blocks
/// until the last chunk ends (it never waits for a worker that has nothing left to do), so more threads than cores
/// (an oversubscribed or busy machine) costs context switches, not spinning.
/// </summary>
public static class Par
{
    private static Worker[] workers = [];
    private static int threads = 1;
    private static ThreadSetting setting = new(1, "not started");
    [ThreadStatic] private static bool insideJob;
    [ThreadStatic] private static int threadIndex;
    // Set by whichever thread finishes a job's last chunk; one job runs at a time (under Gate), so one event serves all.
    private static readonly ManualResetEventSlim Finished = new(false);

    /// <summary>
    /// 0 on the calling thread, 1..Threads-1 on the workers (scratch buffers only: which thread runs which chunk varies,
    /// so per-thread partial sums would make results depend on timing; use <see cref="ForChunks"/>).
    /// </summary>
    public static int ThreadIndex => threadIndex;
    private static readonly Lock Gate = new();

    static Par() => Use(ThreadSetting.Default());

    /// <summary>Number of threads kernels use (the caller included). Setting it restarts the workers (code that sets it
    /// directly is named as the reason; edges use <see cref="Use"/> with their own).</summary>
    public static int Threads
    {
        get => threads;
        set
        {
            ThreadSetting.Check(value, "Par.Threads");
            Use(new ThreadSetting(value, $"Par.Threads = {value} (set in code)"));
        }
    }

    /// <summary>The count in use and where it came from (printed by <c>mw info</c> and written to <c>train.log</c>).</summary>
    public static ThreadSetting Setting => setting;

    /// <summary>Uses <paramref name="value"/>'s count from now on (the workers restart when the count changes).</summary>
    public static void Use(ThreadSetting value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ThreadSetting.Check(value.Count, "thread count");
        lock (Gate)
        {
            if (value.Count != threads || workers.Length != value.Count - 1)
            {
                foreach (var w in workers) w.Stop();
                workers = new Worker[value.Count - 1];
                for (int i = 0; i < workers.Length; i++) workers[i] = new Worker(i + 1);
                threads = value.Count;
            }
            setting = value;
        }
    }

    /// <summary>Uses <paramref name="value"/> until the returned scope is disposed, then the setting before it again
    /// (a training run's own <c>train.threads</c>).</summary>
    public static IDisposable Scope(ThreadSetting value)
    {
        var before = setting;
        Use(value);
        return new Restore(before);
    }

    private sealed class Restore(ThreadSetting before) : IDisposable
    {
        private bool done;

        public void Dispose()
        {
            if (done) return;
            done = true;
            Use(before);
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
            var job = new Job(body, n, chunks);
            Finished.Reset();
            // Wake only as many workers as there are chunks for besides the caller's own.
            for (int w = 0; w < Math.Min(workers.Length, chunks - 1); w++) workers[w].Post(job);
            insideJob = true;
            try { job.Work(); }
            finally { insideJob = false; }
            // Every chunk is claimed by now; wait (a short spin, then blocked) for those other threads still run. Always
            // wait, even when all are done: the Set must have happened before the next job resets the event.
            Finished.Wait();
            if (job.Error is { } failure) throw new AggregateException("a parallel kernel chunk failed", failure);
        }
    }

    /// <summary>
    /// One parallel call: threads claim chunks from a shared counter until none is left; the thread that completes the
    /// last chunk sets <see cref="Finished"/>. A worker that wakes after every chunk was claimed finds nothing and goes
    /// back to sleep: nobody waits for it. After a failure the remaining chunks are claimed and skipped.
    /// </summary>
    private sealed class Job(Action<int, int, int> body, int n, int chunks)
    {
        private int next;
        private int completed;
        private Exception? error;

        public Exception? Error => Volatile.Read(ref error);

        public void Work()
        {
            while (true)
            {
                int c = Interlocked.Increment(ref next) - 1;
                if (c >= chunks) return;
                try
                {
                    if (Volatile.Read(ref error) is null)
                    {
                        long start = (long)n * c / chunks, end = (long)n * (c + 1) / chunks;
                        body(c, (int)start, (int)end);
                    }
                }
                catch (Exception e) { Interlocked.CompareExchange(ref error, e, null); }
                finally
                {
                    if (Interlocked.Increment(ref completed) == chunks) Finished.Set();
                }
            }
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim signal = new(0);
        private Job? job;
        private volatile bool stop;

        private readonly int index;

        public Worker(int index)
        {
            this.index = index;
            new Thread(Loop) { IsBackground = true, Name = $"mw-kernel-{index}" }.Start();
        }

        /// <summary>Hands the worker a job. If it has not taken the previous one yet, that one is replaced: its chunks
        /// were all claimed (the caller waited for them), so it had nothing left for this worker.</summary>
        public void Post(Job j)
        {
            Volatile.Write(ref job, j);
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
                Interlocked.Exchange(ref job, null)?.Work();
            }
        }
    }
}
