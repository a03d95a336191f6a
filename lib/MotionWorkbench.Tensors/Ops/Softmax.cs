using System.Numerics.Tensors;

namespace MotionWorkbench.Tensors;

// Softmax and log-softmax over the last axis, max-shifted; x viewed as (rows, n).
//   Softmax:    y = e^(x − max) / Σ e^(x − max)       dx += y ⊙ (dy − Σ(dy ⊙ y))
//   LogSoftmax: y = x − max − ln Σ e^(x − max)        dx += dy − softmax(x)·Σ dy  (softmax = e^y)
// Both read only their own output in backward.
public static partial class Ops
{
    /// <summary>Softmax over the last axis.</summary>
    public static Tensor Softmax(Tensor x)
    {
        int n = x.Dim(-1), rows = x.Size / Math.Max(1, n);
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        for (int r = 0; r < rows; r++) SoftmaxRow(x.Data.Slice(r * n, n), y.Data.Slice(r * n, n));
        return y.Record("softmax", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var ys = y.Data; var dx = x.GradSpan;
            for (int r = 0; r < rows; r++) SoftmaxBackwardRow(dy.Slice(r * n, n), ys.Slice(r * n, n), dx.Slice(r * n, n));
        });
    }

    /// <summary>Log-softmax over the last axis.</summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        int n = x.Dim(-1), rows = x.Size / Math.Max(1, n);
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        for (int r = 0; r < rows; r++) LogSoftmaxRow(x.Data.Slice(r * n, n), y.Data.Slice(r * n, n));
        return y.Record("log_softmax", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var ys = y.Data; var dx = x.GradSpan;
            for (int r = 0; r < rows; r++)
            {
                var dyr = dy.Slice(r * n, n); var yr = ys.Slice(r * n, n); var dxr = dx.Slice(r * n, n);
                float sum = TensorPrimitives.Sum(dyr);
                for (int i = 0; i < n; i++) dxr[i] += dyr[i] - MathF.Exp(yr[i]) * sum;
            }
        });
    }

    /// <summary>y = softmax(x) for one row; a row of −∞ gives zeros.</summary>
    internal static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max)) { y.Clear(); return; }
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        float sum = TensorPrimitives.Sum(y);
        TensorPrimitives.Multiply(y, 1f / sum, y);
    }

    internal static void SoftmaxBackwardRow(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx)
    {
        float dot = TensorPrimitives.Dot(dy, y);
        for (int i = 0; i < dx.Length; i++) dx[i] += y[i] * (dy[i] - dot);
    }

    internal static void LogSoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        double sum = 0;
        foreach (var v in y) sum += Math.Exp(v);
        TensorPrimitives.Subtract(y, (float)Math.Log(sum), y);
    }
}
