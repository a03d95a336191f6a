using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Render.Plots;
using MotionWorkbench.Tensors;
using MotionWorkbench.Training;
using MotionWorkbench.Visuals;

namespace MotionWorkbench.Experiments;

/// <summary>
/// One motion's class-activation map in a ResNet motion encoder (Grad-CAM, Selvaraju et al. 2017): the last feature map
/// A (C, h, w), the gradient of the retrieval score s = cos(motion embedding, caption embedding) with respect to A,
/// channel weights α_c = the mean of ∂s/∂A_c over the h x w cells, and the map ReLU(Σ_c α_c A_c): the cells whose
/// features raise this caption's score. <see cref="Map"/> is row-major (h rows of time, w columns across the image).
/// </summary>
public sealed record ClassActivationCapture(MotionPatch Patch, string Caption, float[] Map, int Rows, int Cols, double Score)
{
    /// <summary>The map laid over the motion's patch image (each cell spans Frames/h frames and ImageWidth/w pixels).</summary>
    public Figure Figure(string? title = null, double opacity = 0.6)
    {
        var png = PatchImage.ToPng(Patch, PatchImageOptions.Plain with { Scale = 2 });
        var image = Render.Views.ImageView.FromPng(png);
        var fig = Render.Plots.Figure.Grid(1, 1, title ?? $"{Patch.Id}: Grad-CAM for \"{Caption}\" (score {Score:0.000})");
        fig.ShowLegend = false;
        fig.Height = Math.Clamp((int)(image.Height * 900.0 / Math.Max(1, image.Width) / 3) + 90, 240, 900);
        double dx = (double)image.Width / Cols, dy = (double)image.Height / Rows;
        var xs = Enumerable.Range(0, Cols).Select(c => (c + 0.5) * dx - 0.5).ToArray();
        var ys = Enumerable.Range(0, Rows).Select(r => (r + 0.5) * dy - 0.5).ToArray();
        float max = Map.Max();
        fig.Add(Trace.Image(png), 1, 1);
        fig.Add(Trace.Heatmap(Map, Rows, Cols, null, null, "Hot", 0, max > 0 ? max : 1, showScale: false)
            .With("opacity", opacity)
            .With("x", TypedArray.Vector(xs))
            .With("y", TypedArray.Vector(ys))
            .With("hovertemplate", "time cell %{y}<br>image column %{x}<br>Grad-CAM %{z:.4f}<extra></extra>"), 1, 1);
        fig.XAxisAttribute("showticklabels", false, 1, 1).YAxisAttribute("showticklabels", false, 1, 1);
        fig.EqualAspect(1, 1);
        return fig;
    }
}

/// <summary>Class-activation maps of a run's ResNet motion encoder over motion-patch images (notebook 10, beside the ViT's attention maps).</summary>
public static class ClassActivationProbe
{
    /// <summary>The retrieval model of a run folder whose motion encoder is a ResNet (<c>model.architecture = resnet</c>), or null for another architecture.</summary>
    public static MotionTextModel? ResNetModelOf(string runDir) =>
        RunModels.Load(runDir) is TransformerModel { Model: { MotionEncoder: ResNetEncoder } m } ? m : null;

    /// <summary>
    /// Grad-CAM of <paramref name="patch"/> for the caption whose (L2-normalised) embedding is <paramref name="textEmbedding"/>
    /// (e.g. <see cref="RunProbe.EmbedTexts"/> of the same run). The model is evaluated in eval mode (running statistics,
    /// no dropout); its parameters' gradients are left untouched.
    /// </summary>
    public static ClassActivationCapture Capture(MotionTextModel model, MotionPatch patch, string caption, float[] textEmbedding)
    {
        if (model.MotionEncoder is not ResNetEncoder resnet)
            throw new ArgumentException($"Grad-CAM needs a ResNet motion encoder; this model's is a {model.MotionEncoder.GetType().Name} (its attention maps: AttentionProbe)");
        var cfg = resnet.Config;
        if (patch.Frames != cfg.Frames || patch.Width != cfg.ImageWidth)
            throw new ArgumentException($"patch of {patch.Id} is {patch.Frames} x {patch.Width}, but the ResNet expects {cfg.Frames} x {cfg.ImageWidth}");
        if (textEmbedding.Length != model.Config.EmbeddingDim)
            throw new ArgumentException($"the caption embedding has {textEmbedding.Length} values, the model's embeddings {model.Config.EmbeddingDim}");
        bool wasTraining = model.Training;
        var head = model.MotionHead.Parameters().Select(t => (Tensor: t, t.RequiresGrad)).ToList();
        model.Eval();
        foreach (var (t, _) in head) t.RequiresGrad = false;   // the gradient flows to the feature map only
        try
        {
            Tensor map;
            using (Autograd.NoGrad())
                map = resnet.ForwardFeatureMap(resnet.NetworkInput(new MotionInput(Tensor.Wrap(patch.Data, [1, 3, patch.Frames, patch.Width])))); // (1, C, h, w)
            int C = map.Shape[1], h = map.Shape[2], w = map.Shape[3];
            var features = map.Detach();
            features.RequiresGrad = true;
            var motion = Ops.L2Normalize(model.MotionHead.Forward(ResNetEncoder.Pool(features)));         // (1, E)
            var score = Ops.SumAll(Ops.Mul(motion, Tensor.FromArray(textEmbedding, [1, textEmbedding.Length])));
            double s = score.Data[0];
            score.Backward();
            var a = features.Data;
            var g = features.Grad;
            var cam = new float[h * w];
            for (int c = 0; c < C; c++)
            {
                float alpha = 0;
                for (int i = 0; i < h * w; i++) alpha += g[c * h * w + i];
                alpha /= h * w;
                for (int i = 0; i < h * w; i++) cam[i] += alpha * a[c * h * w + i];
            }
            for (int i = 0; i < cam.Length; i++) cam[i] = Math.Max(0f, cam[i]);
            return new ClassActivationCapture(patch, caption, cam, h, w, s);
        }
        finally
        {
            foreach (var (t, requires) in head) t.RequiresGrad = requires;
            model.Train(wasTraining);
        }
    }
}
