using MotionWorkbench.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="ResNetEncoder"/> on TorchSharp: the same input mapping (<see cref="ResNetInputMapping"/>),
/// stem conv 7x7/2 -> BN -> ReLU -> max pool 3x3/2 -> BasicBlock stages -> global average pooling, with the own
/// engine's (torchvision's) parameter and buffer names under <c>{prefix}</c>: <c>conv1.weight</c>, <c>bn1.running_var</c>,
/// <c>layer2.0.downsample.0.weight</c>, ... BatchNorm uses the batch statistics (updating the running buffers, momentum
/// 0.1) in training mode unless the config freezes them, else the running statistics; eps 1e-5.
/// </summary>
public sealed class TorchResNetEncoder : TorchMotionEncoder
{
    private const double Eps = 1e-5, Momentum = 0.1;
    private readonly TorchModel owner;
    private readonly Conv stem;
    private readonly Norm stemNorm;
    private readonly Block[][] layers;

    public TorchResNetEncoder(TorchModel owner, string prefix, ResNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        this.owner = owner;
        Config = config;
        stem = new Conv(owner.Get(TorchModel.Key(prefix, "conv1.weight")), 2, 3);
        stemNorm = new Norm(owner, TorchModel.Key(prefix, "bn1"));
        layers = Enumerable.Range(0, 4).Select(s => Enumerable.Range(0, config.Stages[s])
            .Select(i => new Block(owner, TorchModel.Key(prefix, $"layer{s + 1}.{i}"), s > 0 && i == 0 ? 2 : 1)).ToArray()).ToArray();
    }

    public ResNetConfig Config { get; }

    public override int FeatureDim => Config.FeatureDim;

    private bool BatchStatistics => owner.Training && Config.BatchNorm == ResNetBatchNorm.Train;

    /// <summary>The network's input for motion patches of z-scores (or the images as they are, <see cref="ResNetInput.Network"/>).</summary>
    public Tensor NetworkInput(TorchMotionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input.Values;
        if (x.dim() != 4 || x.shape[1] != 3 || x.shape[2] != Config.Frames || x.shape[3] != Config.ImageWidth)
            throw new ArgumentException($"ResNet input must be (B, 3, {Config.Frames}, {Config.ImageWidth}), got ({string.Join(", ", x.shape)})");
        if (Config.Input == ResNetInput.Network) return x;
        if (x.isnan().any().item<bool>()) throw new ArgumentException("ResNet input mapping: the motion patches hold NaN");
        float sigma = ResNetInputMapping.ClampSigma;
        var means = tensor(ResNetInputMapping.ChannelMeansBgr.ToArray(), [1, 3, 1, 1], device: x.device);
        return ((x.clamp(-sigma, sigma) + sigma) * (255f / (2 * sigma))).flip(1) - means;   // RGB 0..255 -> BGR minus the means
    }

    /// <summary>The final feature map (B, 8·BaseWidth, h, w) of a network-space image (B, 3, H, W).</summary>
    public Tensor ForwardFeatureMap(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 4 || image.shape[1] != 3) throw new ArgumentException($"ResNet input must be (B, 3, H, W) with 3 channels (BGR), got ({string.Join(", ", image.shape)})");
        bool batch = BatchStatistics;
        var x = F.relu(stemNorm.Forward(stem.Forward(image), batch));   // (B, C, H/2, W/2)
        x = F.max_pool2d(x, [3, 3], [2, 2], [1, 1]);                     // (B, C, H/4, W/4)
        foreach (var layer in layers)
            foreach (var block in layer) x = block.Forward(x, batch);
        return x;
    }

    public override Tensor Forward(TorchMotionInput input) => ForwardFeatureMap(NetworkInput(input)).mean([2, 3]);   // (B, C)

    public override Tensor ForwardTokens(TorchMotionInput input) => ForwardFeatureMap(NetworkInput(input)).flatten(2).transpose(1, 2); // (B, h·w, C)

    /// <summary>The mean of the tokens (B, h·w, C) -> (B, C), the global average pool of the map they came from.</summary>
    public override Tensor PoolTokens(Tensor tokens) => tokens.mean([1]);

    private sealed class Conv(Parameter weight, long stride, long padding)
    {
        public Tensor Forward(Tensor x) => F.conv2d(x, weight, null, [stride, stride], [padding, padding]);
    }

    private sealed class Norm(TorchModel owner, string prefix)
    {
        private readonly Parameter weight = owner.Get(TorchModel.Key(prefix, "weight")), bias = owner.Get(TorchModel.Key(prefix, "bias"));
        private readonly Tensor mean = owner.GetBuffer(TorchModel.Key(prefix, "running_mean")), variance = owner.GetBuffer(TorchModel.Key(prefix, "running_var"));

        public Tensor Forward(Tensor x, bool batchStatistics) => F.batch_norm(x, mean, variance, weight, bias, batchStatistics, Momentum, Eps);
    }

    private sealed class Block
    {
        private readonly Conv conv1, conv2;
        private readonly Norm bn1, bn2;
        private readonly (Conv Conv, Norm Norm)? downsample;

        public Block(TorchModel owner, string prefix, int stride)
        {
            conv1 = new Conv(owner.Get(TorchModel.Key(prefix, "conv1.weight")), stride, 1);
            bn1 = new Norm(owner, TorchModel.Key(prefix, "bn1"));
            conv2 = new Conv(owner.Get(TorchModel.Key(prefix, "conv2.weight")), 1, 1);
            bn2 = new Norm(owner, TorchModel.Key(prefix, "bn2"));
            if (owner.TryGet(TorchModel.Key(prefix, "downsample.0.weight")) is { } w)
                downsample = (new Conv(w, stride, 0), new Norm(owner, TorchModel.Key(prefix, "downsample.1")));
        }

        public Tensor Forward(Tensor x, bool batch)
        {
            var h = F.relu(bn1.Forward(conv1.Forward(x), batch));
            var shortcut = downsample is { } d ? d.Norm.Forward(d.Conv.Forward(x), batch) : x;
            return F.relu(bn2.Forward(conv2.Forward(h), batch) + shortcut);
        }
    }
}
