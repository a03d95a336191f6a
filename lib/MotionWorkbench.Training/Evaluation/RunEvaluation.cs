using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>Retrieval results of one checkpoint on one split, with what chance would score.</summary>
public sealed record RunEvaluation(string RunDir, string Checkpoint, string Split, string DataDir, int N, IReadOnlyList<RetrievalResult> Results, bool FromCache, string Selection)
{
    /// <summary>Every protocol a run evaluates with: the four of <see cref="RetrievalProtocols.Names"/> and TMR's
    /// "tmr-threshold" (<see cref="ThresholdProtocol"/>: MiniLM-L6 sentence embeddings standing in for all-mpnet-base-v2).
    /// <c>mw eval</c> and the quickstart run all five.</summary>
    public static IReadOnlyList<string> Protocols { get; } = [.. RetrievalProtocols.Names, RetrievalProtocols.TmrThreshold];

    /// <summary>
    /// Evaluates a run (default checkpoint: best, else last) on a split with the named protocols (default: the four of
    /// <see cref="RetrievalProtocols.Names"/>; <see cref="Protocols"/> adds tmr-threshold); embeddings come from the
    /// cache when this checkpoint and data were embedded before.
    /// </summary>
    public static RunEvaluation Run(string runDir, string? dataDir = null, string split = "test", IEnumerable<string>? protocols = null,
        string? checkpoint = null, IProgress<(int Done, int Total)>? progress = null)
    {
        var names = (protocols ?? RetrievalProtocols.Names).ToList();
        foreach (var name in names)
            if (!Protocols.Contains(name)) throw new ArgumentException($"unknown protocol '{name}' (known: {string.Join(", ", Protocols)})", nameof(protocols));
        var data = RunData.ForRun(runDir, dataDir);
        var path = checkpoint is null ? RunModels.DefaultCheckpoint(runDir) : File.Exists(checkpoint) ? checkpoint : Path.Combine(runDir, checkpoint);
        var emb = Embedder.EmbedCached(runDir, path, data, split, () => RunModels.Load(runDir, path), 64, progress);
        var standard = emb.Evaluate(names.Where(n => n != RetrievalProtocols.TmrThreshold));
        var results = names.Select(n => n == RetrievalProtocols.TmrThreshold ? ThresholdProtocol.Evaluate(emb, runDir) : standard.First(r => r.Protocol == n)).ToList();
        var config = RunConfig.Load(runDir);
        string selection = Path.GetFileName(path) == MotionWorkbench.Training.Checkpoint.BestFileName
            ? config.Train.Selection == "test" ? "best checkpoint by test-set selection (the reference's practice; test numbers are optimistic)" : "best checkpoint by validation motion->text R@1"
            : "last checkpoint";
        return new RunEvaluation(runDir, Path.GetFileName(path), split, data.Config.Data.Dir, emb.Count, results, emb.FromCache, selection)
        {
            Sparsity = config.Model.Architecture == Architecture.Lex && emb.Count > 0
                ? LexicalSparsity.Of(emb.Texts, emb.Motions) with { ActiveWords = config.Model.LexVocabulary == LexVocabularyMode.Captions ? LexicalVocabulary.ForRun(runDir, config, data.Tokenizer.Vocabulary)?.Length : null }
                : null,
            // every file the dataset's loader skipped and every listed id without a motion, named with why (never just a smaller gallery)
            Skipped = [.. data.Dataset.Report.Skipped.Select(f => f.Message), .. data.Dataset.Report.Notes],
        };
    }

    /// <summary>Files of the evaluated dataset that were skipped, each with its reason, and the loader's notes (ids listed by a split without a loaded motion).</summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];

    /// <summary>Sparsity of the vectors (lexical runs only): non-zeros per motion and caption, FLOPS.</summary>
    public LexicalSparsity? Sparsity { get; init; }

    /// <summary>Chance R@k (percent) for a gallery of n items: 100 k / n (one positive each).</summary>
    public static double ChanceRecall(int k, int n) => n <= 0 ? double.NaN : Math.Min(100.0, 100.0 * k / n);

    /// <summary>Chance median rank for a gallery of n: (n + 1) / 2.</summary>
    public static double ChanceMedR(int n) => (n + 1) / 2.0;

    /// <summary>The gallery size a protocol ranks in: 32 for the batched ones, n otherwise.</summary>
    public static int GallerySize(string protocol, int n) => protocol is RetrievalProtocols.SmallBatches or RetrievalProtocols.TmrGuo ? Math.Min(32, n) : n;

    public JsonObject ToJson() => new()
    {
        ["run"] = RunDir,
        ["checkpoint"] = Checkpoint,
        ["selection"] = Selection,
        ["split"] = Split,
        ["data"] = DataDir,
        ["n"] = N,
        ["results"] = new JsonArray(Results.Select(r => JsonNode.Parse(r.ToJson())).ToArray()),
        ["sparsity"] = Sparsity?.ToJson(),
    };

    /// <summary>An HTML table per protocol (rows t2m and m2t, plus a chance row).</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<p>Split <b>{Html(Split)}</b> of <code>{Html(DataDir)}</code>, n = {N}, {Html(Checkpoint)} ({Html(Selection)}).</p>\n");
        if (Sparsity is not null) sb.Append(CultureInfo.InvariantCulture, $"<p>Lexical vectors: {Html(Sparsity.ToString())}.</p>\n");
        foreach (var r in Results)
        {
            int g = GallerySize(r.Protocol, r.N);
            sb.Append(CultureInfo.InvariantCulture, $"<h3>{Html(ProtocolTitle(r.Protocol))}</h3>\n<table><tr><th></th><th>R@1</th><th>R@2</th><th>R@3</th><th>R@5</th><th>R@10</th><th>MedR</th></tr>\n");
            Row(sb, "text → motion", r.TextToMotion);
            Row(sb, "motion → text", r.MotionToText);
            sb.Append(CultureInfo.InvariantCulture, $"<tr class=\"chance\"><td>chance (gallery of {g})</td>");
            foreach (var k in new[] { 1, 2, 3, 5, 10 }) sb.Append(CultureInfo.InvariantCulture, $"<td>{ChanceRecall(k, g):0.00}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{ChanceMedR(g):0.0}</td></tr>\n</table>\n");
        }
        return sb.ToString();
    }

    public static string ProtocolTitle(string protocol) => protocol switch
    {
        RetrievalProtocols.All => "All (whole split; identical captions count as correct)",
        RetrievalProtocols.SmallBatches => "Small batches (groups of 32; identical captions in the group count)",
        RetrievalProtocols.TmrNormal => "TMR normal (whole split; diagonal only, ties averaged)",
        RetrievalProtocols.TmrGuo => "TMR guo (seed 0, batches of 32, diagonal only)",
        RetrievalProtocols.TmrThreshold => $"TMR threshold (whole split; captions whose sentence embeddings have cosine > 0.9 count as correct; {ThresholdProtocol.EncoderLabel})",
        _ => protocol,
    };

    private static void Row(StringBuilder sb, string label, RecallMetrics m)
    {
        sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{label}</td><td>{m.R1:0.00}</td><td>{m.R2:0.00}</td><td>{m.R3:0.00}</td><td>{m.R5:0.00}</td><td>{m.R10:0.00}</td><td>{m.MedR:0.0}</td></tr>\n");
    }

    internal static string Html(string s) => WebUtility.HtmlEncode(s);
}
