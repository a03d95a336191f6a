using System.Text.Json.Serialization;

namespace MotionWorkbench.Models;

/// <summary>What the ResNet's BatchNorm layers do with their running statistics while training.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResNetBatchNorm>))]
public enum ResNetBatchNorm
{
    /// <summary>Normalise with the batch statistics and update the running ones (PyTorch's training mode).</summary>
    Train,
    /// <summary>Keep the running statistics at their loaded values and normalise with them in training too (eval-mode
    /// BatchNorm inside a training model, a common fine-tuning recipe); the BatchNorm weights and biases still train.</summary>
    Frozen,
}

/// <summary>What the ResNet's <see cref="MotionEncoder.Forward"/> receives.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResNetInput>))]
public enum ResNetInput
{
    /// <summary>Motion patches of z-scores, mapped by <see cref="ResNetInputMapping.FromZScores(MotionWorkbench.Tensors.Tensor)"/>
    /// (the patch colours as RGB 0..255, reordered to BGR, minus the ImageNet channel means).</summary>
    PatchColours,
    /// <summary>Images already in the network's input space (BGR 0..255 minus the channel means; what the ONNX graph takes).</summary>
    Network,
}

/// <summary>
/// A BasicBlock ResNet over motion-patch images (B, 3, Frames, ImageWidth), torchvision's layout and names: stem conv
/// 7x7/2 (padding 3) -> bn -> relu -> max pool 3x3/2 (padding 1) -> four stages of BasicBlocks (widths BaseWidth·1, 2,
/// 4, 8; the first block of stages 2-4 has stride 2 and a 1x1/2 conv + BN shortcut) -> global average pooling to
/// 8·BaseWidth features (no classifier). Symmetric padding everywhere, so any input size works (224 x 80 gives a 7 x 3
/// final map). BatchNorm eps 1e-5, momentum 0.1.
/// </summary>
/// <param name="Stages">Blocks per stage: [2, 2, 2, 2] is torchvision's resnet18, [2, 2, 2, 3] the layout of the ImageNet
/// ResNet-18 of the ONNX export (ResNet18.onnx).</param>
/// <param name="BaseWidth">Channels of the stem and the first stage (64 for ResNet-18; smaller for quick tests).</param>
/// <param name="BatchNorm">Train the running statistics, or keep them frozen at their loaded values.</param>
/// <param name="Input">Motion patches of z-scores (the default) or images already in the network's input space.</param>
/// <param name="Frames">Input height (time), 224.</param>
/// <param name="ImageWidth">Input width, 80 (5 parts x 16 points); 224 for ImageNet-sized images.</param>
public sealed record ResNetConfig(int[] Stages, int BaseWidth = 64, ResNetBatchNorm BatchNorm = ResNetBatchNorm.Train,
    ResNetInput Input = ResNetInput.PatchColours, int Frames = 224, int ImageWidth = 80) : MotionEncoderConfig
{
    /// <summary>torchvision's resnet18: stages [2, 2, 2, 2], 11.2 M weights without the classifier.</summary>
    public static ResNetConfig ResNet18 => new([2, 2, 2, 2]);

    /// <summary>The layout of the ImageNet ResNet-18 of ResNet18.onnx (CNTK export): stages [2, 2, 2, 3], 15.9 M weights.</summary>
    public static ResNetConfig ResNet18Cntk => new([2, 2, 2, 3]);

    /// <summary>The stride of the network: the final map is about Frames/32 x ImageWidth/32.</summary>
    public const int TotalStride = 32;

    /// <summary>
    /// How the input becomes the network's input, in words (written to the model config's JSON so that a saved model or
    /// run states it; not read back): <see cref="ResNetInputMapping"/> for motion patches, or nothing for network-space images.
    /// </summary>
    public string InputMapping => Input == ResNetInput.PatchColours
        ? "motion-patch z-scores clamped to +-3 sigma and mapped linearly to 0..255 (not rounded; the mean pose is 127.5), " +
          "read as RGB (x -> R, y -> G, z -> B), reordered to BGR, minus the ImageNet channel means of ResNet18.onnx's preprocessing " +
          "(B 103.0626, G 115.9029, R 123.1516; no division by a standard deviation)"
        : "none: images already in the network's input space (BGR 0..255 minus the channel means B 103.0626, G 115.9029, R 123.1516)";

    /// <summary>Channels of each stage: BaseWidth·(1, 2, 4, 8).</summary>
    [JsonIgnore] public int[] StageWidths => [BaseWidth, 2 * BaseWidth, 4 * BaseWidth, 8 * BaseWidth];

    /// <inheritdoc />
    [JsonIgnore] public override int FeatureDim => 8 * BaseWidth;

    /// <summary>The final feature map's (rows, columns) for the configured input: 7 x 3 for 224 x 80, 7 x 7 for 224 x 224.</summary>
    [JsonIgnore] public (int Rows, int Columns) FeatureGrid => (MapSize(Frames), MapSize(ImageWidth));

    /// <summary>The final map's size along one axis of n pixels: the stem conv, the max pool and three stride-2 stages each halve it, rounding up.</summary>
    public static int MapSize(int n)
    {
        for (int i = 0; i < 5; i++) n = (n - 1) / 2 + 1;   // (n + 2p − k)/2 + 1 with (k, p) = (7, 3), (3, 1) or (1, 0)
        return n;
    }

    /// <summary>Multiply-adds of one image's forward pass through the convolutions (stem, blocks, 1x1 shortcuts) at
    /// Frames x ImageWidth; BatchNorm, ReLU and pooling not counted (2x this is the FLOP count benchmarks report).</summary>
    public long MultiplyAdds()
    {
        static int Out(int n, int k, int s, int p) => (n + 2 * p - k) / s + 1;
        int h = Out(Frames, 7, 2, 3), w = Out(ImageWidth, 7, 2, 3), c = BaseWidth;
        long total = (long)BaseWidth * 3 * 49 * h * w;
        (h, w) = (Out(h, 3, 2, 1), Out(w, 3, 2, 1));
        for (int s = 0; s < 4; s++)
            for (int b = 0; b < Stages[s]; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1, width = StageWidths[s];
                int h2 = Out(h, 3, stride, 1), w2 = Out(w, 3, stride, 1);
                total += ((long)width * c * 9 + (long)width * width * 9) * h2 * w2;
                if (stride != 1 || c != width) total += (long)width * c * h2 * w2;
                (h, w, c) = (h2, w2, width);
            }
        return total;
    }

    /// <inheritdoc />
    public override void Validate()
    {
        if (Stages is null || Stages.Length != 4 || Stages.Any(d => d < 1))
            throw new ArgumentException($"ResNet stages must be 4 positive block counts (e.g. 2,2,2,2), got [{(Stages is null ? "" : string.Join(", ", Stages))}]");
        if (BaseWidth < 1) throw new ArgumentException($"ResNet base width must be positive, got {BaseWidth}");
        if (Frames < TotalStride || ImageWidth < TotalStride) throw new ArgumentException($"ResNet input {Frames} x {ImageWidth} must be at least {TotalStride} x {TotalStride} (the network's total stride)");
        if (!Enum.IsDefined(BatchNorm) || !Enum.IsDefined(Input)) throw new ArgumentException($"ResNet BatchNorm policy {BatchNorm} or input {Input} is not one of the known values");
    }

    /// <summary>Stages compared by value (records compare arrays by reference).</summary>
    public bool Equals(ResNetConfig? other) => other is not null && Stages.AsSpan().SequenceEqual(other.Stages) && BaseWidth == other.BaseWidth
        && BatchNorm == other.BatchNorm && Input == other.Input && Frames == other.Frames && ImageWidth == other.ImageWidth;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(string.Join(",", Stages), BaseWidth, BatchNorm, Input, Frames, ImageWidth);

    /// <summary>The stages as text, "2,2,2,3".</summary>
    public override string ToString() => $"ResNetConfig {{ Stages = [{string.Join(", ", Stages)}], BaseWidth = {BaseWidth}, BatchNorm = {BatchNorm}, Input = {Input}, Frames = {Frames}, ImageWidth = {ImageWidth} }}";
}
