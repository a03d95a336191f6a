using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>One test per notebook: it ran without a cell error and its report and run folder hold what it promises.</summary>
public sealed class NotebookTests(NotebookRunFixture run) : IClassFixture<NotebookRunFixture>
{
    private string Report(string notebook)
    {
        var entry = run.Entries.SingleOrDefault(e => e.Notebook == notebook + ".ipynb");
        Assert.True(entry is not null, $"{notebook}.ipynb was not run (ran: {string.Join(", ", run.Entries.Select(e => e.Notebook))})");
        Assert.True(entry.Status == "ok", $"{notebook}: {entry.Status}, cell {entry.FailedCell}: {entry.Message}\n{Tail(run.Log)}");
        Assert.Equal(entry.CodeCells, entry.CellsRun);
        var path = Path.Combine(run.ReportsDir, notebook + ".html");
        Assert.True(File.Exists(path), $"{path}: no report");
        var html = File.ReadAllText(path);
        Assert.DoesNotContain("<div class=\"error\">", html);
        Assert.DoesNotContain("warning CS", html); // the real kernel's compiler warnings go to the cell's stderr: none in any notebook
        return html;
    }

    private string RunFile(string notebook, string file)
    {
        var path = Path.Combine(run.RunRoot, notebook + "-smoke", file);
        Assert.True(File.Exists(path), $"{path}: not written (folder holds: {string.Join(", ", Directory.Exists(Path.GetDirectoryName(path)) ? Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName) : [])})");
        return File.ReadAllText(path);
    }

    private static int Count(string html, string what) => Regex.Matches(html, Regex.Escape(what)).Count;
    private static int Figures(string html) => Count(html, "<div class=\"figure\"");
    private static int Tables(string html, string title) => Count(html, "<caption style=\"text-align:left;font-weight:bold;padding:4px 0\">" + title);
    private static string Tail(string s) => s.Length > 4000 ? s[^4000..] : s;

    /// <summary>The cells after the label of a metric-table CSV row (ours and paper alternate; labels with commas are quoted).</summary>
    private static string[] CsvRow(string csv, string label)
    {
        var line = csv.Split('\n').FirstOrDefault(l => l.StartsWith(label.Contains(',') ? $"\"{label}\"," : label + ",", StringComparison.Ordinal));
        Assert.True(line is not null, $"no row '{label}' in:\n{csv}");
        return line[((label.Contains(',') ? label.Length + 2 : label.Length) + 1)..].Split(',');
    }

