using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="MotionWorkbench.Models.ProjectionHead"/>: projected = <c>projection</c>(x);
/// h = <c>fc</c>(GELU(projected)); out = <c>layer_norm</c>(projected + dropout(h)) with eps 1e-5.
/// </summary>
public sealed class TorchProjectionHead
{
    private readonly TorchModel owner;
    private readonly TorchLinear projection, fc;
    private readonly TorchLayerNorm layerNorm;
    private readonly double dropout;

    public TorchProjectionHead(TorchModel owner, string prefix, double dropout)
    {
        ArgumentNullException.ThrowIfNull(owner);
        this.owner = owner;
        this.dropout = dropout;
        projection = new TorchLinear(owner, TorchModel.Key(prefix, "projection"));
        fc = new TorchLinear(owner, TorchModel.Key(prefix, "fc"));
        layerNorm = new TorchLayerNorm(owner, TorchModel.Key(prefix, "layer_norm"), 1e-5f);
    }

    /// <summary>x (B, in) -> (B, embeddingDim).</summary>
    public Tensor Forward(Tensor x)
    {
        var projected = projection.Forward(x);
        var h = fc.Forward(TorchOps.Gelu(projected));
        return layerNorm.Forward(projected + TorchOps.Dropout(owner, h, dropout));
    }
}
