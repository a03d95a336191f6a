using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C with op(A) (M, K), op(B) (K, N), C (M, N) and
/// leading dimensions as in BLAS. <see cref="Run"/> splits M (or N when M is small) over <see cref="Par"/> and runs
/// each part on one backend (<see cref="GemmBackend"/>): OpenBLAS (one thread per call) or a managed packed kernel
/// (AVX-512, AVX2 or scalar; <see cref="PackedGemm"/>). <see cref="Naive"/> is the double-accumulating reference.
/// <para>The dispatch rule (<see cref="GemmBackend.Auto"/>): products with fewer than <see cref="ThinSize"/> rows or
/// columns go to OpenBLAS when it loaded (packed register tiles would be mostly padding). The others: on a CPU where
/// <see cref="Vector512.IsHardwareAccelerated"/>, the backend a one-off calibration measured fastest for the product's
/// shape class (<see cref="GemmCalibration"/>, run at first use and kept for the process); elsewhere OpenBLAS when it loaded, else
/// the AVX2 kernel, else the scalar one. Library code reads no environment variables: the CLI and the Experiments
/// library pass <c>MW_GEMM</c> to <see cref="UseSetting"/>.</para>
/// </summary>
public static unsafe class Gemm
{
    /// <summary>Products with min(M, N) below this go to OpenBLAS under <see cref="GemmBackend.Auto"/> when it loaded.</summary>
    public const int ThinSize = 4;

    private static GemmBackend backend = GemmBackend.Auto;
    private static readonly Lazy<GemmCalibration?> calibration = new(() =>
        Vector512.IsHardwareAccelerated && IsSupported(GemmBackend.Avx2) ? GemmCalibration.Measure() : null);

    /// <summary>The requested backend (default <see cref="GemmBackend.Auto"/>); one this machine cannot run in hardware is refused.</summary>
    public static GemmBackend Backend
    {
        get => backend;
        set
        {
            if (!IsSupported(value)) throw new NotSupportedException($"GEMM backend {Name(value)}: {WhyUnsupported(value)}");
            backend = value;
        }
    }

    /// <summary>
    /// When true (default) <see cref="Run"/> splits large products over the engine's own threads and OpenBLAS runs one
    /// thread per call (one thread pool). When false, <see cref="Run"/> makes one call and OpenBLAS uses
    /// <see cref="BlasThreads"/> threads of its own (its pthread pool), for comparison.
    /// </summary>
    public static bool SplitOverEngineThreads { get; set; } = true;

    /// <summary>OpenBLAS's own thread count (used when <see cref="SplitOverEngineThreads"/> is false).</summary>
    public static int BlasThreads
    {
        get => blasThreads;
        set { blasThreads = Math.Max(1, value); Blas.SetNumThreads(SplitOverEngineThreads ? 1 : blasThreads); }
    }

    private static int blasThreads = 1;

    /// <summary>Switches between one pool (engine threads split the GEMM) and OpenBLAS's own threads.</summary>
    public static void UseOpenBlasThreads(int threads)
    {
        SplitOverEngineThreads = false;
        BlasThreads = threads;
    }

    /// <summary>The calibration behind <see cref="GemmBackend.Auto"/>, or null where none runs (no hardware-accelerated Vector512).</summary>
    public static GemmCalibration? Calibration => calibration.Value;

    /// <summary>The backend large products (not thin, not in the small class) run on now (<see cref="Backend"/> resolved).</summary>
    public static GemmBackend Active => Resolve(backend, 1024, 1024, 1024);

    /// <summary>The backend a per-head attention product (71 x 71 x 64) runs on now.</summary>
    public static GemmBackend ActiveSmall => Resolve(backend, 71, 71, 64);

    /// <summary>The OpenBLAS core type set before it loaded (OPENBLAS_CORETYPE, or SKYLAKEX chosen on AVX-512 CPUs), null: its own detection.</summary>
    public static string? OpenBlasCoreType => Blas.CoreType;

    /// <summary>True when OpenBLAS runs the products that are not thin.</summary>
    public static bool UsingBlas => Active == GemmBackend.OpenBlas;

    /// <summary>The backends this machine runs in hardware (the managed scalar kernel always), fastest kinds first.</summary>
    public static IReadOnlyList<GemmBackend> SupportedBackends =>
        [.. new[] { GemmBackend.Avx512, GemmBackend.Avx2, GemmBackend.OpenBlas, GemmBackend.Scalar }.Where(IsSupported)];

