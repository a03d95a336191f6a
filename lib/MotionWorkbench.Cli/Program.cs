using System.CommandLine;
using MotionWorkbench.Cli;
using MotionWorkbench.Cli.Commands;
using MotionWorkbench.Torch;

// The engine is chosen at the edge: mw trains with train.engine = torch through MotionWorkbench.Torch.
TorchEngine.Register();

var root = new RootCommand("mw: MotionWorkbench, a workbench for 3D human motion-language models with motion patches.");

// One line per verb; each verb lives in its own file under Commands/.
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(DataCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(PatchesCommand.Create());
root.Subcommands.Add(TokenizeCommand.Create());
root.Subcommands.Add(NotebookCommand.Create());
root.Subcommands.Add(EncodeCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(SearchCommand.Create());
root.Subcommands.Add(CaptionCommand.Create());
root.Subcommands.Add(ExplainCommand.Create());
root.Subcommands.Add(LexCommand.Create());
root.Subcommands.Add(IndexCommand.Create());
root.Subcommands.Add(ClassifyCommand.Create());
root.Subcommands.Add(WeightsCommand.Create());
root.Subcommands.Add(QuickstartCommand.Create());

// Settings come from the environment only here, at the edge (library code reads none): MW_GEMM forces a GEMM backend,
// MW_THREADS sets the engine threads (a verb's --threads wins; see EngineThreads).
try
{
    MotionWorkbench.Tensors.Kernels.Gemm.UseSetting(Environment.GetEnvironmentVariable("MW_GEMM"), "MW_GEMM");
    EngineThreads.FromEnvironment(Environment.GetEnvironmentVariable(EngineThreads.Variable));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"mw: {e.Message}");
    return 2;
}

var parse = root.Parse(args);
if (parse.Errors.Count == 0)
{
    string verb = EngineThreads.VerbName(parse);
    try
    {
        EngineThreads.FromCommandLine(parse);
        if (parse.CommandResult.Command.Options.OfType<ThreadsOption>().Any() && EngineThreads.OversubscriptionNote() is { } note) Console.Error.WriteLine($"{verb}: {note}");
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"{verb}: {e.Message}");
        return 2;
    }
}
return parse.Invoke();
