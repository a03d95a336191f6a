using System.Numerics.Tensors;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors;

// Linear layer, PyTorch layout: y = x·Wᵀ + b.
//   x: (..., In) viewed as R rows; W: (Out, In); b: (Out) or none; y: (..., Out).
//   dX += dY·W (R, In);  dW += dYᵀ·X (Out, In);  db += Σ_rows dY.
// LinearGelu fuses the bias, an exact GELU and optionally dropout: y = dropout(gelu(x·Wᵀ + b)); it caches the
//   pre-activation z (R, Out) and backward first turns dY into dZ = mask(dY)·gelu'(z) in a pooled buffer (the mask is
//   regenerated from its seed).
public static partial class Ops
{
    /// <summary>x·Wᵀ + b.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias) => LinearCore(x, weight, bias, gelu: false, 0f, null);

    /// <summary>dropout(gelu(x·Wᵀ + b)), fused: one pass over the output, no separate GELU or dropout node.</summary>
    public static Tensor LinearGelu(Tensor x, Tensor weight, Tensor? bias, float dropout = 0f, DropoutRng? rng = null)
    {
        if (dropout < 0 || dropout >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), $"LinearGelu: dropout must be in [0, 1), got {dropout}");
        if (dropout > 0 && rng is null) throw new ArgumentException("LinearGelu: dropout > 0 needs a DropoutRng");
        return LinearCore(x, weight, bias, gelu: true, dropout, rng);
    }

    private static unsafe Tensor LinearCore(Tensor x, Tensor weight, Tensor? bias, bool gelu, float dropout, DropoutRng? rng)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Linear: weight must be (Out, In), got {Tensor.Format(weight.Shape)}");
        int Out = weight.Shape[0], In = weight.Shape[1];
        if (x.Dim(-1) != In) throw new ArgumentException($"Linear: input {Tensor.Format(x.Shape)} does not end in In={In} of weight {Tensor.Format(weight.Shape)}");
        if (bias is not null && (bias.Rank != 1 || bias.Size != Out)) throw new ArgumentException($"Linear: bias {Tensor.Format(bias.Shape)} must be ({Out}) for weight {Tensor.Format(weight.Shape)}");
        int R = x.Size / In;
        var shape = (int[])x.Shape.Clone();
        shape[^1] = Out;
        var y = Tensor.Pooled(shape);
        bool rec = Tensor.Recording(x, weight) || (bias?.RequiresGrad ?? false);
        float[]? z = gelu && rec ? y.RentCache(R * Out) : null;
        ulong seed = rng?.Seed ?? 0, counter = dropout > 0 ? rng!.Reserve((long)R * Out) : 0;
        fixed (float* px = x.Data, pw = weight.Data, py = y.Data)
        {
            nint ax = (nint)px, aw = (nint)pw, ay = (nint)py;
            float[]? biasArr = bias?.DataArray; int biasAt = bias?.DataOffset ?? 0;
            // one pass per row block: bias fill, GEMM, then the GELU epilogue while the block is hot in cache
            Par.For(R, 64, 2, (s, e) =>
            {
                float* yb = (float*)ay + (long)s * Out;
                int rows = e - s;
                var yspan = new Span<float>(yb, rows * Out);
                if (biasArr is null) yspan.Clear();
                else
                {
                    var brow = new ReadOnlySpan<float>(biasArr, biasAt, Out);
                    for (int r = 0; r < rows; r++) brow.CopyTo(yspan.Slice(r * Out, Out));
                }
                Gemm.Serial(false, true, rows, Out, In, 1f, (float*)ax + (long)s * In, In, (float*)aw, In, 1f, yb, Out);
                if (gelu)
                {
                    if (z is not null) yspan.CopyTo(z.AsSpan(s * Out, rows * Out));
                    GeluForward(yspan, yspan);
                    if (dropout > 0) DropoutMask.Apply(yspan, yspan, seed, counter + (ulong)s * (ulong)Out, dropout, accumulate: false);
                }
            });
        }
        var parents = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return y.Record(gelu ? "linear_gelu" : "linear", parents, () =>
        {
            float[]? dzPooled = null;
            Span<float> dY = y.GradSpan;
            if (gelu)
            {
                dzPooled = BufferPool.Rent(R * Out, clear: false);
                fixed (float* pdy = dY, pz = z!, pdz = dzPooled)
                {
                    nint ady = (nint)pdy, az = (nint)pz, adz = (nint)pdz;
                    Par.For(R * Out, 16384, (s, e) =>
                    {
                        var dz = new Span<float>((float*)adz + s, e - s);
                        var dy = new ReadOnlySpan<float>((float*)ady + s, e - s);
                        if (dropout > 0)
                        {
                            DropoutMask.Apply(dy, dz, seed, counter + (ulong)s, dropout, accumulate: false);
                            dy = dz;
                        }
                        GeluBackwardInto(dy, new ReadOnlySpan<float>((float*)az + s, e - s), dz);
                    });
                }
                dY = dzPooled;
            }
            LinearBackward(dY, x, weight, bias, R, In, Out);
            if (dzPooled is not null) BufferPool.Return(dzPooled);
        });
    }

    internal static unsafe void LinearBackward(ReadOnlySpan<float> dY, Tensor x, Tensor weight, Tensor? bias, int R, int In, int Out)
    {
        fixed (float* pdy = dY, px = x.Data, pw = weight.Data)
        {
            if (x.RequiresGrad)
                fixed (float* pdx = x.GradSpan) Gemm.Run(false, false, R, In, Out, 1f, pdy, Out, pw, In, 1f, pdx, In);
            if (weight.RequiresGrad)
                fixed (float* pdw = weight.GradSpan) Gemm.Run(true, false, Out, In, R, 1f, pdy, Out, px, In, 1f, pdw, In);
        }
        if (bias is not null && bias.RequiresGrad)
        {
            // dBias += Σ_rows dY, the columns split over the threads
            fixed (float* pdy = dY, pdb = bias.GradSpan)
            {
                nint ady = (nint)pdy, adb = (nint)pdb;
                Par.For(Out, 64, 1, (s, e) =>
                {
                    var db = new Span<float>((float*)adb + s, e - s);
                    for (int r = 0; r < R; r++) TensorPrimitives.Add(db, new ReadOnlySpan<float>((float*)ady + (long)r * Out + s, e - s), db);
                });
            }
        }
    }
}
