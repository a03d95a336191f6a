using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Models;

/// <summary>
/// The ResNet motion encoder (<see cref="ResNetConfig"/>): torchvision's BasicBlock ResNet with torchvision's parameter
/// and buffer names (<c>conv1.weight</c>, <c>bn1.running_var</c>, <c>layer1.0.conv1.weight</c>, ...,
/// <c>layer2.0.downsample.0.weight</c>), so an ImageNet state dict loads by name. <see cref="Forward"/> maps motion patches
/// to the network's input (<see cref="ResNetInputMapping"/>), runs the stem and the four stages and averages the final
/// map: (B, 8·BaseWidth) features. <see cref="ForwardFeatureMap"/> is the map before pooling (B, C, 7, 3 at 224 x 80)
/// (class activation maps) and <see cref="ForwardTokens"/> its cells as tokens (B, 7·3, C), time-major (the caption
/// decoder's memory). Scratch initialisation as torchvision: convs Kaiming-normal (fan-out, ReLU gain), BatchNorm 1/0.
/// </summary>
public sealed class ResNetEncoder : MotionEncoder
{
    private readonly ResNetConfig config;

    public Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }

    /// <summary><c>layer1</c> .. <c>layer4</c>.</summary>
    public IReadOnlyList<ModuleList<BasicBlock>> Layers { get; }

    public ResNetEncoder(ResNetConfig config, ulong seed)
    {
        config.Validate();
        this.config = config;
        int width = config.BaseWidth;
        Conv1 = Child("conv1", new Conv2d(3, width, 7, 2, 3, bias: false));
        Bn1 = Child("bn1", new BatchNorm2d(width));
        var layers = new List<ModuleList<BasicBlock>>();
        int inChannels = width;
        for (int s = 0; s < 4; s++)
        {
            int outChannels = config.StageWidths[s], stride = s == 0 ? 1 : 2, from = inChannels;
            layers.Add(Child($"layer{s + 1}", new ModuleList<BasicBlock>(config.Stages[s], i => new BasicBlock(i == 0 ? from : outChannels, outChannels, i == 0 ? stride : 1))));
            inChannels = outChannels;
        }
        Layers = layers;
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        foreach (var (_, m) in NamedModules())
        {
            if (m is Conv2d conv) Init.Normal(conv.Weight, MathF.Sqrt(2f / (conv.OutChannels * conv.KernelSize * conv.KernelSize)), rng);
            if (m is BatchNorm2d bn) bn.FrozenStatistics = config.BatchNorm == ResNetBatchNorm.Frozen;
        }
    }

    /// <summary>The configuration.</summary>
    public ResNetConfig Config => config;

    /// <inheritdoc />
    public override MotionEncoderConfig EncoderConfig => config;

    /// <summary>Every BatchNorm layer, stem first, in state-dict order.</summary>
    public IEnumerable<BatchNorm2d> BatchNorms() => NamedModules().Select(m => m.Module).OfType<BatchNorm2d>();

    /// <summary>The network's input (B, 3, Frames, ImageWidth) for a motion input: mapped from z-scores, or as it is (<see cref="ResNetInput.Network"/>).</summary>
    public Tensor NetworkInput(MotionInput input)
    {
        var x = input.Values;
        if (x.Rank != 4 || x.Shape[1] != 3 || x.Shape[2] != config.Frames || x.Shape[3] != config.ImageWidth)
            throw new ArgumentException($"ResNet input must be (B, 3, {config.Frames}, {config.ImageWidth}) {(config.Input == ResNetInput.PatchColours ? "motion patches" : "images")}, got {Tensor.Format(x.Shape)}");
        return config.Input == ResNetInput.PatchColours ? ResNetInputMapping.FromZScores(x) : x;
    }

    /// <summary>The final feature map (B, 8·BaseWidth, Frames/32, ImageWidth/32 rounded up) of a network-space image (B, 3, H, W) of any size ≥ 32 x 32.</summary>
    public Tensor ForwardFeatureMap(Tensor image)
    {
        if (image.Rank != 4 || image.Shape[1] != 3) throw new ArgumentException($"ResNet input must be (B, 3, H, W) with 3 channels (BGR), got {Tensor.Format(image.Shape)}");
        var x = Bn1.ForwardRelu(Conv1.Forward(image));          // (B, C, H/2, W/2)
        x = Ops.MaxPool2d(x, 3, 2, 1);                          // (B, C, H/4, W/4)
        foreach (var layer in Layers)
            foreach (var block in layer.Items) x = block.Forward(x); // (B, 8C, H/32, W/32) after layer4
        return x;
    }

    /// <summary>Global average pooling of a feature map: (B, C, h, w) -> (B, C).</summary>
    public static Tensor Pool(Tensor featureMap) => Ops.GlobalAvgPool2d(featureMap);

    /// <summary>The final feature map's cells as tokens: (B, C, h, w) -> (B, h·w, C), row (time) major.</summary>
    public static Tensor Tokens(Tensor featureMap)
    {
        int B = featureMap.Shape[0], C = featureMap.Shape[1], h = featureMap.Shape[2], w = featureMap.Shape[3];
        return Ops.Reshape(Ops.Permute(featureMap, 0, 2, 3, 1), B, h * w, C); // (B, h·w, C)
    }

    /// <summary>The mean of the tokens (B, h·w, C) -> (B, C): the same as <see cref="Pool"/> of the map they came from.</summary>
    public override Tensor PoolTokens(Tensor tokens) => Ops.Mean(tokens, 1);

    /// <inheritdoc />
    public override Tensor Forward(MotionInput input) => Pool(ForwardFeatureMap(NetworkInput(input)));   // (B, 8·BaseWidth)

    /// <inheritdoc />
    public override Tensor ForwardTokens(MotionInput input) => Tokens(ForwardFeatureMap(NetworkInput(input))); // (B, h·w, 8·BaseWidth)

    /// <inheritdoc />
    public override bool KeepAttention
    {
        get => false;
        set
        {
            if (value) throw new NotSupportedException("the ResNet encoder has no attention maps; take class activation maps from ForwardFeatureMap instead");
        }
    }

    /// <inheritdoc />
    public override IReadOnlyList<AttentionMap> AttentionMaps() =>
        throw new NotSupportedException("the ResNet encoder has no attention maps; take class activation maps from ForwardFeatureMap instead");
}
