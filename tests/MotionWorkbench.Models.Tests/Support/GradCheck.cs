using MotionWorkbench.Tensors;

namespace MotionWorkbench.Models.Tests.Support;

/// <summary>
/// The engine's finite-difference gradient check (tests/MotionWorkbench.Tensors.Tests/Support/GradCheck.cs, linked into
/// this project) over named inputs: L = Σ f() ⊙ R with R a fixed seeded random tensor, accumulated in double, central
/// differences, |analytic − numeric| ≤ atol + rtol·|numeric|.
/// </summary>
public static class GradCheck
{
    public static void Run(Func<Tensor> f, IReadOnlyList<(string Name, Tensor Tensor)> inputs, int seed = 1, float h = 1e-3f, double atol = 2e-3, double rtol = 2e-2) =>
        MotionWorkbench.Tensors.Tests.Support.GradCheck.Run(_ => f(), inputs.Select(i => i.Tensor).ToArray(), seed, h, atol, rtol,
            name: "inputs [" + string.Join(", ", inputs.Select((i, k) => $"{k}: {i.Name}")) + "]");
}
