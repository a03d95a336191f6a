using TorchSharp;
using DeviceType = TorchSharp.DeviceType;

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

    [TorchFact]
    public void Devices_and_device_names_resolve()
    {
        Assert.Equal("cpu", TorchRuntime.Devices[0]);
        Assert.Equal(DeviceType.CPU, TorchRuntime.Resolve("cpu").type);
        Assert.Equal(DeviceType.CPU, TorchRuntime.Resolve(" CPU ").type);
        Assert.Equal(TorchRuntime.CudaAvailable ? DeviceType.CUDA : DeviceType.CPU, TorchRuntime.Resolve("auto").type);
        Assert.Equal(TorchRuntime.Devices.Count > 1, TorchRuntime.CudaAvailable);
        var bad = Assert.Throws<ArgumentException>(() => TorchRuntime.Resolve("gpu"));
        Assert.Contains("expected cpu, cuda, cuda:N or auto", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TorchRuntime.Resolve("cuda:x"));
        Assert.Contains("TorchSharp 0.107.0", TorchRuntime.Describe(), StringComparison.Ordinal);
        Assert.Contains("devices cpu", TorchRuntime.Describe(), StringComparison.Ordinal);
    }

    [TorchFact]
    public void Cuda_without_a_cuda_device_is_a_clear_error()
    {
        if (TorchRuntime.CudaAvailable)
        {
            Assert.Equal(DeviceType.CUDA, TorchRuntime.Resolve("cuda").type);
            Assert.Equal(0, TorchRuntime.Resolve("cuda:0").index);
            return;
        }
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.Resolve("cuda"));
        Assert.Contains("TorchSharp sees no CUDA device", e.Message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp-cuda-linux", e.Message, StringComparison.Ordinal);
    }
}
