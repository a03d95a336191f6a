using MotionWorkbench.Patches;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// A training refused or failed before its first step leaves the world as it found it (issue 28): a run folder it
/// created is gone, a folder that existed keeps exactly its files and their bytes; the Lex pipeline's folder too; and a
/// run folder without its statistics is not evaluated with the dataset's.
/// </summary>
[Collection("synth")]
public sealed class RefusedRunLeftoverTests(SynthFixture fx)
{
    [Fact]
    public void Train_RefusedBeforeTheFirstStep_LeavesNoRunFolder()
    {
        string dir = fx.NewRunDir("refused");
        var config = fx.Tiny(epochs: 1) with { Data = fx.Tiny().Data with { TrainSplit = "nosuch" } };
        var e = Assert.Throws<KeyNotFoundException>(() => new Trainer(config, dir).Run());
        Assert.Contains("no split 'nosuch'", e.Message);
        Assert.False(Directory.Exists(dir), $"the refused run left {dir}: {string.Join(", ", Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir) : [])}");
    }

    [Fact]
    public void Train_RefusedInAnExistingFolder_KeepsItsFilesAndBytesAndAddsNothing()
    {
        string dir = fx.NewRunDir("existing");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(dir, RunConfig.FileName), "{ \"a failed attempt's\": true }");
        File.WriteAllText(Path.Combine(dir, Trainer.LogFileName), "the earlier log\n");
        var config = fx.Tiny(epochs: 1) with { Train = fx.Tiny().Train with { InitFrom = Path.Combine(fx.Root, "no-such-run") } };
        Assert.ThrowsAny<Exception>(() => new Trainer(config, dir).Run());
        Assert.Equal([RunConfig.FileName, "notes.txt", Trainer.LogFileName], Directory.GetFileSystemEntries(dir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "notes.txt")));
        Assert.Equal("{ \"a failed attempt's\": true }", File.ReadAllText(Path.Combine(dir, RunConfig.FileName)));
        Assert.Equal("the earlier log\n", File.ReadAllText(Path.Combine(dir, Trainer.LogFileName)));
    }

    [Fact]
    public void Train_AfterItsFirstStep_KeepsTheRunFolderOfAnInterruptedRun()
    {
        string dir = fx.NewRunDir("kept");
        var r = new Trainer(fx.Tiny(epochs: 1), dir) { StepCallback = _ => false }.Run();
        Assert.False(r.Completed);
        Assert.True(File.Exists(Path.Combine(dir, "last.safetensors")));
    }

    [Fact]
    public void LexPipeline_RefusedFromADenseRun_LeavesNoPipelineFolder()
    {
        string dense = fx.NewRunDir("dense");
        Assert.True(new Trainer(fx.Tiny(epochs: 1) with { Model = SynthFixture.TinyModelOf("vit") }, dense) { LogSteps = false }.Run().Completed);
        string outDir = fx.NewRunDir("lex-from-dense");
        var config = fx.Tiny(epochs: 1) with { Model = SynthFixture.TinyModelOf("lex"), Train = fx.Tiny().Train with { InitFrom = dense } };
        Assert.ThrowsAny<Exception>(() => LexPipeline.Run(config, outDir, ["cmlp"]));
        Assert.False(Directory.Exists(outDir), "the refused pipeline left " + outDir);
    }

    [Theory]
    [InlineData("", "names no phase")]
    [InlineData("cmlp,mlm", "list them in that order (mlm,cmlp)")]
    public void LexPipeline_PhasesEmptyOrReordered_AreRefused(string phases, string expected)
    {
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => LexPipeline.ParsePhases(phases)).Message);
    }

    [Fact]
    public void Eval_RunFolderWithoutItsStatistics_IsRefusedNamingThem()
    {
        string dir = fx.NewRunDir("no-stats");
        Assert.True(new Trainer(fx.Tiny(epochs: 1), dir) { LogSteps = false }.Run().Completed);
        File.Delete(Path.Combine(dir, MotionStatistics.StdFileName));
        var e = Assert.Throws<FileNotFoundException>(() => RunEvaluation.Run(dir));
        Assert.Contains("the run's statistics are missing", e.Message);
        Assert.Contains(dir, e.Message);
    }
}