    /// <summary>Whether this machine runs <paramref name="b"/> in hardware (Auto and Managed always resolve to one that it does).</summary>
    public static bool IsSupported(GemmBackend b) => b switch
    {
        GemmBackend.Avx512 => Vector512.IsHardwareAccelerated,
        GemmBackend.Avx2 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        GemmBackend.OpenBlas => Blas.Available,
        GemmBackend.Auto or GemmBackend.Managed or GemmBackend.Scalar => true,
        _ => false,
    };

    /// <summary>The concrete backend a product of this shape runs on when <paramref name="requested"/> is asked for.</summary>
    public static GemmBackend Resolve(GemmBackend requested, int M, int N, int K) => requested switch
    {
        GemmBackend.Auto when Blas.Available && Math.Min(M, N) < ThinSize => GemmBackend.OpenBlas,
        GemmBackend.Auto => Calibration?.For(M, N, K).Auto ?? (Blas.Available ? GemmBackend.OpenBlas : UncalibratedManaged),
        GemmBackend.Managed => Calibration?.For(M, N, K).Managed ?? UncalibratedManaged,
        _ => requested,
    };

    private static GemmBackend UncalibratedManaged => IsSupported(GemmBackend.Avx2) ? GemmBackend.Avx2 : GemmBackend.Scalar;

    /// <summary>The setting's spelling of a backend: auto, managed, avx512, avx2, openblas, scalar.</summary>
    public static string Name(GemmBackend b) => b.ToString().ToLowerInvariant();

    /// <summary>
    /// Parses a backend setting (<paramref name="setting"/> names it in errors, e.g. "MW_GEMM"): null or blank is
    /// <see cref="GemmBackend.Auto"/>; an unknown name, or a backend this machine does not run in hardware, is one
    /// <see cref="ArgumentException"/> saying what is wrong and what this machine supports.
    /// </summary>
    public static GemmBackend ParseBackend(string? value, string setting)
    {
        if (string.IsNullOrWhiteSpace(value)) return GemmBackend.Auto;
        string v = value.Trim().ToLowerInvariant();
        var known = Enum.GetValues<GemmBackend>();
        if (!known.Any(b => Name(b) == v))
            throw new ArgumentException($"{setting}: unknown GEMM backend '{value}' (expected {string.Join(", ", known.Select(Name))})");
        var parsed = known.First(b => Name(b) == v);
        if (!IsSupported(parsed))
            throw new ArgumentException($"{setting}={v}: {WhyUnsupported(parsed)} (this machine supports auto, managed, {string.Join(", ", SupportedBackends.Select(Name))})");
        return parsed;
    }

    /// <summary>Applies a backend setting read at the edge (<see cref="ParseBackend"/>) and returns it.</summary>
    public static GemmBackend UseSetting(string? value, string setting) => Backend = ParseBackend(value, setting);

    private static string WhyUnsupported(GemmBackend b) => b switch
    {
        GemmBackend.Avx512 => $"this CPU has no hardware-accelerated Vector512 (AVX-512F {(Avx512F.IsSupported ? "present but not used for 512-bit vectors by .NET here" : "absent")}); .NET would run the kernel in software",
        GemmBackend.Avx2 => "this CPU has no hardware-accelerated Vector256 with FMA",
        GemmBackend.OpenBlas => $"OpenBLAS is not loaded ({Blas.Description})",
        _ => "unknown backend",
    };

    /// <summary>What runs the products and why (the backend, its kernel, the dispatch rule or the forcing setting).</summary>
    public static string Describe()
    {
        var active = Active;
        string text = $"{Name(active)}: {Kernel(active)}";
        if (ActiveSmall != active) text += $"; per-head attention products: {Name(ActiveSmall)}";
        if (backend == GemmBackend.Managed) text += " (forced: managed, the fastest managed kernel)";
        else if (backend != GemmBackend.Auto) text += " (forced)";
        else
        {
            text += Calibration is { } c ? $"; auto, by calibration ({c})"
                : $"; auto: this CPU has no hardware-accelerated Vector512, so OpenBLAS where it loads, else the AVX2 kernel, else the scalar one";
            if (active != GemmBackend.OpenBlas && Blas.Available) text += $"; products with fewer than {ThinSize} rows or columns: openblas";
        }
        if (active != GemmBackend.OpenBlas) text += $"; OpenBLAS: {Blas.Description}";
        return text;
    }

