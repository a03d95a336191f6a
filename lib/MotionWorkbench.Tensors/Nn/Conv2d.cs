namespace MotionWorkbench.Tensors.Nn;

/// <summary>
/// 2-D convolution with PyTorch's layout and names: <c>weight</c> (Out, In, K, K), <c>bias</c> (Out) when
/// <paramref name="bias"/>; square kernel, stride and symmetric zero padding (see <see cref="Ops.Conv2d"/>).
/// </summary>
public sealed class Conv2d : Module
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true)
    {
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0)
            throw new ArgumentException($"Conv2d: channels, kernel size and stride must be positive and padding >= 0, got in {inChannels}, out {outChannels}, kernel {kernelSize}, stride {stride}, padding {padding}");
        (InChannels, OutChannels, KernelSize, Stride, Padding) = (inChannels, outChannels, kernelSize, stride, padding);
        Weight = Param("weight", outChannels, inChannels, kernelSize, kernelSize);
        Bias = bias ? Param("bias", outChannels) : null;
    }

    /// <summary>x (B, In, H, W) -> (B, Out, Ho, Wo).</summary>
    public Tensor Forward(Tensor x) => Ops.Conv2d(x, Weight, Bias, Stride, Padding);
}
