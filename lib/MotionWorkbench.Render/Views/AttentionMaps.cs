using MotionWorkbench.Render.Plots;

namespace MotionWorkbench.Render.Views;

/// <summary>Which attention a map shows for each patch.</summary>
public enum AttentionKind
{
    /// <summary>Attention from the class token (query 0) to each patch: what the pooled embedding looks at.</summary>
    ClassToken,
    /// <summary>Mean attention each patch receives, averaged over all query tokens.</summary>
    Received,
}

/// <summary>Options for <see cref="AttentionMaps.Create"/>.</summary>
public sealed record AttentionMapOptions
{
    public AttentionKind Kind { get; init; } = AttentionKind.ClassToken;
    /// <summary>Draw one attention-rollout map (Abnar and Zuidema 2020: head-mean, plus identity for the residual, row-normalised, multiplied over layers) instead of per-layer maps.</summary>
    public bool Rollout { get; init; }
    /// <summary>0-based layers to draw (default all).</summary>
    public IReadOnlyList<int>? Layers { get; init; }
    /// <summary>One column per head plus a head-mean column; false draws only the head mean.</summary>
    public bool PerHead { get; init; } = true;
    public double Opacity { get; init; } = 0.6;
    public string ColorScale { get; init; } = "Hot";
    public string? Title { get; init; }
}

/// <summary>
/// Attention maps of a ViT over motion patches (paper Fig. 7). Input: attention probabilities as a flat row-major array
/// (layers x heads x tokens x tokens, [layer, head, query, key]) where token 0 is the class token and token 1 + i is patch i
/// of a (rows = time windows) x (cols = body parts) grid in row-major order. Each map is reshaped to the grid and drawn
/// over the patch image (grid row r covers image rows r*H/rows..(r+1)*H/rows, grid column c covers image columns likewise).
/// </summary>
public static class AttentionMaps
{
    public static Figure Create(float[] probabilities, int layers, int heads, int tokens, int gridRows, int gridCols,
        byte[]? patchImagePng = null, AttentionMapOptions? options = null)
    {
        options ??= new AttentionMapOptions();
        Check(probabilities, layers, heads, tokens, gridRows, gridCols);
        int patches = gridRows * gridCols;
        int imageW = gridCols, imageH = gridRows;
        if (patchImagePng is not null) (imageW, imageH) = (ImageView.FromPng(patchImagePng).Width, ImageView.FromPng(patchImagePng).Height);

        var panels = new List<(string Title, float[] Map, int Row, int Col)>();
        int rows, cols;
        string what = options.Kind == AttentionKind.ClassToken ? "class token → patch" : "mean attention received";
        if (options.Rollout)
        {
            var rollout = Rollout(probabilities, layers, heads, tokens);
            panels.Add(("rollout", Pick(rollout, tokens, options.Kind), 1, 1));
            rows = cols = 1;
        }
        else
        {
            var selected = options.Layers ?? Enumerable.Range(0, layers).ToList();
            foreach (var l in selected)
                if (l < 0 || l >= layers) throw new ArgumentOutOfRangeException(nameof(options), $"layer {l} is outside 0..{layers - 1}");
            bool perHead = options.PerHead && heads > 1;
            rows = selected.Count;
            cols = perHead ? heads + 1 : 1;
            for (int i = 0; i < selected.Count; i++)
            {
                int l = selected[i];
                if (perHead)
                    for (int h = 0; h < heads; h++)
                        panels.Add(($"L{l + 1} H{h + 1}", Pick(HeadMatrix(probabilities, l, h, heads, tokens), tokens, options.Kind), i + 1, h + 1));
                panels.Add(($"L{l + 1} mean", Pick(HeadMean(probabilities, l, heads, tokens), tokens, options.Kind), i + 1, cols));
            }
        }

        var fig = Figure.Grid(rows, cols, options.Title ?? $"Attention: {what}" + (options.Rollout ? " (rollout over layers)" : ""));
        fig.ShowLegend = false;
        double aspect = (double)imageH / imageW;
        fig.Height = Math.Clamp((int)(rows * Math.Clamp(aspect * 900 / cols, 60, 420)) + 90, 240, 4000);
        double dx = (double)imageW / gridCols, dy = (double)imageH / gridRows;
        // Cell centres in image pixel coordinates (pixel i spans i - 0.5 .. i + 0.5, as plotly draws image traces).
        var xs = Enumerable.Range(0, gridCols).Select(c => (c + 0.5) * dx - 0.5).ToArray();
        var ys = Enumerable.Range(0, gridRows).Select(r => (r + 0.5) * dy - 0.5).ToArray();
        foreach (var (title, map, r, c) in panels)
        {
            if (patchImagePng is not null) fig.Add(Trace.Image(patchImagePng), r, c);
            float max = map.Max();
            var heat = Trace.Heatmap(map, gridRows, gridCols, null, null, options.ColorScale, 0, max > 0 ? max : 1, showScale: false)
                .With("opacity", patchImagePng is null ? 1.0 : options.Opacity)
                .With("x", TypedArray.Vector(xs))
                .With("y", TypedArray.Vector(ys))
                .With("hovertemplate", "time window %{y}<br>body part %{x}<br>attention %{z:.4f}<extra>" + title + "</extra>");
            fig.Add(heat, r, c);
            fig.SubplotTitle(title, r, c);
            fig.XAxisAttribute("showticklabels", false, r, c).YAxisAttribute("showticklabels", false, r, c);
            if (patchImagePng is null) fig.MatrixOrientation(r, c);
            fig.EqualAspect(r, c);
        }
        return fig;
    }

