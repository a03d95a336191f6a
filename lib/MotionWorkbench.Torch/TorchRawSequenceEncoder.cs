using MotionWorkbench.Models;
using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="RawSequenceEncoder"/> on TorchSharp: <c>embedding</c> Linear(J·3 → C) per frame plus the
/// fixed sinusoidal encoding, dropout, post-norm layers (<c>layers.{i}</c>, LayerNorm eps 1e-5) with the key-padding
/// mask, then the mean over the real frames. Input (B, T, J·3) with a (B, T) padding mask (true = padded frame).
/// </summary>
public sealed class TorchRawSequenceEncoder : TorchMotionEncoder
{
    private readonly TorchModel owner;
    private readonly TorchLinear embedding;
    private readonly TorchPostNormBlock[] layers;
    private readonly Tensor positions;

    public TorchRawSequenceEncoder(TorchModel owner, string prefix, RawSequenceConfig config)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(config);
        this.owner = owner;
        Config = config;
        embedding = new TorchLinear(owner, TorchModel.Key(prefix, "embedding"));
        layers = Enumerable.Range(0, config.Depth).Select(i => new TorchPostNormBlock(owner, TorchModel.Key(prefix, $"layers.{i}"), config.Heads, config.Dropout, 1e-5f)).ToArray();
        positions = owner.Buffer(TorchInterop.FromFloats(RawSequenceEncoder.SinusoidalEncoding(config.MaxFrames, config.Width), [config.MaxFrames, config.Width], owner.Device, false));
    }

    public RawSequenceConfig Config { get; }

    public override int FeatureDim => Config.Width;

    public override Tensor ForwardTokens(TorchMotionInput input)
    {
        var x = input.Values;
        if (x.dim() != 3 || x.shape[2] != Config.InputFeatures)
            throw new ArgumentException($"raw-sequence input must be (B, T, {Config.InputFeatures}), got ({string.Join(", ", x.shape)})");
        long B = x.shape[0], T = x.shape[1];
        if (T > Config.MaxFrames) throw new ArgumentException($"raw-sequence input has {T} frames, more than the {Config.MaxFrames} the position encoding covers");
        var mask = input.PaddingMask;
        if (mask is not null && (mask.dim() != 2 || mask.shape[0] != B || mask.shape[1] != T))
            throw new ArgumentException($"raw-sequence padding mask must be (B, T) = ({B}, {T}), got ({string.Join(", ", mask.shape)})");
        var h = TorchOps.Dropout(owner, embedding.Forward(x) + positions.narrow(0, 0, T), Config.Dropout); // (B, T, C)
        foreach (var layer in layers) h = layer.Forward(h, mask);
        return h;
    }

    public override Tensor Forward(TorchMotionInput input)
    {
        var h = ForwardTokens(input);
        return TorchOps.MaskedMean(h, input.PaddingMask?.logical_not());
    }
}
