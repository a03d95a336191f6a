using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Models;

/// <summary>torchvision's <c>downsample</c> Sequential: <c>0</c> a 1x1 conv (stride s, no bias), <c>1</c> a BatchNorm.</summary>
public sealed class ResNetDownsample : Module
{
    public Conv2d Conv { get; }
    public BatchNorm2d Bn { get; }

    public ResNetDownsample(int inChannels, int outChannels, int stride)
    {
        Conv = Child("0", new Conv2d(inChannels, outChannels, 1, stride, 0, bias: false));
        Bn = Child("1", new BatchNorm2d(outChannels));
    }

    /// <summary>x (B, C, H, W) -> (B, C', H/s, W/s).</summary>
    public Tensor Forward(Tensor x) => Bn.Forward(Conv.Forward(x));
}
