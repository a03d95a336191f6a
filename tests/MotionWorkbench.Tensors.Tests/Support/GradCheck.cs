using MotionWorkbench.Tensors;

namespace MotionWorkbench.Tensors.Tests.Support;

/// <summary>
/// Finite-difference gradient check (llm.c's dout trick): L = Σ f(inputs) ⊙ R with R a fixed seeded random tensor,
/// accumulated in double; central differences with h = 1e-3 on every element (up to 256, otherwise 32 seeded random
/// coordinates per input); accepts |analytic − numeric| ≤ atol + rtol·|numeric|.
/// </summary>
public static class GradCheck
{
    public static void Run(Func<Tensor[], Tensor> f, Tensor[] inputs, int seed = 1, float h = 1e-3f, double atol = 1e-3, double rtol = 1e-2, string name = "f")
    {
        foreach (var x in inputs) { x.RequiresGrad = true; x.ZeroGrad(); }
        var output = f(inputs);
        var rng = new Random(seed);
        var r = new float[output.Size];
        for (int i = 0; i < r.Length; i++) r[i] = (float)(rng.NextDouble() * 2 - 1);
        var outShape = (int[])output.Shape.Clone();
        output.Backward(Tensor.FromArray(r, outShape));
        var analytic = inputs.Select(x => x.HasGrad ? x.Grad.ToArray() : new float[x.Size]).ToArray();

        double Loss()
        {
            using var _ = Autograd.NoGrad();
            var o = f(inputs);
            Assert.Equal(outShape, o.Shape);
            double acc = 0;
            var d = o.Data;
            for (int i = 0; i < d.Length; i++) acc += (double)d[i] * r[i];
            return acc;
        }

        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            var coords = x.Size <= 256 ? Enumerable.Range(0, x.Size).ToArray() : Enumerable.Range(0, 32).Select(_ => rng.Next(x.Size)).ToArray();
            foreach (var i in coords)
            {
                float orig = x.Data[i];
                x.Data[i] = orig + h;
                double lp = Loss();
                x.Data[i] = orig - h;
                double lm = Loss();
                x.Data[i] = orig;
                double numeric = (lp - lm) / (2 * h);
                double a = analytic[k][i];
                if (Math.Abs(a - numeric) > atol + rtol * Math.Abs(numeric))
                    Assert.Fail($"{name}: input {k} {Tensor.Format(x.Shape)} element {i}: analytic {a:G6} vs numeric {numeric:G6} (|diff| {Math.Abs(a - numeric):G3})");
            }
        }
    }

    /// <summary>Uniform [-2, 2] tensor from a seeded generator.</summary>
    public static Tensor Rand(Random rng, params int[] shape) => RandRange(rng, -2f, 2f, shape);

    public static Tensor RandRange(Random rng, float low, float high, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = low + (high - low) * (float)rng.NextDouble();
        return t;
    }
}
