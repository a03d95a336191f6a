using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors;

// Inverted dropout: y = x·keep/(1 − p), keep = hash(seed, counter + i) ≥ p·2³² (see Kernels.DropoutMask).
//   dx += dy·keep/(1 − p), with the mask regenerated from (seed, counter): nothing is cached.
// p = 0 returns x itself (no node). Shapes: any, unchanged.
public static partial class Ops
{
    /// <summary>Dropout with probability <paramref name="p"/>, masks drawn from <paramref name="rng"/>.</summary>
    public static unsafe Tensor Dropout(Tensor x, float p, DropoutRng rng)
    {
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1), got {p}");
        if (p == 0) return x;
        ulong seed = rng.Seed, counter = rng.Reserve(x.Size);
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        fixed (float* px = x.Data, py = y.Data)
        {
            nint ax = (nint)px, ay = (nint)py;
            Par.For(x.Size, 32768, (s, e) => DropoutMask.Apply(new ReadOnlySpan<float>((float*)ax + s, e - s), new Span<float>((float*)ay + s, e - s), seed, counter + (ulong)s, p, accumulate: false));
        }
        return y.Record("dropout", [x], () =>
        {
            if (!x.RequiresGrad) return;
            fixed (float* pdy = y.GradSpan, pdx = x.GradSpan)
            {
                nint ady = (nint)pdy, adx = (nint)pdx;
                Par.For(x.Size, 32768, (s, e) => DropoutMask.Apply(new ReadOnlySpan<float>((float*)ady + s, e - s), new Span<float>((float*)adx + s, e - s), seed, counter + (ulong)s, p, accumulate: true));
            }
        });
    }
}
