using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors;

// Residual add with dropout on the branch, fused: out = x + dropout(y, p).
//   dx += dOut;  dy += dOut·keep/(1 − p)  (mask regenerated from its seed; nothing cached)
// x, y, out: same shape.
public static partial class Ops
{
    /// <summary>x + dropout(y) in one pass.</summary>
    public static unsafe Tensor AddDropout(Tensor x, Tensor y, float p, DropoutRng rng)
    {
        Tensor.CheckSameShape(x, y, "AddDropout");
        if (p == 0) return Add(x, y);
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), $"AddDropout: p must be in [0, 1), got {p}");
        ulong seed = rng.Seed, counter = rng.Reserve(y.Size);
        var output = Tensor.Pooled((int[])x.Shape.Clone());
        x.Data.CopyTo(output.Data);
        fixed (float* py = y.Data, po = output.Data)
        {
            nint ay = (nint)py, ao = (nint)po;
            Par.For(y.Size, 32768, (s, e) => DropoutMask.Apply(new ReadOnlySpan<float>((float*)ay + s, e - s), new Span<float>((float*)ao + s, e - s), seed, counter + (ulong)s, p, accumulate: true));
        }
        return output.Record("add_dropout", [x, y], () =>
        {
            var dOut = output.GradSpan;
            if (x.RequiresGrad) System.Numerics.Tensors.TensorPrimitives.Add(x.GradSpan, dOut, x.GradSpan);
            if (!y.RequiresGrad) return;
            fixed (float* pdo = dOut, pdy = y.GradSpan)
            {
                nint ado = (nint)pdo, ady = (nint)pdy;
                Par.For(y.Size, 32768, (s, e) => DropoutMask.Apply(new ReadOnlySpan<float>((float*)ado + s, e - s), new Span<float>((float*)ady + s, e - s), seed, counter + (ulong)s, p, accumulate: true));
            }
        });
    }
}
