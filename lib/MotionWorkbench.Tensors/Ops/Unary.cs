using System.Numerics.Tensors;

namespace MotionWorkbench.Tensors;

// Pointwise ops, y = f(x), same shape in and out:
//   Scale:  y = s·x          dx += s·dy
//   Exp:    y = e^x          dx += dy·y          (caches y = the output)
//   Log:    y = ln x         dx += dy / x
//   Log1p:  y = ln(1 + x)    dx += dy / (1 + x)
//   Relu:   y = max(x, 0)    dx += dy·[x > 0]
//   Tanh:   y = tanh x       dx += dy·(1 - y²)
// GELU lives in Gelu.cs (its own kernels).
public static partial class Ops
{
    /// <summary>s·x.</summary>
    public static Tensor Scale(Tensor x, float s)
    {
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        TensorPrimitives.Multiply(x.Data, s, y.Data);
        return y.Record("scale", [x], () =>
        {
            if (x.RequiresGrad) TensorPrimitives.MultiplyAdd(y.GradSpan, s, x.GradSpan, x.GradSpan);
        });
    }

    /// <summary>e^x.</summary>
    public static Tensor Exp(Tensor x)
    {
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        TensorPrimitives.Exp(x.Data, y.Data);
        return y.Record("exp", [x], () =>
        {
            if (x.RequiresGrad) TensorPrimitives.MultiplyAdd(y.GradSpan, y.Data, x.GradSpan, x.GradSpan);
        });
    }

    /// <summary>Natural log.</summary>
    public static Tensor Log(Tensor x)
    {
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        TensorPrimitives.Log(x.Data, y.Data);
        return y.Record("log", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var xs = x.Data; var dx = x.GradSpan;
            for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] / xs[i];
        });
    }

    /// <summary>ln(1 + x).</summary>
    public static Tensor Log1p(Tensor x)
    {
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        var xs = x.Data; var ys = y.Data;
        for (int i = 0; i < ys.Length; i++) ys[i] = (float)Math.Log(1.0 + xs[i]);
        return y.Record("log1p", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var xd = x.Data; var dx = x.GradSpan;
            for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] / (1f + xd[i]);
        });
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x)
    {
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        TensorPrimitives.Max(x.Data, 0f, y.Data);
        return y.Record("relu", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var xd = x.Data; var dx = x.GradSpan;
            for (int i = 0; i < dx.Length; i++) if (xd[i] > 0) dx[i] += dy[i];
        });
    }

    /// <summary>tanh x.</summary>
    public static Tensor Tanh(Tensor x)
    {
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        TensorPrimitives.Tanh(x.Data, y.Data);
        return y.Record("tanh", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var yd = y.Data; var dx = x.GradSpan;
            for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * (1f - yd[i] * yd[i]);
        });
    }
}
