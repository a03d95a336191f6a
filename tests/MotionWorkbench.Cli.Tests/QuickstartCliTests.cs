namespace MotionWorkbench.Cli.Tests;

/// <summary>mw quickstart on a small synthetic set: the four protocols, the confusion line and the extended summary.</summary>
public class QuickstartCliTests
{
    [Fact]
    public void Quickstart_reports_tmr_protocols_confusions_and_writes_the_extended_summary()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-qs-" + Guid.NewGuid().ToString("N"));
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run");
            var synth = Mw.Run("data", "synth", "--out", data, "--count", "300", "--seed", "3");
            Assert.True(synth.ExitCode == 0, synth.All);
            var r = Mw.Run("quickstart", "--preset", "Smoke", "--data", data, "--out", run, "--set", "train.epochs=1");
            Assert.True(r.ExitCode == 0, r.All);
            foreach (var protocol in new[] { "all ", "small-batches ", "tmr-normal ", "tmr-guo " })
                Assert.Contains("  " + protocol, r.Stdout);
            Assert.Matches(@"text->motion top-1 errors: \d+ of \d+ \([0-9.]+ %\), [0-9.]+ % of them the left/right mirror", r.Stdout);
            var html = File.ReadAllText(Path.Combine(run, "summary.html"));
            Assert.Contains("<h2>Learning-rate schedule</h2>", html);
            Assert.Contains("<h2>Motion → text examples</h2>", html);
            Assert.Contains("<h2>Most common confusions</h2>", html);
            Assert.Contains("TMR guo", html);
            Assert.Contains("class=\"chance\"", html);
            Assert.Contains("<img class=\"thumb\" src=\"data:image/png;base64,", html);
            // the minimal-pair probes: a small set generated beside the data, its table under the retrieval tables with chance marked
            Assert.True(File.Exists(Path.Combine(data + "-probes", "probes.json")), r.All);
            Assert.Contains("minimal-pair probes (chance 50 %):", r.Stdout);
            int retrieval = html.IndexOf("<h2>Retrieval</h2>", StringComparison.Ordinal), probes = html.IndexOf("<h2>Minimal-pair probes</h2>", StringComparison.Ordinal);
            Assert.True(retrieval >= 0 && probes > retrieval && probes < html.IndexOf("<h2>Training loss</h2>", StringComparison.Ordinal), "the probe table is not between the retrieval tables and the loss curve");
            foreach (var attribute in new[] { "side", "mirror", "order", "count", "pace", "direction", "action" })
                Assert.Contains($">{attribute}</td><td>20</td>", html);
            Assert.Contains("<tr class=\"chance\"><td>chance</td><td></td><td>50.0</td>", html);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Quickstart_RefusedAfterGeneratingData_ExitsTwo_AndLeavesNoNewFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-qs-late-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // the split is checked against the data, so it is refused only after the 4,000 motions were generated
            var r = Mw.Run("quickstart", "--preset", "Smoke", "--data", Path.Combine(dir, "gen", "data"), "--out", Path.Combine(dir, "runs", "qs"),
                "--set", "data.trainSplit=nosuch", "--threads", "2");
            Assert.True(r.ExitCode == 2, r.All);
            Assert.Contains("generating the synthetic dataset", r.Stdout);
            Assert.Contains("nosuch", r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.Empty(Directory.GetFileSystemEntries(dir)); // no gen/data, gen/, data-probes, runs/qs nor runs/
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Quickstart_UnwritableOut_IsRefusedBeforeGeneratingData()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-qs-out-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "a-file"), "not a folder");
            var r = Mw.Run("quickstart", "--preset", "Smoke", "--data", Path.Combine(dir, "data"), "--out", Path.Combine(dir, "a-file", "run"));
            Assert.True(r.ExitCode == 2, r.All);
            Assert.Contains("--out", r.Stderr);
            Assert.Contains("is a regular file", r.Stderr);
            Assert.DoesNotContain("generating", r.Stdout);
            Assert.Equal(["a-file"], Directory.GetFileSystemEntries(dir).Select(f => Path.GetFileName(f)!).ToArray());
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
