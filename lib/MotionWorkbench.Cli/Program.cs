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
root.Subcommands.Add(ProbeCommand.Create());
root.Subcommands.Add(SearchCommand.Create());
root.Subcommands.Add(CaptionCommand.Create());
root.Subcommands.Add(ExplainCommand.Create());
root.Subcommands.Add(LexCommand.Create());
root.Subcommands.Add(IndexCommand.Create());
root.Subcommands.Add(ClassifyCommand.Create());
root.Subcommands.Add(WeightsCommand.Create());
root.Subcommands.Add(QuickstartCommand.Create());

// Settings come from the environment only here, at the edge (library code reads none): MW_GEMM forces a GEMM backend,
// MW_CONV a convolution algorithm, MW_THREADS sets the engine threads (a verb's --threads wins; see EngineThreads).
try
{
    MotionWorkbench.Tensors.Kernels.Gemm.UseSetting(Environment.GetEnvironmentVariable("MW_GEMM"), "MW_GEMM");
    MotionWorkbench.Tensors.Kernels.Winograd.UseSetting(Environment.GetEnvironmentVariable("MW_CONV"), "MW_CONV");
    EngineThreads.FromEnvironment(Environment.GetEnvironmentVariable(EngineThreads.Variable));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"mw: {e.Message}");
    return 2;
}

var parse = root.Parse(args);
string verb = EngineThreads.VerbName(parse);
// Bad usage (an unknown option, a missing or malformed value) is exit 2 on every verb, with the parser's words.
if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
{
    // An option the verb does not have is named as such (the parser may have taken it for an argument), with near names.
    var options = parse.CommandResult.Command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Concat(["--help", "--version"]).ToHashSet(StringComparer.Ordinal);
    foreach (var token in args.TakeWhile(a => a != "--").Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0]).Distinct())
    {
        if (options.Contains(token)) continue;
        string bare = token.TrimStart('-');
        var near = options.Where(o => bare.Length > 1 && (o.Contains(bare, StringComparison.OrdinalIgnoreCase) || bare.Contains(o.TrimStart('-'), StringComparison.OrdinalIgnoreCase))).Order(StringComparer.Ordinal).ToList();
        Console.Error.WriteLine($"{verb}: unknown option '{token}'{(near.Count > 0 ? $" (did you mean {string.Join(" or ", near)}?)" : "")}");
    }
    foreach (var error in parse.Errors) Console.Error.WriteLine($"{verb}: {error.Message}");
    Console.Error.WriteLine($"{verb}: see '{verb} --help' for the options");
    return CliErrors.BadInput;
}
if (parse.Errors.Count == 0)
{
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
// The one place where an exception no verb caught ends the command: one line (its stack with MW_DEBUG=1) and the exit
// code of its kind (CliErrors: 2 bad input, 1 failed work, 130 interrupted), never System.CommandLine's stack dump.
try
{
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    return CliErrors.Unexpected(verb, e);
}
