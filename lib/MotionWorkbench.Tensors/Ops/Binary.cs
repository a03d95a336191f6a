using System.Numerics.Tensors;

namespace MotionWorkbench.Tensors;

// Elementwise binary ops with NumPy broadcasting: out = a ∘ b for ∘ in {+, -, ·, /}.
//   Add: dA += dOut, dB += dOut.     Sub: dA += dOut, dB -= dOut.
//   Mul: dA += dOut·b, dB += dOut·a.  Div: dA += dOut/b, dB -= dOut·a/b².
// Gradients of broadcast inputs are summed over the broadcast dimensions.
// Fast paths: equal shapes; b broadcast along leading dims (b's shape is a suffix of out's, e.g. a bias (C) over (B, L, C)).
// Nothing is cached beyond the inputs.
public static partial class Ops
{
    internal enum BinaryKind { Add, Sub, Mul, Div }

    /// <summary>a + b (broadcasting).</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary(a, b, BinaryKind.Add, "add");

    /// <summary>a - b (broadcasting).</summary>
    public static Tensor Sub(Tensor a, Tensor b) => Binary(a, b, BinaryKind.Sub, "sub");

    /// <summary>a · b elementwise (broadcasting).</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Binary(a, b, BinaryKind.Mul, "mul");

    /// <summary>a / b elementwise (broadcasting).</summary>
    public static Tensor Div(Tensor a, Tensor b) => Binary(a, b, BinaryKind.Div, "div");

    private static Tensor Binary(Tensor a, Tensor b, BinaryKind kind, string name)
    {
        var plan = BroadcastPlan.Create(a.Shape, b.Shape, name);
        var output = Tensor.Pooled(plan.OutShape);
        BinaryForward(a.Data, b.Data, output.Data, plan, kind);
        return output.Record(name, [a, b], () =>
        {
            var dOut = output.GradSpan;
            if (a.RequiresGrad) BinaryBackwardA(dOut, a.Data, b.Data, a.GradSpan, plan, kind);
            if (b.RequiresGrad) BinaryBackwardB(dOut, a.Data, b.Data, b.GradSpan, plan, kind);
        });
    }

    private static float Apply(BinaryKind kind, float x, float y) => kind switch
    {
        BinaryKind.Add => x + y,
        BinaryKind.Sub => x - y,
        BinaryKind.Mul => x * y,
        _ => x / y,
    };

    internal static void BinaryForward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output, BroadcastPlan plan, BinaryKind kind)
    {
        if (plan.Same)
        {
            switch (kind)
            {
                case BinaryKind.Add: TensorPrimitives.Add(a, b, output); break;
                case BinaryKind.Sub: TensorPrimitives.Subtract(a, b, output); break;
                case BinaryKind.Mul: TensorPrimitives.Multiply(a, b, output); break;
                default: TensorPrimitives.Divide(a, b, output); break;
            }
            return;
        }
        if (plan.BSuffix)
        {
            int cols = b.Length;
            for (int r = 0; r < output.Length / cols; r++)
            {
                var ar = a.Slice(r * cols, cols);
                var orow = output.Slice(r * cols, cols);
                switch (kind)
                {
                    case BinaryKind.Add: TensorPrimitives.Add(ar, b, orow); break;
                    case BinaryKind.Sub: TensorPrimitives.Subtract(ar, b, orow); break;
                    case BinaryKind.Mul: TensorPrimitives.Multiply(ar, b, orow); break;
                    default: TensorPrimitives.Divide(ar, b, orow); break;
                }
            }
            return;
        }
        for (int i = 0; i < output.Length; i++) output[i] = Apply(kind, a[plan.IndexA is null ? i : plan.IndexA[i]], b[plan.IndexB![i]]);
    }

    internal static void BinaryBackwardA(ReadOnlySpan<float> dOut, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dA, BroadcastPlan plan, BinaryKind kind)
    {
        if (plan.Same)
        {
            switch (kind)
            {
                case BinaryKind.Add or BinaryKind.Sub: TensorPrimitives.Add(dA, dOut, dA); return;
                case BinaryKind.Mul: TensorPrimitives.FusedMultiplyAdd(dOut, b, dA, dA); return;
            }
        }
        if (plan.BSuffix && kind is BinaryKind.Add or BinaryKind.Sub)
        {
            TensorPrimitives.Add(dA, dOut, dA);
            return;
        }
        for (int i = 0; i < dOut.Length; i++)
        {
            int ia = plan.IndexA is null ? i : plan.IndexA[i];
            int ib = plan.Same ? i : plan.BSuffix ? i % b.Length : plan.IndexB![i];
            dA[ia] += kind switch
            {
                BinaryKind.Add or BinaryKind.Sub => dOut[i],
                BinaryKind.Mul => dOut[i] * b[ib],
                _ => dOut[i] / b[ib],
            };
        }
    }

    internal static void BinaryBackwardB(ReadOnlySpan<float> dOut, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dB, BroadcastPlan plan, BinaryKind kind)
    {
        if (plan.Same)
        {
            switch (kind)
            {
                case BinaryKind.Add: TensorPrimitives.Add(dB, dOut, dB); return;
                case BinaryKind.Sub: TensorPrimitives.Subtract(dB, dOut, dB); return;
                case BinaryKind.Mul: TensorPrimitives.FusedMultiplyAdd(dOut, a, dB, dB); return;
            }
        }
        if (plan.BSuffix && kind is BinaryKind.Add)
        {
            int cols = b.Length;
            for (int r = 0; r < dOut.Length / cols; r++) TensorPrimitives.Add(dB, dOut.Slice(r * cols, cols), dB);
            return;
        }
        for (int i = 0; i < dOut.Length; i++)
        {
            int ia = plan.IndexA is null ? i : plan.IndexA[i];
            int ib = plan.Same ? i : plan.BSuffix ? i % b.Length : plan.IndexB![i];
            dB[ib] += kind switch
            {
                BinaryKind.Add => dOut[i],
                BinaryKind.Sub => -dOut[i],
                BinaryKind.Mul => dOut[i] * a[ia],
                _ => -dOut[i] * a[ia] / (b[ib] * b[ib]),
            };
        }
    }
}

