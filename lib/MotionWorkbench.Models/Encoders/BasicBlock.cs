using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Models;

/// <summary>
/// torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), 3x3 convs without bias (padding 1;
/// conv1 carries the stride), shortcut = <c>downsample</c> (1x1 conv + BN) when the stride or width changes, else x.
/// Names: <c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>, <c>downsample.0</c>, <c>downsample.1</c>.
/// </summary>
public sealed class BasicBlock : Module
{
    public Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }
    public Conv2d Conv2 { get; }
    public BatchNorm2d Bn2 { get; }

    /// <summary>The projection shortcut, or null for the identity.</summary>
    public ResNetDownsample? Downsample { get; }

    public BasicBlock(int inChannels, int outChannels, int stride)
    {
        Conv1 = Child("conv1", new Conv2d(inChannels, outChannels, 3, stride, 1, bias: false));
        Bn1 = Child("bn1", new BatchNorm2d(outChannels));
        Conv2 = Child("conv2", new Conv2d(outChannels, outChannels, 3, 1, 1, bias: false));
        Bn2 = Child("bn2", new BatchNorm2d(outChannels));
        Downsample = stride != 1 || inChannels != outChannels ? Child("downsample", new ResNetDownsample(inChannels, outChannels, stride)) : null;
    }

    /// <summary>x (B, C, H, W) -> (B, C', H/s, W/s).</summary>
    public Tensor Forward(Tensor x)
    {
        var h = Bn1.ForwardRelu(Conv1.Forward(x));             // (B, C', H/s, W/s): relu(bn1(conv1 x))
        var shortcut = Downsample?.Forward(x) ?? x;            // (B, C', H/s, W/s)
        return Bn2.ForwardRelu(Conv2.Forward(h), shortcut);    // relu(bn2(conv2 h) + shortcut), fused
    }
}