    /// <summary>Asserts every "ours" cell of a metric-table CSV row is a finite number.</summary>
    private static void AssertOursFilled(string csv, string label)
    {
        var cells = CsvRow(csv, label);
        for (int i = 0; i < cells.Length; i += 2)
            Assert.True(double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v), $"row '{label}': ours cell {i / 2} is '{cells[i]}'");
    }

    [Fact]
    public void Index_ListsEveryNotebook()
    {
        var index = File.ReadAllText(Path.Combine(run.ReportsDir, "index.html"));
        foreach (var nb in Directory.GetFiles(run.NotebooksDir, "*.ipynb")) Assert.Contains(Path.GetFileName(nb), index);
    }

    [Fact]
    public void Notebook01_Quickstart_TrainsAndAnswersAQuery()
    {
        var html = Report("01-quickstart");
        Assert.Equal(1, Count(html, "mw-motion-figure\""));
        Assert.True(Figures(html) >= 1, "no training-curve figure");
        Assert.Equal(1, Tables(html, "Retrieval, this run"));
        Assert.True(Count(html, "class=\"mw-anim\"") >= 2, "no skeleton animations");
        Assert.Contains("ours", RunFile("01-quickstart", "retrieval.csv"));
        Assert.Contains("\"hits\"", RunFile("01-quickstart", "query.json"));
    }

    [Fact]
    public void Notebook02_MotionPatches_ShowsEverySource()
    {
        var html = Report("02-motion-patches");
        var motions = RunFile("02-motion-patches", "motions.json");
        int sources = NotebookRunFixture.SharedDataPresent ? 4 : 2;
        Assert.Equal(2 * sources, Count(html, "<figure class=\"mw-motion-figure\""));
        foreach (var s in new[] { "synthetic SMPL-22", "synthetic KIT-21" }) Assert.Contains(s, motions);
        if (NotebookRunFixture.SharedDataPresent) { Assert.Contains("HumanML3D (genuine sample)", motions); Assert.Contains("Bandai", motions); }
        else Assert.Contains("Note: skipped", html);
        Assert.Equal(2 * sources, Directory.GetFiles(Path.Combine(run.RunRoot, "02-motion-patches-smoke"), "*.png").Length);
    }

    [Fact]
    public void Notebook03_Retrieval_HasTables2And3WithBothProtocols()
    {
        var html = Report("03-retrieval");
        Assert.Contains("<th>t2m R@1 (paper)</th>", html); // Table 2 as a DataFrame (ToDataFrame), drawn by the package's formatter
        Assert.Equal(1, Tables(html, "Table 2"));
        Assert.Equal(1, Tables(html, "Table 3"));
        var t2 = RunFile("03-retrieval", "table2.csv");
        Assert.Contains("all: this run", t2);
        Assert.Contains("small-batches: this run", t2);
        Assert.Contains("all: paper MP", t2);
        Assert.Contains("not comparable", html);
        Assert.Contains("\"protocol\": \"small-batches\"", RunFile("03-retrieval", "results.json"));
        Assert.Contains("all: MiniLM-L6 text tower, Smoke", t2);                          // the pretrained text tower's rows
        Assert.Contains("small-batches: MiniLM-L6 text tower, Smoke", RunFile("03-retrieval", "table3.csv"));
        Assert.Matches(@"SMPL \(Smoke, seed \d+\): All t2m R@1 [\d.]+ \(scratch\) -> [\d.]+ \(MiniLM-L6\)", RunFile("03-retrieval", "findings.txt"));
        if (NotebookRunFixture.SharedDataPresent) Assert.Contains("all: MiniLM-L6 text tower, Smoke", RunFile("03-retrieval", "bandai.csv"));
    }

    [Fact]
    public void Notebook04_Ablation_RunsScratchPatchRawAndResNet18RowsAndSaysSo()
    {
        var html = Report("04-ablation");
        Assert.Equal(2, Tables(html, "Table 4: ablation"));   // the paper's two tables; the CNN rows are counted below
        Assert.Contains("only the scratch rows are run", html);
        Assert.Contains("cannot read raw frames", html);
        foreach (var file in new[] { "table4-humanml3d-format.csv", "table4-kitml-format.csv" })
        {
            var csv = RunFile("04-ablation", file);
            AssertOursFilled(csv, "scratch ViT, patches");
            AssertOursFilled(csv, "scratch ViT, raw sequence");
            Assert.All(CsvRow(csv, "pretrained ViT, raw sequence (paper only)").Where((_, i) => i % 2 == 0), c => Assert.Equal("", c));
        }
        Assert.Contains("\"architecture\": \"raw\"", RunFile("04-ablation", "results.json"));
        // the ResNet-18 rows: ImageNet-initialised, frozen-BN (SMPL only) and from scratch, on every dataset and both protocols
        var datasets = NotebookRunFixture.SharedDataPresent ? new[] { "smpl", "kit", "bandai" } : ["smpl", "kit"];
        Assert.Equal(2 * datasets.Length, Tables(html, "Table 4, CNN rows"));
        foreach (var dataset in datasets)
            foreach (var protocol in new[] { "all", "small-batches" })
            {
                var csv = RunFile("04-ablation", $"table4-cnn-{dataset}-{protocol}.csv");
                AssertOursFilled(csv, "ResNet-18, ImageNet-initialised");
                AssertOursFilled(csv, "ResNet-18, from scratch");
                AssertOursFilled(csv, "ViT, from scratch");
                if (dataset == "smpl") AssertOursFilled(csv, "ResNet-18, ImageNet, frozen BN statistics");
                if (dataset == "smpl") AssertOursFilled(csv, "ResNet-18 ImageNet + MiniLM-L6 text (both towers pretrained, first seed)");
            }
        var resnets = RunFile("04-ablation", "resnet-results.json");
        Assert.Contains("\"init\": \"resnet18-imagenet\"", resnets);
        Assert.Contains("\"batchNorm\": \"frozen\"", resnets);
        Assert.Contains("\"text\": \"minilm-l6\"", resnets);
        var findings = RunFile("04-ablation", "findings.txt");
        Assert.Contains("ResNet-18 ImageNet-initialised", findings);
        Assert.Contains("BatchNorm policy", findings);
        Assert.Matches(@"Both towers pretrained \(.*\): ResNet-18 ImageNet \+ MiniLM-L6 text t2m R@1 [\d.]+", findings);
        Assert.Contains("one seed per row", findings);   // Smoke runs one seed: the finding says it decides nothing
        Assert.Contains("cannot be checked with a ViT here: no ImageNet ViT weights were given", findings);
        Assert.Matches(@"motion patches vs raw sequence\).*(agrees with|differs from|neither confirms nor contradicts) the paper", findings);
    }

    [Fact]
    public void Notebook05_Backbones_RunsTinyAndSmallAndTheResNet18RowsAtSmoke()
    {
        var html = Report("05-backbones");
        Assert.Equal(1, Tables(html, "Table 8"));
        var csv = RunFile("05-backbones", "table8.csv");
        Assert.Contains("ViT-Tiny width", csv);
        Assert.Contains("ViT-Small width", csv);
        Assert.Contains("ViT-Large (not run)", csv);
        AssertOursFilled(csv, "ResNet-18, ImageNet-initialised (not in the paper)");
        AssertOursFilled(csv, "ResNet-18, from scratch (not in the paper)");
        Assert.Matches("(agrees with|differs from|neither confirms nor contradicts) the paper", RunFile("05-backbones", "findings.txt"));
    }

    [Fact]
    public void Notebook06_PatchSizes_HasThreeRows()
    {
        var html = Report("06-patch-sizes");
        Assert.Equal(1, Tables(html, "Table 10"));
        var csv = RunFile("06-patch-sizes", "table10.csv");
        foreach (var n in new[] { "8x8", "16x16", "32x32" }) Assert.Contains(n + ",", csv);
        Assert.Matches("(agrees with|differs from|neither confirms nor contradicts) the paper", RunFile("06-patch-sizes", "findings.txt"));
    }

    [Fact]
    public void Notebook07_CrossSkeleton_HasTargetZeroShotAndFineTunedRows()
    {
        var html = Report("07-cross-skeleton");
        Assert.Equal(1, Tables(html, "Table 5"));
        var csv = RunFile("07-cross-skeleton", "table5.csv");
        foreach (var row in new[] { "KIT-21 (synthetic): target only", "KIT-21 (synthetic): SMPL, zero-shot", "KIT-21 (synthetic): SMPL then fine-tuned" }) Assert.Contains(row, csv);
        Assert.DoesNotContain("(not run)", csv);
        if (NotebookRunFixture.SharedDataPresent) Assert.Contains("Bandai-22 (real): SMPL, zero-shot", csv);
        else Assert.Contains("the Bandai rows are skipped", html);
    }

    [Fact]
    public void Notebook07_CrossSkeleton_HasTable11BothAndFineTunedRowsForBothTestSets()
    {
        var html = Report("07-cross-skeleton");
        Assert.Equal(1, Tables(html, "Table 11"));
        var csv = RunFile("07-cross-skeleton", "table11.csv");
        Assert.StartsWith("label,t2m R@1 (ours),t2m R@1 (paper),t2m R@10 (ours),t2m R@10 (paper)\n", csv);
        foreach (var (test, only, paperBoth) in new[] { ("KIT-21", "KIT-21 only", "12.53"), ("SMPL-22", "SMPL-22 only", "9.99") })
        {
            foreach (var row in new[] { only, "trained on both", "both + fine-tune" }) AssertOursFilled(csv, $"{test} test: {row}");
            Assert.Equal(paperBoth, CsvRow(csv, $"{test} test: trained on both")[1]);
        }
        var results = JsonDocument.Parse(RunFile("07-cross-skeleton", "results.json")).RootElement;
        var both = results.EnumerateArray().Where(r => r.GetProperty("label").GetString()!.EndsWith("trained on both", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, both.Count);
        Assert.All(both, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("mixWith").GetString()), $"{r.GetProperty("label")}: no data.mixWith"));
        var fineTuned = results.EnumerateArray().Where(r => r.GetProperty("label").GetString()!.EndsWith("both + fine-tune", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, fineTuned.Count);
        Assert.All(fineTuned, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("initFrom").GetString()), $"{r.GetProperty("label")}: no train.initFrom"));
        Assert.Matches(@"does training on both help.*(agrees with|differs from|neither confirms nor contradicts) the paper", RunFile("07-cross-skeleton", "findings.txt"));
    }

    [Fact]
    public void Notebook08_ZeroShot_HasTable6AndConfusionMatrices()
    {
        var html = Report("08-zero-shot-classification");
        Assert.Equal(1, Tables(html, "Table 6"));
        int sets = NotebookRunFixture.SharedDataPresent ? 2 : 1;
        Assert.Equal(sets, Figures(html));
        var csv = RunFile("08-zero-shot-classification", "table6.csv");
        Assert.Contains("synthetic SMPL test, action labels", csv);
        Assert.Contains("paper: MP (zero-shot)", csv);
        foreach (var tower in new[] { "scratch BERT", "MiniLM-L6" })
            foreach (var set in new[] { "synthetic SMPL test, action labels", "synthetic SMPL test, unseen wordings" }) Assert.Contains($"{tower}: {set}", csv);
        Assert.Contains("Footage of somebody who strolls", RunFile("08-zero-shot-classification", "wordings.json"));
        Assert.Contains("with unseen wordings", RunFile("08-zero-shot-classification", "findings.txt"));
    }

    [Fact]
    public void Notebook09_Interactions_HasTable7AndBothPeople()
    {
        var html = Report("09-interactions");
        Assert.Equal(1, Tables(html, "Table 7"));
        Assert.Equal(2, Count(html, "class=\"mw-anim\""));
        Assert.True(Figures(html) >= 1, "no loss curve");
        var csv = RunFile("09-interactions", "table7.csv");
        AssertOursFilled(csv, "this run (Smoke), shared ViT + concatenation");
        var results = JsonDocument.Parse(RunFile("09-interactions", "results.json")).RootElement;
        Assert.False(results.TryGetProperty("epochLosses", out _), "results.json still has epochLosses");
        Assert.Contains("shared ViT + concatenation", results.GetProperty("label").GetString());
        Assert.True(results.GetProperty("trainSeconds").GetDouble() > 0);
        int testPairs = results.GetProperty("testPairs").GetInt32();
        Assert.True(testPairs > 0);
        var protocols = results.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("protocol").GetString()!);
        Assert.Equal(testPairs, protocols["all"].GetProperty("n").GetInt32());
        Assert.Contains("small-batches", protocols.Keys);
        var steps = results.GetProperty("lossCurve").GetProperty("steps").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var losses = results.GetProperty("lossCurve").GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.True(steps.Count > 1, "fewer than two loss steps");
        Assert.Equal(steps.Count, losses.Count);
        Assert.True(steps.Zip(steps.Skip(1)).All(p => p.Second > p.First), "loss-curve steps are not increasing");
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0, $"loss {l}"));
    }

    [Fact]
    public void Notebook10_AttentionMaps_DrawsPerLayerRolloutAndClassActivationMaps()
    {
        var html = Report("10-attention-maps");
        Assert.Equal(9, Figures(html)); // 3 motions x (per-layer maps, rollout, the ResNet's class-activation map)
        Assert.Contains("\"perLayer\"", RunFile("10-attention-maps", "class-token-attention.json"));
        var cams = JsonDocument.Parse(RunFile("10-attention-maps", "class-activation-maps.json")).RootElement;
        Assert.Equal(3, cams.GetArrayLength());
        foreach (var cam in cams.EnumerateArray())
        {
            Assert.Equal((2, 3), (cam.GetProperty("rows").GetInt32(), cam.GetProperty("cols").GetInt32()));   // Smoke: 64 x 80 -> 2 x 3 cells
            Assert.All(cam.GetProperty("map").EnumerateArray(), v => Assert.True(v.GetSingle() >= 0));
        }
    }

    [Fact]
    public void Notebook11_QualitativeRetrieval_ShowsHitsBothWays()
    {
        var html = Report("11-qualitative-retrieval");
        Assert.Equal(3, Count(html, "font-weight:bold\">motion "));
        Assert.True(Count(html, "class=\"mw-anim\"") >= 12, "too few skeleton animations (3 queries x 3 hits + 3 motions)");
        Assert.Contains("a person waves with the right hand", RunFile("11-qualitative-retrieval", "text-to-motion.json"));
        Assert.Contains("\"hits\"", RunFile("11-qualitative-retrieval", "motion-to-text.json"));
    }

    [Fact]
    public void Notebook12_LexicalRetrieval_FillsLexTablesAblationSparsityAndWords()
    {
        var html = Report("12-lexical-retrieval");
        Assert.Equal(3, Figures(html)); // top words of three motions
        var t1 = RunFile("12-lexical-retrieval", "lex-table1.csv");
        AssertOursFilled(t1, "† lexical heads, phase 4 only, Smoke");
        AssertOursFilled(t1, "Lex (four phases), Smoke");
        Assert.Contains("9.13", t1); // the published † row beside ours
        AssertOursFilled(RunFile("12-lexical-retrieval", "lex-table2.csv"), "Lex (four phases), Smoke");
        var ablation = RunFile("12-lexical-retrieval", "lex-ablation.csv");
        foreach (var phase in new[] { "LexMLM", "CMMM", "LexMMM" }) AssertOursFilled(ablation, $"Lex without {phase}, Smoke");
        var sparsity = RunFile("12-lexical-retrieval", "lex-sparsity.csv");
        var lex = CsvRow(sparsity, "Lex (four phases), Smoke (lex-smpl-smoke)");
        double nnz = double.Parse(lex[0], CultureInfo.InvariantCulture), vocab = double.Parse(lex[6], CultureInfo.InvariantCulture);
        Assert.InRange(nnz, 1, vocab);
        Assert.Contains("\"motion\"", RunFile("12-lexical-retrieval", "lex-words.json"));
        AssertOursFilled(RunFile("12-lexical-retrieval", "lex-minilm.csv"), "Lex (four phases), MiniLM-L6 text, Smoke");
        Assert.Contains("with MiniLM-L6", RunFile("12-lexical-retrieval", "findings.txt"));
        if (NotebookRunFixture.SharedDataPresent) AssertOursFilled(RunFile("12-lexical-retrieval", "lex-bandai.csv"), "Lex (four phases), Smoke");
    }

    [Fact]
    public void Notebook14_LexicalInterpretability_MeasuresActionWordsAndDrawsProfilesSharesAndPca()
    {
        var html = Report("14-lexical-interpretability");
        Assert.True(Figures(html) >= 4, $"{Figures(html)} figures: expected action profiles, word shares and the PCA");
        var hits = RunFile("14-lexical-interpretability", "action-words.csv");
        AssertOursFilled(hits, "Lex (four phases), MiniLM-L6 text, Smoke");
        foreach (var row in new[] { "Lex (four phases), Smoke", "† lexical heads, phase 4 only, Smoke" })
        {
            var cells = CsvRow(hits, row);
            double own = double.Parse(cells[0], CultureInfo.InvariantCulture), shuffled = double.Parse(cells[2], CultureInfo.InvariantCulture);
            Assert.InRange(own, 0, 100);
            Assert.InRange(shuffled, 0, 100);
        }
        AssertOursFilled(RunFile("14-lexical-interpretability", "word-shares.csv"), "Lex (four phases), Smoke, text");
        using var json = JsonDocument.Parse(RunFile("14-lexical-interpretability", "action-words.json"));
        Assert.Equal(4, json.RootElement.GetArrayLength()); // four-phase and †, each with the scratch and the MiniLM-L6 text tower
        Assert.True(json.RootElement[0].GetProperty("motions").GetInt32() > 0);
        // notebook 14 reuses notebook 12's Lex pipelines (shared folders) instead of training them again
        Assert.True(File.Exists(Path.Combine(run.RunRoot, "lex-smpl-smoke", "pipeline.json")), "the shared Lex pipeline folder runRoot/lex-smpl-smoke is missing");
    }
    [Fact]
    public void Notebook15_Captioning_ScoresTable3AgainstTheNearestCaptionBaselineAndShowsExamples()
    {
        const string nb = "15-captioning";
        var html = Report(nb);
        Assert.Equal(1, Tables(html, "Lex Table 3: motion-to-text captioning, HumanML3D"));
        Assert.True(Figures(html) >= 1, "no caption loss curve");
        Assert.Contains("BERTScore not computed", html);
        Assert.True(Count(html, "<img src=\"data:image/png;base64,") >= 6, "no patch images in the qualitative examples");
        var table = RunFile(nb, "table3.csv");
        foreach (var row in new[] { "caption decoder (beam 4)", "caption decoder (greedy)", "nearest training caption (retrieval baseline)", "random training caption (control)" })
        {
            var cells = CsvRow(table, row);
            for (int i = 0; i < 8; i += 2) Assert.True(double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0, $"row '{row}': cell {i / 2} is '{cells[i]}'");
            Assert.Equal("", cells[8]); // BERTScore: not computed, never substituted
        }
        Assert.Equal("33.1", CsvRow(table, "Lex (paper)")[9].Trim());
        using var scores = JsonDocument.Parse(RunFile(nb, "scores.json"));
        Assert.True(scores.RootElement.GetProperty("beatsFloor").ValueKind is JsonValueKind.True or JsonValueKind.False);
        using var captions = JsonDocument.Parse(RunFile(nb, "captions.json"));
        Assert.Equal(scores.RootElement.GetProperty("beam").GetProperty("count").GetInt32(), captions.RootElement.GetArrayLength());
        Assert.All(captions.RootElement.EnumerateArray(), c => Assert.True(c.GetProperty("references").GetArrayLength() >= 1));
    }

    [Fact]
    public void Notebook13_SparseRetrieval_SweepsTopKSearchesTheIndexAndBenchesItAgainstDense()
    {
        const string nb = "13-sparse-retrieval";
        var html = Report(nb);
        Assert.Equal(1, Tables(html, "Sparsity for efficient retrieval"));
        Assert.Equal(3, Figures(html)); // R@k / nnz against top-k, latency, bytes per item
        Assert.Contains("How this compares with the paper", html);

        var csv = RunFile(nb, "sweep.csv");
        foreach (var row in new[] { "\"dense |V| floats, untruncated\",", "\"index, top-8\",", "\"index, top-256\",", "\"index, top-all\"," }) Assert.Contains(row, csv);

        using var sweep = JsonDocument.Parse(RunFile(nb, "sweep.json"));
        var rows = sweep.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(7, rows.Count);
        var nnz = rows.Select(r => r.GetProperty("meanNnzMotion").GetDouble()).ToList();
        Assert.Equal(nnz.Order(), nnz);
        Assert.Equal(8, nnz[0], 6);
        Assert.All(rows, r => Assert.True(r.GetProperty("indexMsPerQuery").GetDouble() > 0));

        using var search = JsonDocument.Parse(RunFile(nb, "search.json"));
        Assert.Equal(3, search.RootElement.GetArrayLength());
        Assert.All(search.RootElement.EnumerateArray(), q => Assert.True(q.GetProperty("overlap").GetInt32() >= 4, $"'{q.GetProperty("query")}': top-5 overlap {q.GetProperty("overlap")}"));

        using var bench = JsonDocument.Parse(RunFile(nb, "bench.json"));
        Assert.Equal([10_000, 100_000], bench.RootElement.EnumerateArray().Select(r => r.GetProperty("items").GetInt32()));
        Assert.All(bench.RootElement.EnumerateArray(), r =>
        {
            Assert.True(r.GetProperty("maxscore_topk_identical").GetBoolean());
            Assert.True(r.GetProperty("dense_ms_p50").GetDouble() > 0);
            Assert.InRange(r.GetProperty("bytes_per_item").GetDouble(), 1, 1024);
        });
        using var benchRun = JsonDocument.Parse(RunFile(nb, "bench-run.json"));
        Assert.Equal("run lex-13, split test", benchRun.RootElement.GetProperty("source").GetString());
        Assert.True(benchRun.RootElement.GetProperty("maxscore_topk_identical").GetBoolean());
        Assert.True(benchRun.RootElement.GetProperty("items").GetInt32() > 0);
        Assert.True(new FileInfo(Path.Combine(run.RunRoot, nb + "-smoke", "lex-test.mwidx")).Length > 0);
    }

    [Fact]
    public void Notebook16_Probes_TablesEveryModelPerAttributeAgainstChance()
    {
        const string nb = "16-probes";
        var html = Report(nb);
        Assert.Equal(1, Tables(html, "Minimal-pair probes, synthetic SMPL-22"));
        Assert.True(Figures(html) >= 1, "no grouped bar chart");
        var csv = RunFile(nb, "probes-synthetic.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var models = MotionWorkbench.Experiments.ProbeStudy.Models("Smoke", Path.Combine(run.Root, "data", "synthetic-smpl-160"), run.RunRoot).Select(m => m.Label).ToList();
        Assert.Equal(8, models.Count);
        Assert.Contains("ViT + MiniLM-L6 text", models);
        foreach (var model in models) Assert.Contains($"{(model.Contains(',') ? "\"" + model : model)} t2m", csv[0]);
        Assert.Equal(["side", "mirror", "order", "count", "pace", "direction", "action"], csv.Skip(1).Select(l => l.Split(',')[0]));
        foreach (var line in csv.Skip(1))
        {
            var cells = line.Split(',');
            Assert.Equal("10", cells[1]);
            for (int m = 0; m < models.Count; m++)
            {
                double acc = double.Parse(cells[2 + 7 * m], CultureInfo.InvariantCulture), low = double.Parse(cells[3 + 7 * m], CultureInfo.InvariantCulture), high = double.Parse(cells[4 + 7 * m], CultureInfo.InvariantCulture);
                Assert.True(low <= acc && acc <= high && low >= 0 && high <= 100, $"{line}: model {m}'s t2m {acc} [{low}, {high}]");
            }
        }
        var findings = RunFile(nb, "findings.txt");
        foreach (var model in models) Assert.Contains(model + ": tells apart", findings);
        Assert.Contains("\"All\" t2m R@1 ranks", findings);
        using var json = JsonDocument.Parse(RunFile(nb, "probes-synthetic.json"));
        Assert.Equal(models, json.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("model").GetString()));
        if (NotebookRunFixture.SharedDataPresent)
        {
            Assert.Equal(1, Tables(html, "Minimal-pair probes, Bandai dataset 1 test split"));
            Assert.Contains("ViT on Bandai (in-domain)", RunFile(nb, "probes-bandai.csv"));
            Assert.Equal(1, Tables(html, "Minimal-pair probes, Bandai dataset 2 test split"));
            var real2 = RunFile(nb, "probes-bandai2.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("ViT on Bandai dataset 2 (in-domain) t2m", real2[0]);
            Assert.Contains("ViT on Bandai dataset 1 (same skeleton, other clips) t2m", real2[0]);
            Assert.Equal(["side", "mirror", "direction"], real2.Skip(1).Select(l => l.Split(',')[0]));
            Assert.Contains("Bandai dataset 2: ", findings);
        }
        else Assert.Contains("the Bandai probes are skipped", html);
    }

    /// <summary>
    /// A newcomer's first notebook on a clone where environment/plotly.sh never ran: every figure is drawn (static SVG of the
    /// same data), in the executed notebook's outputs (the fixture runs without plotly.js in them, as such a clone does) and in
    /// its report, never replaced by a note.
    /// </summary>
    [Fact]
    public void Notebook01_FirstNotebook_ShowsItsFiguresWithoutPlotly()
    {
        Report("01-quickstart");
        var executed = MotionWorkbench.Notebooks.Ipynb.Notebook.Load(Path.Combine(run.ReportsDir, "01-quickstart.ipynb"));
        var figures = executed.Cells.SelectMany(c => c.Outputs).Select(o => o["data"] as System.Text.Json.Nodes.JsonObject)
            .Where(d => d?[MotionWorkbench.Render.Plots.Figure.PlotlyMimeType] is not null).ToList();
        Assert.NotEmpty(figures);
        Assert.All(figures, d => Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"mw-static-figure\"", MotionWorkbench.Notebooks.Ipynb.Notebook.JoinLines(d!["text/html"])));
        string html = MotionWorkbench.Notebooks.Export.HtmlReport.Render(executed, plotlyBundle: Path.Combine(run.Root, "no-plotly.min.js"));
        Assert.Equal(figures.Count, Count(html, "<div class=\"figure\"><svg"));
        Assert.DoesNotContain("not shown", html);
    }
}