/// <summary>How two shapes broadcast (NumPy rules, aligned from the right).</summary>
internal sealed class BroadcastPlan
{
    public required int[] OutShape { get; init; }
    public bool Same { get; init; }
    public bool BSuffix { get; init; }
    public int[]? IndexA { get; init; }
    public int[]? IndexB { get; init; }

    public static BroadcastPlan Create(int[] a, int[] b, string op)
    {
        if (a.AsSpan().SequenceEqual(b)) return new BroadcastPlan { OutShape = (int[])a.Clone(), Same = true };
        int rank = Math.Max(a.Length, b.Length);
        var outShape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = Dim(a, i, rank), db = Dim(b, i, rank);
            if (da != db && da != 1 && db != 1) throw new ArgumentException($"{op}: shapes {Tensor.Format(a)} and {Tensor.Format(b)} do not broadcast (dimension {i}: {da} vs {db})");
            outShape[i] = Math.Max(da, db);
        }
        bool aIsOut = a.Length == rank && a.AsSpan().SequenceEqual(outShape);
        int lead = 0;
        while (lead < b.Length - 1 && b[lead] == 1) lead++; // (1, L, C) against (B, L, C) is a suffix broadcast too
        var core = b.AsSpan(lead);
        if (aIsOut && core.Length > 0 && core.SequenceEqual(outShape.AsSpan(rank - core.Length)))
            return new BroadcastPlan { OutShape = outShape, BSuffix = true };
        int n = Tensor.ShapeSize(outShape);
        return new BroadcastPlan { OutShape = outShape, IndexA = aIsOut ? null : Map(a, outShape, n), IndexB = Map(b, outShape, n) };
    }

    private static int Dim(int[] s, int i, int rank) => i < rank - s.Length ? 1 : s[i - (rank - s.Length)];

    private static int[] Map(int[] s, int[] outShape, int n)
    {
        int rank = outShape.Length;
        var strides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int d = Dim(s, i, rank);
            strides[i] = d == 1 ? 0 : stride;
            stride *= d;
        }
        var map = new int[n];
        var idx = new int[rank];
        for (int k = 0; k < n; k++)
        {
            int off = 0;
            for (int i = 0; i < rank; i++) off += idx[i] * strides[i];
            map[k] = off;
            for (int i = rank - 1; i >= 0; i--)
            {
                if (++idx[i] < outShape[i]) break;
                idx[i] = 0;
            }
        }
        return map;
    }
}
