using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Testing;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// Run folders written by main before issue 26's restructuring (Fixtures/runs-0d055ac: a dense ViT run, a Lex run over
/// the captions' word pieces and a two-person run) load into the same models and evaluate to the figures that main's <c>mw eval --json</c> printed.
/// </summary>
public sealed class CheckpointFormatTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "mw-checkpoint-format-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string FixtureDir(string name) => Path.Combine(SharedData.RepoRoot, "tests", "MotionWorkbench.Training.Tests", "Fixtures", "runs-0d055ac", name);

    [Theory]
    [InlineData("vit")]
    [InlineData("lex")]
    [InlineData("interaction")]
    public void Runs_of_main_evaluate_to_the_figures_main_printed(string name)
    {
        string data = Path.Combine(root, "data"), run = Path.Combine(root, name);
        // mw data synth --count 40 --seed 3 (with --interactions for the two-person run), as the fixture's README says
        if (name == "interaction") SyntheticInteractions.Write(data, new InteractionOptions { Count = 40, Seed = 3, Mirrors = true });
        else SyntheticMotions.Write(data, new SynthOptions { Count = 40, Seed = 3 });
        Directory.CreateDirectory(run);
        foreach (var file in Directory.GetFiles(FixtureDir(name))) File.Copy(file, Path.Combine(run, Path.GetFileName(file)));

        var evaluation = RunEvaluation.Run(run, data, split: "train", protocols: [RetrievalProtocols.All]);
        var lines = evaluation.Results.Select(r => r.ToJson()).ToList();
        if (evaluation.Sparsity is not null) lines.Add(new System.Text.Json.Nodes.JsonObject { ["sparsity"] = evaluation.Sparsity.ToJson() }.ToJsonString());
        Assert.Equal(File.ReadAllLines(Path.Combine(run, "eval-train-all.json")), lines);
        Assert.Equal(name == "lex", evaluation.Sparsity is not null);
    }
}
