namespace MotionWorkbench.Tensors;

// Reductions over one axis; x viewed as (outer, n, inner), out (outer, inner) with the axis removed.
//   Sum:  y[o,i] = Σ_k x[o,k,i]              dx[o,k,i] += dy[o,i]
//   Mean: Sum scaled by 1/n (composite, no backward of its own)
//   Max:  y[o,i] = max_k x[o,k,i], argmax cached (int per output); dx[o,argmax,i] += dy[o,i]
//   SumAll: y (1) = Σ x; dx += dy
public static partial class Ops
{
    /// <summary>Sum over <paramref name="axis"/> (removed from the shape).</summary>
    public static Tensor Sum(Tensor x, int axis)
    {
        var (outer, n, inner, shape) = SplitAxis(x, axis, "Sum");
        var y = Tensor.Pooled(shape, clear: true);
        var xs = x.Data; var ys = y.Data;
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < n; k++)
                for (int i = 0; i < inner; i++)
                    ys[o * inner + i] += xs[(o * n + k) * inner + i];
        return y.Record("sum", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var dx = x.GradSpan;
            for (int o = 0; o < outer; o++)
                for (int k = 0; k < n; k++)
                    for (int i = 0; i < inner; i++)
                        dx[(o * n + k) * inner + i] += dy[o * inner + i];
        });
    }

    /// <summary>Mean over <paramref name="axis"/>.</summary>
    public static Tensor Mean(Tensor x, int axis) => Scale(Sum(x, axis), 1f / x.Dim(axis));

    /// <summary>Sum of all elements, shape (1).</summary>
    public static Tensor SumAll(Tensor x)
    {
        var y = Tensor.Pooled([1]);
        double acc = 0;
        foreach (var v in x.Data) acc += v;
        y.Data[0] = (float)acc;
        return y.Record("sum_all", [x], () =>
        {
            if (!x.RequiresGrad) return;
            float g = y.GradSpan[0]; var dx = x.GradSpan;
            for (int i = 0; i < dx.Length; i++) dx[i] += g;
        });
    }

    /// <summary>Mean of all elements, shape (1).</summary>
    public static Tensor MeanAll(Tensor x) => Scale(SumAll(x), 1f / x.Size);

    /// <summary>Max over <paramref name="axis"/> (ties: first index wins the gradient).</summary>
    public static Tensor Max(Tensor x, int axis)
    {
        var (outer, n, inner, shape) = SplitAxis(x, axis, "Max");
        if (n == 0) throw new ArgumentException($"Max: axis {axis} of {Tensor.Format(x.Shape)} is empty");
        var y = Tensor.Pooled(shape);
        var arg = new int[y.Size];
        var xs = x.Data; var ys = y.Data;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0; float bv = xs[o * n * inner + i];
                for (int k = 1; k < n; k++)
                {
                    float v = xs[(o * n + k) * inner + i];
                    if (v > bv) { bv = v; best = k; }
                }
                ys[o * inner + i] = bv;
                arg[o * inner + i] = best;
            }
        return y.Record("max", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var dx = x.GradSpan;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                    dx[(o * n + arg[o * inner + i]) * inner + i] += dy[o * inner + i];
        });
    }

    private static (int Outer, int N, int Inner, int[] Shape) SplitAxis(Tensor x, int axis, string op)
    {
        int a = axis < 0 ? x.Rank + axis : axis;
        if (a < 0 || a >= x.Rank) throw new ArgumentException($"{op}: axis {axis} is out of range for {Tensor.Format(x.Shape)}");
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= x.Shape[i];
        for (int i = a + 1; i < x.Rank; i++) inner *= x.Shape[i];
        var shape = x.Rank == 1 ? new[] { 1 } : x.Shape.Where((_, i) => i != a).ToArray();
        return (outer, x.Shape[a], inner, shape);
    }
}
