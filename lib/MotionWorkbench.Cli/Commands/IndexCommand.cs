using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MotionWorkbench.Experiments;
using MotionWorkbench.Sparse;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw index build|search|info|export</c>: the exact impact inverted index over sparse lexical vectors
/// (lib/MotionWorkbench.Sparse): build it from an .npy of (N, |V|) vectors or a Lex run, search it, describe it, export it to
/// Elasticsearch / OpenSearch.
/// </summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var command = new Command("index", "Sparse lexical vectors: build, search, describe and export an exact impact inverted index (.mwidx).");
        command.Subcommands.Add(IndexBuildCommand.Create());
        command.Subcommands.Add(IndexSearchCommand.Create());
        command.Subcommands.Add(IndexInfoCommand.Create());
        command.Subcommands.Add(IndexExportCommand.Create());
        return command;
    }

    /// <summary>Runs a verb; bad input becomes one "mw index VERB: ..." line on stderr and exit code 1.</summary>
    public static int Run(string verb, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"mw index {verb}: {e.Message}");
            return 1;
        }
    }

    /// <summary>The vocabulary words (when a file is given) and the hash naming them (else the hash of "size:N").</summary>
    public static (string[]? Words, string Hash) Vocabulary(string? path, int width, string what)
    {
        if (path is null) return (null, VocabularyHash.OfSize(width));
        if (!File.Exists(path)) throw new FileNotFoundException($"--vocab {path}: no such file");
        var words = VocabularyHash.ReadVocabulary(path);
        if (words.Length != width) throw new InvalidDataException($"{path}: {words.Length} words, but {what} are {width} wide");
        return (words, VocabularyHash.Of(words));
    }

    public static void MustExist(string path, string option)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{option} {path}: no such file");
    }

    public static string Ms(double ms) => ms.ToString(ms < 10 ? "F3" : "F1", CultureInfo.InvariantCulture);
}

