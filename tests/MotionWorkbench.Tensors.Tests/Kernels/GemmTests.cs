using MotionWorkbench.Tensors.Kernels;
using MotionWorkbench.Tensors.Tests.Support;

namespace MotionWorkbench.Tensors.Tests.Kernels;

[Collection("Gemm backend")]
public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool> Shapes()
    {
        var d = new TheoryData<int, int, int, bool, bool>();
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 13, 5), (6, 16, 256), (71, 71, 64), (100, 40, 300), (300, 33, 17), (13, 1100, 9) })
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                    d.Add(m, n, k, ta, tb);
        return d;
    }

    private static unsafe void Check(GemmBackend backend, bool parallel, int M, int N, int K, bool tA, bool tB)
    {
        var rng = new Random(M * 31 + N * 7 + K);
        int lda = (tA ? M : K) + 3, ldb = (tB ? K : N) + 2, ldc = N + 1;
        var a = new float[(tA ? K : M) * lda]; var b = new float[(tB ? N : K) * ldb];
        var c = new float[M * ldc]; var expected = new float[M * ldc];
        foreach (var arr in new[] { a, b, c }) for (int i = 0; i < arr.Length; i++) arr[i] = (float)(rng.NextDouble() * 2 - 1);
        c.CopyTo(expected, 0);
        Gemm.Naive(tA, tB, M, N, K, 0.5f, a, lda, b, ldb, 0.25f, expected, ldc);
        var previous = Gemm.Backend;
        Gemm.Backend = backend;
        try
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                if (parallel) Gemm.Run(tA, tB, M, N, K, 0.5f, pa, lda, pb, ldb, 0.25f, pc, ldc);
                else if (backend == GemmBackend.Managed) Gemm.Managed(tA, tB, M, N, K, 0.5f, pa, lda, pb, ldb, 0.25f, pc, ldc);
                else Gemm.Serial(tA, tB, M, N, K, 0.5f, pa, lda, pb, ldb, 0.25f, pc, ldc);
            }
        }
        finally { Gemm.Backend = previous; }
        AssertClose.Equal(expected, c, atol: 1e-5 * Math.Sqrt(K), rtol: 1e-4, what: $"{backend} gemm {M}x{N}x{K} tA={tA} tB={tB}");
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Managed_MatchesNaiveDouble(int m, int n, int k, bool tA, bool tB) => Check(GemmBackend.Managed, parallel: false, m, n, k, tA, tB);

    [Theory, MemberData(nameof(Shapes))]
    public void Auto_ParallelSplit_MatchesNaiveDouble(int m, int n, int k, bool tA, bool tB) => Check(GemmBackend.Auto, parallel: true, m, n, k, tA, tB);

    [Fact]
    public void Managed_ParallelSplit_MatchesNaiveDouble()
    {
        Check(GemmBackend.Managed, parallel: true, 300, 200, 64, false, true);
        Check(GemmBackend.Managed, parallel: true, 40, 600, 300, true, false);
    }

    [Fact]
    public void Backend_Describe_NamesTheLibrary() => Assert.False(string.IsNullOrEmpty(Gemm.Describe()));
}
