using System.Numerics.Tensors;

namespace MotionWorkbench.Tensors;

// Row gather: x viewed as (R, C) over its first axis; out[i] = x[index[i]], shape (n, ...rest) or a given shape.
//   dx[index[i]] += dOut[i]  (rows picked twice accumulate twice)
// Embedding lookup is the same op with token ids and an output shape (B, L, C).
public static partial class Ops
{
    /// <summary>Rows <paramref name="index"/> of <paramref name="x"/> along axis 0.</summary>
    public static Tensor IndexSelect(Tensor x, ReadOnlySpan<int> index)
    {
        var shape = (int[])x.Shape.Clone();
        shape[0] = index.Length;
        return Gather(x, index, shape, "index_select");
    }

    /// <summary>Embedding lookup: <paramref name="table"/> (V, C), ids (any shape given by <paramref name="idShape"/>) -> (idShape..., C).</summary>
    public static Tensor Embedding(Tensor table, ReadOnlySpan<int> ids, params int[] idShape)
    {
        if (table.Rank != 2) throw new ArgumentException($"Embedding: table must be (V, C), got {Tensor.Format(table.Shape)}");
        if (Tensor.ShapeSize(idShape) != ids.Length) throw new ArgumentException($"Embedding: {ids.Length} ids do not fill id shape {Tensor.Format(idShape)}");
        return Gather(table, ids, [.. idShape, table.Shape[1]], "embedding");
    }

    private static Tensor Gather(Tensor x, ReadOnlySpan<int> index, int[] shape, string op)
    {
        int rows = x.Shape[0], C = x.Size / Math.Max(1, rows);
        var idx = index.ToArray();
        var y = Tensor.Pooled(shape);
        var xs = x.Data; var ys = y.Data;
        for (int i = 0; i < idx.Length; i++)
        {
            if ((uint)idx[i] >= (uint)rows) throw new ArgumentOutOfRangeException(nameof(index), $"{op}: index {idx[i]} at position {i} is outside [0, {rows}) for {Tensor.Format(x.Shape)}");
            xs.Slice(idx[i] * C, C).CopyTo(ys.Slice(i * C, C));
        }
        return y.Record(op, [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var dx = x.GradSpan;
            for (int i = 0; i < idx.Length; i++)
            {
                var row = dx.Slice(idx[i] * C, C);
                TensorPrimitives.Add(row, dy.Slice(i * C, C), row);
            }
        });
    }
}
