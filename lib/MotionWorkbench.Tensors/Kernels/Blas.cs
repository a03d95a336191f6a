using System.Runtime.InteropServices;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// OpenBLAS through P/Invoke function pointers, loaded with <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/>
/// ("libopenblas.so.0", Debian's libopenblas0-pthread). OpenBLAS is set to one thread: the engine's own pool
/// (<see cref="Par"/>) splits the big products, so BLAS threads never spin against the kernel workers.
/// </summary>
internal static unsafe class Blas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm;
    private static readonly delegate* unmanaged<int, void> SetThreads;

    /// <summary>True when cblas_sgemm was found.</summary>
    public static readonly bool Available;

    /// <summary>Which library loaded, or why none did.</summary>
    public static readonly string Description;

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>The OpenBLAS core type chosen before loading (null: OpenBLAS's own detection).</summary>
    public static readonly string? CoreType;

    static Blas()
    {
        Description = "not loaded";
        // Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) treats AVX-512 AMD cores as Haswell; its SkylakeX SGEMM kernel runs
        // the training step's GEMMs with about 40 % less CPU there. Chosen only when the CPU has AVX-512F and the user
        // has not set OPENBLAS_CORETYPE (the variable must be in the native environment before the library loads).
        CoreType = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE");
        if (CoreType is null && OperatingSystem.IsLinux() && System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported)
        {
            try
            {
                if (SetEnv("OPENBLAS_CORETYPE", "SKYLAKEX", 0) == 0) CoreType = "SKYLAKEX";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        }
        foreach (var name in new[] { "libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas" })
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var sgemm)) continue;
            Sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
            if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var set))
            {
                SetThreads = (delegate* unmanaged<int, void>)set;
                SetThreads(1);
            }
            Available = true;
            Description = CoreType is null ? name : $"{name}, core type {CoreType}";
            return;
        }
        Description = "OpenBLAS not found (libopenblas.so.0); using the managed SIMD kernel";
    }

    /// <summary>Sets OpenBLAS's own thread count (1 by default here).</summary>
    public static void SetNumThreads(int n)
    {
        if (SetThreads != null) SetThreads(n);
    }

    public static void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
        => Sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