internal static class IndexBuildCommand
{
    public static Command Create()
    {
        var vectors = new Option<string?>("--vectors") { Description = "(N, |V|) float .npy of non-negative lexical vectors, one row per item (or --run)" };
        var run = new Option<string?>("--run") { Description = "A Lex run folder (model.architecture = lex): index its embeddings of --split (ids = motion ids, vocabulary = RUN/vocab.txt)" };
        var split = new Option<string>("--split") { Description = "With --run: the split to index (test, val, train or all)", DefaultValueFactory = _ => "test" };
        var side = new Option<string>("--side") { Description = "With --run: index the motions' vectors or their (first) captions' vectors", DefaultValueFactory = _ => "motions" };
        var data = new Option<string?>("--data") { Description = "With --run: dataset folder (default: the run's)" };
        var ids = new Option<string?>("--ids") { Description = "Text file with one item id per line (default: row numbers)" };
        var vocab = new Option<string?>("--vocab") { Description = "vocab.txt (line j = term j): names the vocabulary in the header; its hash must match at query time" };
        var topK = new Option<int?>("--top-k") { Description = "Keep only the K largest weights per item (default: all non-zeros)" };
        var scale = new Option<int>("--scale") { Description = "Quantisation: impact = round(weight x scale), zeros dropped", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "Index file to write (.mwidx)", Required = true };
        var command = new Command("build", "Build an exact impact inverted index from lexical vectors (an .npy, or a Lex run's embeddings).");
        foreach (var o in new Option[] { vectors, run, split, side, data, ids, vocab, topK, scale, output, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse => IndexCommand.Run("build", () =>
        {
            string? input = parse.GetValue(vectors), runDir = parse.GetValue(run);
            string outPath = parse.GetValue(output)!;
            if ((input is null) == (runDir is null)) throw new ArgumentException("give either --vectors FILE.npy or --run RUN (not both)");
            if (runDir is not null && (parse.GetValue(ids) is not null || parse.GetValue(vocab) is not null))
                throw new ArgumentException("--ids and --vocab go with --vectors; with --run the ids are the motion ids and the vocabulary is RUN/vocab.txt");
            if (input is not null) IndexCommand.MustExist(input, "--vectors");
            string sideName = parse.GetValue(side)!;
            if (sideName is not ("motions" or "captions")) throw new ArgumentException($"--side '{sideName}': expected motions or captions");
            OutputCheck.File(outPath, "--out");
            if (parse.GetValue(topK) is < 1) throw new ArgumentException($"--top-k must be >= 1, got {parse.GetValue(topK)}");
            if (parse.GetValue(scale) < 1) throw new ArgumentException($"--scale must be >= 1, got {parse.GetValue(scale)}");
            var options = new IndexBuildOptions { TopK = parse.GetValue(topK), Scale = parse.GetValue(scale) };
            var sw = Stopwatch.StartNew();
            SparseIndex index;
            if (runDir is not null)
            {
                Console.Error.WriteLine($"embedding the {parse.GetValue(split)} split of {runDir} ...");
                var lex = SparseExperiments.OpenLex(runDir, parse.GetValue(data), parse.GetValue(split)!);
                Console.Error.WriteLine($"indexing {lex.Embeddings.Count:N0} {sideName} vectors ...");
                index = SparseExperiments.BuildIndex(lex, runDir, sideName, options.TopK, options.Scale);
            }
            else
            {
                Console.Error.WriteLine($"reading {input} ...");
                var (items, width) = VectorInput.ReadNpy(input!);
                var (_, hash) = IndexCommand.Vocabulary(parse.GetValue(vocab), width, $"the vectors of {input}");
                string[]? names = parse.GetValue(ids) is { } idPath ? ReadIds(idPath, items.Length) : null;
                Console.Error.WriteLine($"indexing {items.Length:N0} vectors over {width:N0} terms ...");
                index = SparseIndex.Build(items, width, hash, names, options);
            }
            index.Save(outPath);
            Console.WriteLine($"wrote {outPath}: {index.Info} in {sw.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return command;
    }

    private static string[] ReadIds(string path, int n)
    {
        IndexCommand.MustExist(path, "--ids");
        return VectorInput.ReadIds(path, n);
    }
}

internal static class IndexSearchCommand
{
    public static Command Create()
    {
        var indexArg = new Argument<string?>("index") { Description = "Index file written by mw index build (or --index)", Arity = ArgumentArity.ZeroOrOne };
        var textArg = new Argument<string?>("text") { Description = "With --run: the free-text query, embedded by the run's text tower", Arity = ArgumentArity.ZeroOrOne };
        var index = new Option<string?>("--index") { Description = "Index file written by mw index build (instead of the first argument)" };
        var queries = new Option<string?>("--query-vectors") { Description = "(Q, |V|) float .npy of query lexical vectors (or --run with a text)" };
        var run = new Option<string?>("--run") { Description = "A Lex run: its text tower turns the text into a lexical vector; the index must be over the run's vocabulary" };
        var split = new Option<string>("--split") { Description = "With --run: the split whose captions label the hits", DefaultValueFactory = _ => "test" };
        var data = new Option<string?>("--data") { Description = "With --run: dataset folder (default: the run's)" };
        var vocab = new Option<string?>("--vocab") { Description = "The queries' vocab.txt: refused unless it is the index's vocabulary" };
        var k = new Option<int>("--k") { Description = "Results per query", DefaultValueFactory = _ => 10 };
        var mode = new Option<string>("--mode") { Description = "maxscore (default: pruned, faster in mw bench index on IDF-weighted vectors) or exhaustive; both give the same results", DefaultValueFactory = _ => "maxscore" };
        var json = new Option<bool>("--json") { Description = "Print JSON (one array of hits per query; with --run one array of hits)" };
        var command = new Command("search", "Top-k items of an index for each query vector, or for a free text through a Lex run's text tower (sparse dot product of the quantised vectors).");
        command.Arguments.Add(indexArg);
        command.Arguments.Add(textArg);
        foreach (var o in new Option[] { index, queries, run, split, data, vocab, k, mode, json, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse => IndexCommand.Run("search", () =>
        {
            string? first = parse.GetValue(indexArg), second = parse.GetValue(textArg), option = parse.GetValue(index);
            string? runDir = parse.GetValue(run), qpath = parse.GetValue(queries);
            // "--index F TEXT" puts the text in the first argument.
            if (option is not null && first is not null && second is not null) throw new ArgumentException("give the index once: as the first argument or as --index");
            string? path = option ?? first;
            string? text = option is not null ? first : second;
            if (path is null) throw new ArgumentException("give the index file (mw index search IDX ... or --index IDX)");
            IndexCommand.MustExist(path, "--index");
            int kk = parse.GetValue(k);
            if (kk < 1) throw new ArgumentException($"--k must be >= 1, got {kk}");
            var m = parse.GetValue(mode) switch
            {
                "maxscore" => SearchMode.MaxScore,
                "exhaustive" => SearchMode.Exhaustive,
                var other => throw new ArgumentException($"--mode '{other}': expected maxscore or exhaustive"),
            };
            if (runDir is not null)
            {
                if (qpath is not null || parse.GetValue(vocab) is not null) throw new ArgumentException("--run searches a text: --query-vectors and --vocab go without --run");
                if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("--run needs a query text: mw index search IDX --run RUN \"free text\"");
                return SearchText(path, runDir, parse.GetValue(data), parse.GetValue(split)!, text, kk, m, parse.GetValue(json));
            }
            if (text is not null) throw new ArgumentException($"a text query ('{text}') needs --run RUN (the Lex run whose text tower embeds it)");
            if (qpath is null) throw new ArgumentException("give --query-vectors FILE.npy, or --run RUN and a text");
            IndexCommand.MustExist(qpath, "--query-vectors");
            var probe = SparseIndex.Load(path);
            var (_, hash) = parse.GetValue(vocab) is { } v ? IndexCommand.Vocabulary(v, probe.VocabularySize, "the index's terms") : (null, (string?)null);
            if (hash is not null && hash != probe.VocabularyHash)
                throw new InvalidDataException($"{path}: index built over vocabulary {probe.VocabularyHash}, query vocabulary {hash}");
            var qs = VectorInput.ReadNpy(qpath, probe.VocabularySize).Rows;
            var sw = Stopwatch.StartNew();
            var results = probe.SearchBatch(qs, kk, m);
            double ms = sw.Elapsed.TotalMilliseconds;
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => r.Select(h => new { item = h.Item, id = h.Id, score = h.Score, dot = h.Dot }))));
                return 0;
            }
            for (int q = 0; q < results.Length; q++)
            {
                Console.WriteLine($"query {q} ({qs[q].Count} terms): {results[q].Length} hit(s)");
                for (int r = 0; r < results[q].Length; r++)
                {
                    var h = results[q][r];
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r + 1,4}. {h.Dot,10:F4}  {h.Id ?? h.Item.ToString(CultureInfo.InvariantCulture)}"));
                }
            }
            Console.Error.WriteLine($"{qs.Length} queries in {IndexCommand.Ms(ms)} ms ({IndexCommand.Ms(ms / Math.Max(1, qs.Length))} ms/query, {parse.GetValue(mode)})");
            return 0;
        }));
        return command;
    }

    /// <summary>Free text through the run's text tower, searched in the index (checked against the run's vocabulary): ranked ids, scores, captions.</summary>
    private static int SearchText(string path, string runDir, string? data, string split, string text, int k, SearchMode mode, bool json)
    {
        var lex = SparseExperiments.OpenLex(runDir, data, split);
        var index = SparseExperiments.LoadFor(path, lex, runDir);
        if (lex.UnknownWords(text) is { Count: > 0 } unknown)
            Console.Error.WriteLine($"note: not in the run's vocabulary, read as [UNK]: {string.Join(", ", unknown.Select(w => $"'{w}'"))}");
        var sw = Stopwatch.StartNew();
        var hits = SparseExperiments.Search(lex, index, text, k, mode);
        double ms = sw.Elapsed.TotalMilliseconds;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(hits.Select(h => new { rank = h.Rank, id = h.Id, score = Math.Round(h.Score, 6), caption = h.Caption })));
            return 0;
        }
        Console.WriteLine($"{path} ({index.ItemCount:N0} items): closest to \"{text}\":");
        foreach (var h in hits) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{h.Rank,4}. {h.Score,8:F4}  {h.Id,-14} {h.Caption}"));
        Console.Error.WriteLine($"embedded and searched in {IndexCommand.Ms(ms)} ms ({(mode == SearchMode.MaxScore ? "maxscore" : "exhaustive")})");
        return 0;
    }
}

