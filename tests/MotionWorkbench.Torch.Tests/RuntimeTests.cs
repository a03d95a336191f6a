using TorchSharp;

namespace MotionWorkbench.Torch.Tests;

public sealed class RuntimeTests
{
    [TorchFact]
    public void Matmul_and_backward_run_on_the_loaded_native_library()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 }, requires_grad: true);
        using var b = torch.tensor(new float[] { 1, 0, 0, 1, 1, 1 }, new long[] { 3, 2 });
        using var c = torch.matmul(a, b);
        Assert.Equal(new float[] { 4, 5, 10, 11 }, c.data<float>().ToArray());
        using var loss = c.sum();
        loss.backward();
        // d(sum(a @ b)) / d a[i, k] = sum_j b[k, j]
        Assert.Equal(new float[] { 1, 1, 2, 1, 1, 2 }, a.grad!.data<float>().ToArray());
    }
}
