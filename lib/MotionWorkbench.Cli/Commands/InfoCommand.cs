using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Cli.Commands;

/// <summary><c>mw info</c>: versions and the machine this runs on (CPU, instruction sets, the GEMM backend in use and why).</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the workbench version, runtime and machine facts.");
        command.Options.Add(ThreadsOption.Create("Show what this engine thread count would give (as every computing verb's --threads)"));
        command.SetAction(_ =>
        {
            var version = Assembly.GetExecutingAssembly().GetName().Version;
            Console.WriteLine($"MotionWorkbench {version}");
            Console.WriteLine($".NET {Environment.Version} on {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
            Console.WriteLine($"logical processors: {Environment.ProcessorCount}");
            Console.WriteLine($"CPU allowance: {MotionWorkbench.Tensors.CpuAllowance.Read()}");
            Console.WriteLine($"engine threads: {MotionWorkbench.Tensors.Par.Setting}");
            Console.WriteLine($"CPU: {CpuInfo.Current}");
            Console.WriteLine($"GEMM: {Gemm.Describe()}");
            Console.WriteLine($"convolutions: {Winograd.Describe()}");
            Console.WriteLine(MotionWorkbench.Torch.TorchRuntime.Describe());
            return 0;
        });
        return command;
    }
}
