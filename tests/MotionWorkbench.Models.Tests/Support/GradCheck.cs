using MotionWorkbench.Tensors;

namespace MotionWorkbench.Models.Tests.Support;

/// <summary>
/// Finite-difference gradient check, copied from the engine's tests (tests/MotionWorkbench.Tensors.Tests/Support):
/// L = Σ f() ⊙ R with R a fixed seeded random tensor, accumulated in double; central differences with step h on every
/// element of tensors up to 256 elements, otherwise on 24 seeded random coordinates; accepts
/// |analytic − numeric| ≤ atol + rtol·|numeric|. One warm-up backward runs first so every gradient buffer of the checked
/// pass comes from the engine's pool (see TestModels.Backward).
/// </summary>
public static class GradCheck
{
    public static void Run(Func<Tensor> f, IReadOnlyList<(string Name, Tensor Tensor)> inputs, int seed = 1, float h = 1e-3f, double atol = 2e-3, double rtol = 2e-2)
    {
        foreach (var (_, x) in inputs) { x.RequiresGrad = true; _ = x.Grad; x.ZeroGrad(); }
        var warm = f();
        var rng = new Random(seed);
        var r = new float[warm.Size];
        for (int i = 0; i < r.Length; i++) r[i] = (float)(rng.NextDouble() * 2 - 1);
        var outShape = (int[])warm.Shape.Clone();
        warm.Backward(Tensor.FromArray(r, outShape));
        foreach (var (_, x) in inputs) x.ZeroGrad();
        var output = f();
        output.Backward(Tensor.FromArray(r, outShape));
        var analytic = inputs.Select(x => x.Tensor.Grad.ToArray()).ToArray();

        double Loss()
        {
            using var _ = Autograd.NoGrad();
            var o = f();
            Assert.Equal(outShape, o.Shape);
            double acc = 0;
            var d = o.Data;
            for (int i = 0; i < d.Length; i++) acc += (double)d[i] * r[i];
            return acc;
        }

        for (int k = 0; k < inputs.Count; k++)
        {
            var (name, x) = inputs[k];
            var coords = x.Size <= 256 ? Enumerable.Range(0, x.Size).ToArray() : Enumerable.Range(0, 24).Select(_ => rng.Next(x.Size)).ToArray();
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
                    Assert.Fail($"{name} {Tensor.Format(x.Shape)} element {i}: analytic {a:G6} vs numeric {numeric:G6} (|diff| {Math.Abs(a - numeric):G3})");
            }
        }
    }
}
