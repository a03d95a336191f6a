namespace MotionWorkbench.Tensors;

// Shape ops.
//   Reshape: same data, new shape (a view: shares the parent's storage); dx += dy.
//   Permute: y[..., i_perm] = x[...] (a copy); dx += inverse-permute(dy).  Transpose swaps two axes (composite).
//   Slice:   y = x[start : start + length] along an axis (a copy); dx[slice] += dy.
//   Concat:  y = [x₀, x₁, …] along an axis (a copy); dxᵢ += dy[part i].
public static partial class Ops
{
    /// <summary>A view with another shape (one dimension may be -1).</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        shape = (int[])shape.Clone();
        int infer = Array.IndexOf(shape, -1);
        if (infer >= 0)
        {
            int known = 1;
            for (int i = 0; i < shape.Length; i++) if (i != infer) known *= shape[i];
            shape[infer] = known == 0 ? 0 : x.Size / known;
        }
        if (Tensor.ShapeSize(shape) != x.Size) throw new ArgumentException($"Reshape: {Tensor.Format(x.Shape)} ({x.Size} elements) cannot become {Tensor.Format(shape)}");
        var y = x.ShareAs(shape);
        return y.Record("reshape", [x], () =>
        {
            if (!x.RequiresGrad) return;
            System.Numerics.Tensors.TensorPrimitives.Add(x.GradSpan, y.GradSpan, x.GradSpan);
        });
    }

    /// <summary>Reorders the axes: output axis i is input axis perm[i].</summary>
    public static Tensor Permute(Tensor x, params int[] perm)
    {
        int rank = x.Rank;
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
            throw new ArgumentException($"Permute: {Tensor.Format(perm)} is not a permutation of the {rank} axes of {Tensor.Format(x.Shape)}");
        var outShape = perm.Select(p => x.Shape[p]).ToArray();
        var inStrides = Strides(x.Shape);
        var map = new int[x.Size];
        var idx = new int[rank];
        for (int k = 0; k < map.Length; k++)
        {
            int off = 0;
            for (int i = 0; i < rank; i++) off += idx[i] * inStrides[perm[i]];
            map[k] = off;
            for (int i = rank - 1; i >= 0; i--)
            {
                if (++idx[i] < outShape[i]) break;
                idx[i] = 0;
            }
        }
        var y = Tensor.Pooled(outShape);
        var xs = x.Data; var ys = y.Data;
        for (int k = 0; k < map.Length; k++) ys[k] = xs[map[k]];
        return y.Record("permute", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var dx = x.GradSpan;
            for (int k = 0; k < map.Length; k++) dx[map[k]] += dy[k];
        });
    }

    /// <summary>Swaps two axes (a copy).</summary>
    public static Tensor Transpose(Tensor x, int axis0, int axis1)
    {
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        int a = axis0 < 0 ? x.Rank + axis0 : axis0, b = axis1 < 0 ? x.Rank + axis1 : axis1;
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(x, perm);
    }

    /// <summary>x[start : start + length] along <paramref name="axis"/>.</summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        var (outer, n, inner, _) = SplitAxis(x, axis, "Slice");
        if (start < 0 || length < 0 || start + length > n) throw new ArgumentOutOfRangeException(nameof(start), $"Slice: [{start}, {start + length}) is outside axis {axis} of {Tensor.Format(x.Shape)}");
        var shape = (int[])x.Shape.Clone();
        shape[axis < 0 ? x.Rank + axis : axis] = length;
        var y = Tensor.Pooled(shape);
        for (int o = 0; o < outer; o++) x.Data.Slice((o * n + start) * inner, length * inner).CopyTo(y.Data.Slice(o * length * inner, length * inner));
        return y.Record("slice", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var dx = x.GradSpan;
            for (int o = 0; o < outer; o++)
            {
                var dst = dx.Slice((o * n + start) * inner, length * inner);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, dy.Slice(o * length * inner, length * inner), dst);
            }
        });
    }

    /// <summary>Concatenation along <paramref name="axis"/>; other dimensions must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> parts, int axis)
    {
        if (parts.Count == 0) throw new ArgumentException("Concat: no tensors");
        var first = parts[0];
        int a = axis < 0 ? first.Rank + axis : axis;
        foreach (var p in parts)
            if (p.Rank != first.Rank || Enumerable.Range(0, first.Rank).Any(i => i != a && p.Shape[i] != first.Shape[i]))
                throw new ArgumentException($"Concat: {Tensor.Format(p.Shape)} does not match {Tensor.Format(first.Shape)} outside axis {axis}");
        var shape = (int[])first.Shape.Clone();
        shape[a] = parts.Sum(p => p.Shape[a]);
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= shape[i];
        for (int i = a + 1; i < shape.Length; i++) inner *= shape[i];
        int total = shape[a];
        var y = Tensor.Pooled(shape);
        var arr = parts.ToArray();
        int at = 0;
        foreach (var p in arr)
        {
            int n = p.Shape[a];
            for (int o = 0; o < outer; o++) p.Data.Slice(o * n * inner, n * inner).CopyTo(y.Data.Slice((o * total + at) * inner, n * inner));
            at += n;
        }
        return y.Record("concat", arr, () =>
        {
            var dy = y.GradSpan;
            int at2 = 0;
            foreach (var p in arr)
            {
                int n = p.Shape[a];
                if (p.RequiresGrad)
                {
                    var dp = p.GradSpan;
                    for (int o = 0; o < outer; o++)
                    {
                        var dst = dp.Slice(o * n * inner, n * inner);
                        System.Numerics.Tensors.TensorPrimitives.Add(dst, dy.Slice((o * total + at2) * inner, n * inner), dst);
                    }
                }
                at2 += n;
            }
        });
    }

    private static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = stride; stride *= shape[i]; }
        return s;
    }
}
