using System.Runtime.CompilerServices;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors.Tests.Support;

/// <summary>
/// The test run's edge: <c>MW_GEMM=avx2|avx512|openblas|scalar|managed</c> runs every test (PyTorch fixtures, gradient
/// checks) on that GEMM backend, as the CLI does; a value this machine cannot run fails the run with the setting's error.
/// </summary>
internal static class GemmSetting
{
    [ModuleInitializer]
    internal static void FromEnvironment() => Gemm.UseSetting(Environment.GetEnvironmentVariable("MW_GEMM"), "MW_GEMM");
}