internal static class IndexInfoCommand
{
    public static Command Create()
    {
        var index = new Option<string>("--index") { Description = "Index file", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("info", "Header and size figures of an index file (checks its CRC).");
        command.Options.Add(index);
        command.Options.Add(json);
        command.SetAction(parse => IndexCommand.Run("info", () =>
        {
            string path = parse.GetValue(index)!;
            IndexCommand.MustExist(path, "--index");
            var info = SparseIndex.Load(path).Info;
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    file = path, format_version = SparseIndex.FormatVersion, items = info.Items, vocabulary_size = info.VocabularySize, vocabulary_hash = info.VocabularyHash,
                    scale = info.Scale, top_k = info.TopK, terms = info.Terms, postings = info.Postings, mean_nnz = Math.Round(info.MeanNnz, 2),
                    bytes = info.Bytes, bytes_per_item = Math.Round(info.BytesPerItem, 2),
                }));
            else Console.WriteLine($"{path}: {SparseIndex.FileMagic} version {SparseIndex.FormatVersion}; {info}");
            return 0;
        }));
        return command;
    }
}

internal static class IndexExportCommand
{
    public static Command Create()
    {
        var index = new Option<string>("--index") { Description = "Index file", Required = true };
        var format = new Option<string>("--format") { Description = "elasticsearch (sparse_vector) or opensearch (rank_features)", Required = true };
        var vocab = new Option<string?>("--vocab") { Description = "vocab.txt: feature names are its words (default t0, t1, ...)" };
        var output = new Option<string>("--out") { Description = "Folder for mapping.json, bulk-NNNN.ndjson and query.json", Required = true };
        var queries = new Option<string?>("--query-vectors") { Description = ".npy whose row 0 becomes the example query.json (default: item 0's vector)" };
        var k = new Option<int>("--k") { Description = "size of the example query", DefaultValueFactory = _ => 10 };
        var perFile = new Option<int>("--docs-per-file") { Description = "documents per bulk file", DefaultValueFactory = _ => 10_000 };
        var command = new Command("export", "Write an index for Elasticsearch or OpenSearch: mapping, NDJSON bulk files, a query body that scores like mw.");
        foreach (var o in new Option[] { index, format, vocab, output, queries, k, perFile }) command.Options.Add(o);
        command.SetAction(parse => IndexCommand.Run("export", () =>
        {
            string path = parse.GetValue(index)!, outDir = parse.GetValue(output)!;
            IndexCommand.MustExist(path, "--index");
            var fmt = parse.GetValue(format) switch
            {
                "elasticsearch" => ExportFormat.Elasticsearch,
                "opensearch" => ExportFormat.OpenSearch,
                var other => throw new ArgumentException($"--format '{other}': expected elasticsearch or opensearch"),
            };
            if (parse.GetValue(perFile) < 1 || parse.GetValue(k) < 1) throw new ArgumentException("--docs-per-file and --k must be >= 1");
            OutputCheck.Folder(outDir, "--out");
            var idx = SparseIndex.Load(path);
            var (words, hash) = IndexCommand.Vocabulary(parse.GetValue(vocab), idx.VocabularySize, "the index's terms");
            if (words is not null && hash != idx.VocabularyHash)
                throw new InvalidDataException($"{path}: index built over vocabulary {idx.VocabularyHash}, --vocab is vocabulary {hash}");
            SparseVector? example = null;
            if (parse.GetValue(queries) is { } qpath)
            {
                IndexCommand.MustExist(qpath, "--query-vectors");
                var qs = VectorInput.ReadNpy(qpath, idx.VocabularySize).Rows;
                if (qs.Length == 0) throw new InvalidDataException($"{qpath}: no query rows");
                example = qs[0];
            }
            var files = ElasticsearchExport.Export(idx, words, outDir, fmt, example, parse.GetValue(k), parse.GetValue(perFile),
                done => Console.Error.Write($"\r  {done:N0}/{idx.ItemCount:N0} documents"));
            if (idx.ItemCount > 0) Console.Error.WriteLine();
            Console.WriteLine($"wrote {files.Count} files to {outDir} ({fmt}): mapping.json, {files.Count - 2} bulk file(s), query.json");
            Console.WriteLine(fmt == ExportFormat.Elasticsearch
                ? "  curl -XPUT $ES/motions -H 'Content-Type: application/json' -d @mapping.json; for f in bulk-*.ndjson; do curl -XPOST $ES/motions/_bulk -H 'Content-Type: application/x-ndjson' --data-binary @$f; done; curl $ES/motions/_search -H 'Content-Type: application/json' -d @query.json"
                : "  same requests against OpenSearch: PUT /motions mapping.json, POST /motions/_bulk each bulk file, POST /motions/_search query.json");
            return 0;
        }));
        return command;
    }
}
