namespace MotionWorkbench.Cli.Tests;

/// <summary>First-run frictions: the commands the README shows behave as it says.</summary>
public class FirstRunTests
{
    [Fact]
    public void Train_list_keys_needs_no_run_folder()
    {
        var r = Mw.Run("train", "--list-keys");
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("train.epochs", r.Stdout);
        Assert.Contains("model.architecture", r.Stdout);
    }

    [Fact]
    public void Train_without_out_names_the_missing_option()
    {
        var r = Mw.Run("train", "--preset", "Smoke");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--out is required", r.Stderr);
        Assert.DoesNotContain("   at ", r.All);
    }
}