    /// <summary>The attention matrix (tokens x tokens) of one layer and head.</summary>
    public static float[] HeadMatrix(float[] probabilities, int layer, int head, int heads, int tokens)
        => probabilities.AsSpan(((layer * heads) + head) * tokens * tokens, tokens * tokens).ToArray();

    /// <summary>The head-mean attention matrix (tokens x tokens) of one layer.</summary>
    public static float[] HeadMean(float[] probabilities, int layer, int heads, int tokens)
    {
        var mean = new float[tokens * tokens];
        for (int h = 0; h < heads; h++)
        {
            var m = probabilities.AsSpan(((layer * heads) + h) * tokens * tokens, tokens * tokens);
            for (int i = 0; i < mean.Length; i++) mean[i] += m[i] / heads;
        }
        return mean;
    }

    /// <summary>Class-token → patch attention (row 0, keys 1..) of a tokens x tokens matrix.</summary>
    public static float[] ClassTokenToPatches(float[] matrix, int tokens) => matrix.AsSpan(1, tokens - 1).ToArray();

    /// <summary>Mean attention each patch (key 1..) receives over all query tokens.</summary>
    public static float[] ReceivedByPatches(float[] matrix, int tokens)
    {
        var received = new float[tokens - 1];
        for (int q = 0; q < tokens; q++)
            for (int k = 1; k < tokens; k++) received[k - 1] += matrix[q * tokens + k] / tokens;
        return received;
    }

    /// <summary>
    /// Attention rollout (tokens x tokens): for each layer A' = rownorm(0.5 * mean_heads(A) + 0.5 * I), and the result is
    /// A'_L · ... · A'_1, computed in double precision.
    /// </summary>
    public static float[] Rollout(float[] probabilities, int layers, int heads, int tokens)
    {
        int n = tokens;
        var result = new double[n * n];
        for (int i = 0; i < n; i++) result[i * n + i] = 1;
        var next = new double[n * n];
        for (int l = 0; l < layers; l++)
        {
            var mean = HeadMean(probabilities, l, heads, n);
            var a = new double[n * n];
            for (int q = 0; q < n; q++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += a[q * n + k] = 0.5 * mean[q * n + k] + (q == k ? 0.5 : 0);
                for (int k = 0; k < n; k++) a[q * n + k] /= sum;
            }
            Array.Clear(next);
            for (int q = 0; q < n; q++)
                for (int m = 0; m < n; m++)
                {
                    double aqm = a[q * n + m];
                    if (aqm == 0) continue;
                    for (int k = 0; k < n; k++) next[q * n + k] += aqm * result[m * n + k];
                }
            (result, next) = (next, result);
        }
        return [.. result.Select(v => (float)v)];
    }

    private static float[] Pick(float[] matrix, int tokens, AttentionKind kind)
        => kind == AttentionKind.ClassToken ? ClassTokenToPatches(matrix, tokens) : ReceivedByPatches(matrix, tokens);

    private static void Check(float[] probabilities, int layers, int heads, int tokens, int gridRows, int gridCols)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (layers < 1 || heads < 1) throw new ArgumentException($"attention needs at least one layer and head, got {layers} layers x {heads} heads");
        if (gridRows < 1 || gridCols < 1) throw new ArgumentException($"patch grid must be positive, got {gridRows} x {gridCols}");
        if (tokens != 1 + gridRows * gridCols)
            throw new ArgumentException($"attention has {tokens} tokens but a class token plus a {gridRows} x {gridCols} patch grid needs {1 + gridRows * gridCols}");
        long expected = (long)layers * heads * tokens * tokens;
        if (probabilities.Length != expected)
            throw new ArgumentException($"attention probabilities have {probabilities.Length} values, expected layers x heads x tokens x tokens = {layers} x {heads} x {tokens} x {tokens} = {expected}");
    }
}
