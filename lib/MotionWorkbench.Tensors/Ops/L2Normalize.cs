using System.Numerics.Tensors;

namespace MotionWorkbench.Tensors;

// L2 normalisation over the last axis: n = max(‖x‖, eps), y = x / n.
//   dx += (dy − y·(dy·y)) / n   (when ‖x‖ > eps; otherwise dx += dy / eps)
// Caches n per row.
public static partial class Ops
{
    /// <summary>x / max(‖x‖₂, eps) over the last axis (PyTorch F.normalize).</summary>
    public static Tensor L2Normalize(Tensor x, float eps = 1e-12f)
    {
        int C = x.Dim(-1), R = x.Size / Math.Max(1, C);
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        var norms = new float[R];
        for (int r = 0; r < R; r++)
        {
            float n = MathF.Max(TensorPrimitives.Norm(x.Data.Slice(r * C, C)), eps);
            norms[r] = n;
            TensorPrimitives.Multiply(x.Data.Slice(r * C, C), 1f / n, y.Data.Slice(r * C, C));
        }
        return y.Record("l2_normalize", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var ys = y.Data; var dx = x.GradSpan;
            for (int r = 0; r < R; r++)
            {
                var dyr = dy.Slice(r * C, C); var yr = ys.Slice(r * C, C); var dxr = dx.Slice(r * C, C);
                bool clamped = norms[r] <= eps;
                float dot = clamped ? 0f : TensorPrimitives.Dot(dyr, yr);
                float inv = 1f / norms[r];
                for (int c = 0; c < C; c++) dxr[c] += (dyr[c] - yr[c] * dot) * inv;
            }
        });
    }
}
