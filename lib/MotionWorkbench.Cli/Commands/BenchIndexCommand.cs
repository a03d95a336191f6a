using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MotionWorkbench.Experiments;
using MotionWorkbench.Sparse;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw bench index</c>: the sparse index against dense brute force at growing gallery sizes, on seeded synthetic
/// lexical vectors (terms drawn Zipf-like over |V|, weights tracking the terms' IDF, or flat with --weights flat), and
/// with --run also on a Lex run's real vectors (the split's motions as items, their captions as queries). Per row: build time, index bytes per item,
/// one-thread query latency p50/p99 of exhaustive and MaxScore search (their top-k must be identical), and of exact
/// dense scoring with the engine's GEMM plus a top-k over (a) 256-d float32 embeddings and (b) the same |V|-dim vectors
/// stored dense (skipped above --dense-budget-mb).
/// </summary>
internal static class BenchIndexCommand
{
    public static Command Create()
    {
        var items = new Option<string>("--items") { Description = "comma-separated gallery sizes", DefaultValueFactory = _ => "10000,100000,1000000" };
        var nnz = new Option<int>("--nnz") { Description = "non-zeros per item", DefaultValueFactory = _ => 40 };
        var queryNnz = new Option<int>("--query-nnz") { Description = "non-zeros per query", DefaultValueFactory = _ => 24 };
        var queries = new Option<int>("--queries") { Description = "timed queries per size", DefaultValueFactory = _ => 100 };
        var k = new Option<int>("--k") { Description = "top-k", DefaultValueFactory = _ => 10 };
        var vocab = new Option<int>("--vocab-size") { Description = "|V| (BERT's WordPiece: 30522)", DefaultValueFactory = _ => 30522 };
        var zipf = new Option<double>("--zipf") { Description = "exponent s of the term distribution p(rank r) ~ 1/(r+1)^s", DefaultValueFactory = _ => 1.0 };
        var dim = new Option<int>("--dim") { Description = "dense embedding size of baseline (a)", DefaultValueFactory = _ => 256 };
        var budget = new Option<int>("--dense-budget-mb") { Description = "largest dense gallery a baseline may allocate", DefaultValueFactory = _ => 4096 };
        var seed = new Option<int>("--seed") { Description = "random seed", DefaultValueFactory = _ => 1 };
        var weights = new Option<string>("--weights") { Description = "synthetic weights: idf (3 x idf(term) x U, frequent terms light) or flat (0.05 + Exp(0.5), independent of the term)", DefaultValueFactory = _ => "idf" };
        var run = new Option<string?>("--run") { Description = "A Lex run: also bench its real lexical vectors (motions of --split as items, their captions as queries)" };
        var split = new Option<string>("--split") { Description = "With --run: the split (test, val, train or all)", DefaultValueFactory = _ => "test" };
        var data = new Option<string?>("--data") { Description = "With --run: dataset folder (default: the run's)" };
        var json = new Option<bool>("--json") { Description = "one JSON object per row on stdout" };
        var command = new Command("index", "Sparse impact index vs dense brute force: build time, bytes/item, query latency at growing gallery sizes.");
        foreach (var o in new Option[] { items, nnz, queryNnz, queries, k, vocab, zipf, dim, budget, seed, weights, run, split, data, json, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int[] sizes;
            try { sizes = parse.GetValue(items)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToArray(); }
            catch (FormatException) { sizes = []; }
            string weightName = parse.GetValue(weights)!;
            if (weightName is not ("idf" or "flat"))
            {
                Console.Error.WriteLine($"mw bench index: --weights '{weightName}': expected idf or flat");
                return 2;
            }
            var o = new IndexBenchSettings(parse.GetValue(nnz), parse.GetValue(queryNnz), parse.GetValue(queries), parse.GetValue(k), parse.GetValue(vocab),
                parse.GetValue(zipf), parse.GetValue(dim), parse.GetValue(budget), parse.GetValue(seed), weightName == "idf");
            if (sizes.Length == 0 || sizes.Any(s => s < 1) || o.Problem() is not null)
            {
                Console.Error.WriteLine("mw bench index: need --items N[,N...] >= 1, 1 <= --nnz, --query-nnz <= --vocab-size, --queries, --k, --dim >= 1, --zipf >= 0");
                return 2;
            }
            bool asJson = parse.GetValue(json);
            if (!asJson) Console.WriteLine($"GEMM: {Gemm.Describe()}; synthetic: |V| {o.Vocab}, nnz {o.Nnz}/item, {o.QueryNnz}/query, Zipf s={o.Zipf}, {weightName} weights, {o.Queries} queries; top-{o.K}, one thread per query");
            var rows = new List<Dictionary<string, object?>>();
            foreach (int n in sizes)
            {
                var r = IndexBench.Run(n, o, asJson ? null : s => Console.Error.Write($"\r  {n,9:N0} items: {s,-50}"));
                if (!asJson) Console.Error.Write("\r" + new string(' ', 75) + "\r");
                rows.Add(r);
                if (asJson) Console.WriteLine(JsonSerializer.Serialize(r));
            }
            if (parse.GetValue(run) is { } runDir)
            {
                try
                {
                    var r = SparseExperiments.Bench(runDir, o, parse.GetValue(split)!, parse.GetValue(data), asJson ? null : s => Console.Error.Write($"\r  {runDir}: {s,-50}"));
                    if (!asJson) Console.Error.Write("\r" + new string(' ', 75) + "\r");
                    rows.Add(r);
                    if (asJson) Console.WriteLine(JsonSerializer.Serialize(r));
                }
                catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"mw bench index: {e.Message}");
                    return 1;
                }
            }
            if (!asJson) Console.WriteLine(IndexBench.Table(rows));
            return 0;
        });
        return command;
    }
}