    private static string Kernel(GemmBackend b) => b switch
    {
        GemmBackend.Avx512 => $"managed Vector512 kernel (12x32 tiles){(Vector512.IsHardwareAccelerated ? "" : ", emulated in software on this CPU")}",
        GemmBackend.Avx2 => $"managed Vector256/FMA kernel (6x16 tiles){(IsSupported(GemmBackend.Avx2) ? "" : ", emulated in software on this CPU")}",
        GemmBackend.Scalar => "managed scalar kernel (4x4 tiles)",
        _ => SplitOverEngineThreads ? $"OpenBLAS ({Blas.Description}, 1 thread per call, split over {Par.Threads} engine threads)" : $"OpenBLAS ({Blas.Description}, its own {BlasThreads} threads per call)",
    };

    /// <summary>Parallel GEMM over the engine's threads (serial when small or already inside a parallel job) on <see cref="Backend"/>.</summary>
    public static void Run(bool transA, bool transB, int M, int N, int K, float alpha, float* A, int lda, float* B, int ldb, float beta, float* C, int ldc)
        => Run(backend, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);

    /// <summary>
    /// As <see cref="Run(bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/> on the given
    /// backend, whatever <see cref="Backend"/> says (tests and benchmarks; a managed kernel runs even where its vectors
    /// are emulated in software; OpenBLAS must be loaded).
    /// </summary>
    public static void Run(GemmBackend use, bool transA, bool transB, int M, int N, int K, float alpha, float* A, int lda, float* B, int ldb, float beta, float* C, int ldc)
    {
        if (M == 0 || N == 0) return;
        var b = Runnable(Resolve(use, M, N, K));
        long flops = 2L * M * N * K;
        if (Par.Threads == 1 || flops < 4_000_000 || (!SplitOverEngineThreads && b == GemmBackend.OpenBlas))
        {
            Kernel(b, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
            return;
        }
        nint pa = (nint)A, pb = (nint)B, pc = (nint)C;
        if (M >= N || M >= 256)
        {
            // split rows of C: rows of op(A)
            Par.For(M, 16, 2, (start, end) =>
            {
                float* a = (float*)pa + (transA ? start : (long)start * lda);
                Kernel(b, transA, transB, end - start, N, K, alpha, a, lda, (float*)pb, ldb, beta, (float*)pc + (long)start * ldc, ldc);
            });
        }
        else
        {
            Par.For(N, 16, 2, (start, end) =>
            {
                float* bp = (float*)pb + (transB ? (long)start * ldb : start);
                Kernel(b, transA, transB, M, end - start, K, alpha, (float*)pa, lda, bp, ldb, beta, (float*)pc + start, ldc);
            });
        }
    }

    /// <summary>Single-threaded GEMM on <see cref="Backend"/>.</summary>
    public static void Serial(bool transA, bool transB, int M, int N, int K, float alpha, float* A, int lda, float* B, int ldb, float beta, float* C, int ldc)
        => Serial(backend, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);

    /// <summary>Single-threaded GEMM on the given backend (see <see cref="Run(GemmBackend, bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/>).</summary>
    public static void Serial(GemmBackend use, bool transA, bool transB, int M, int N, int K, float alpha, float* A, int lda, float* B, int ldb, float beta, float* C, int ldc)
    {
        if (M == 0 || N == 0) return;
        Kernel(Runnable(Resolve(use, M, N, K)), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    }

    private static GemmBackend Runnable(GemmBackend b) =>
        b == GemmBackend.OpenBlas && !Blas.Available ? throw new NotSupportedException($"GEMM backend openblas: {WhyUnsupported(b)}") : b;

    private static void Kernel(GemmBackend b, bool transA, bool transB, int M, int N, int K, float alpha, float* A, int lda, float* B, int ldb, float beta, float* C, int ldc)
    {
        switch (b)
        {
            case GemmBackend.OpenBlas: Blas.Gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); break;
            case GemmBackend.Avx512: PackedGemm.Run<MicroKernel512>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); break;
            case GemmBackend.Avx2: PackedGemm.Run<MicroKernel256>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); break;
            default: PackedGemm.Run<MicroKernelScalar>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); break;
        }
    }

    /// <summary>Reference: every product accumulated in double.</summary>
    public static void Naive(bool transA, bool transB, int M, int N, int K, float alpha, ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, float beta, Span<float> C, int ldc)
    {
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                double acc = 0;
                for (int p = 0; p < K; p++)
                    acc += (double)A[transA ? p * lda + i : i * lda + p] * B[transB ? j * ldb + p : p * ldb + j];
                double prev = beta == 0 ? 0 : (double)beta * C[i * ldc + j];
                C[i * ldc + j] = (float)(alpha * acc + prev);
            }
    }
}
