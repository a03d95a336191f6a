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

/// <summary>Output paths are checked before any work, with a message that says what is wrong with the path.</summary>
public class OutputPathTests
{
    private static string NewTemp()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string Notebook(string dir)
    {
        string nb = Path.Combine(dir, "n.ipynb");
        File.WriteAllText(nb, """
            {"cells":[{"cell_type":"code","id":"c1","metadata":{"dotnet_interactive":{"language":"csharp"}},"source":["System.IO.File.WriteAllText(\"ran.txt\", \"x\");"],"outputs":[],"execution_count":null}],
             "metadata":{"kernelspec":{"display_name":".NET (C#)","language":"C#","name":".net-csharp"},"language_info":{"name":"polyglot-notebook"}},"nbformat":4,"nbformat_minor":5}
            """);
        return nb;
    }

    [Fact]
    public void Notebook_run_refuses_an_html_path_below_a_regular_file_before_running_a_cell()
    {
        string dir = NewTemp();
        try
        {
            string nb = Notebook(dir);
            File.WriteAllText(Path.Combine(dir, "plain"), "x");
            var r = Mw.RunIn(dir, "notebook", "run", nb, "--html", Path.Combine(dir, "plain", "report.html"));
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("is a regular file", r.Stderr);
            Assert.False(File.Exists(Path.Combine(dir, "ran.txt")), "a cell ran although the report could never be written");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Train_out_below_a_regular_file_says_so()
    {
        string dir = NewTemp();
        try
        {
            File.WriteAllText(Path.Combine(dir, "plain"), "x");
            var r = Mw.Run("train", "--preset", "Smoke", "--out", Path.Combine(dir, "plain", "run"));
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("is a regular file, so no folder can be made below it", r.Stderr);
            Assert.DoesNotContain("already exists", r.All);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Train_out_in_an_unwritable_place_says_it_is_not_writable()
    {
        // the tests run as root, for whom chmod does not make a folder unwritable; /proc refuses new files to everyone
        Assert.True(Directory.Exists("/proc"), "this test needs Linux's /proc");
        var r = Mw.Run("train", "--preset", "Smoke", "--out", "/proc/mw-unwritable-" + Guid.NewGuid().ToString("N")[..8] + "/run");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/proc is not writable", r.Stderr);
        Assert.DoesNotContain("already exists", r.All);
        Assert.DoesNotContain("   at ", r.All); // one line, no stack trace
    }
}
