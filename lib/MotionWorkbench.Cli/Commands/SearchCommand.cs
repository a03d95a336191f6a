using System.CommandLine;
using System.Text.Json;
using MotionWorkbench.Experiments;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw search --run RUNDIR [--k 5] [--split test] [--data DIR] "text"</c>: the k motions of a split closest to free text;
/// <c>--motion ID</c> instead gives the k captions closest to a motion. With <c>--index F.mwidx</c> (built by
/// <c>mw index build --run</c> from a Lex run) the text's lexical vector is searched through the sparse inverted index
/// instead of the dense scan; the index must be over the run's vocabulary.
/// </summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "Run folder written by mw train", Required = true };
        var k = new Option<int>("--k") { Description = "Number of results", DefaultValueFactory = _ => 5 };
        var split = new Option<string>("--split") { Description = "Split whose motions form the gallery", DefaultValueFactory = _ => "test" };
        var data = new Option<string?>("--data") { Description = "Dataset folder (default: the run's)" };
        var motion = new Option<string?>("--motion") { Description = "A motion id of the split: search captions instead" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var sparse = new Option<string?>("--index") { Description = "A sparse index (mw index build --run) of a Lex run: search it instead of scanning the split (text queries only)" };
        var text = new Argument<string?>("text") { Description = "The query text", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("search", "Text -> motion search (or motion -> caption with --motion) with a trained run.");
        foreach (var o in new Option[] { run, k, split, data, motion, json, sparse, ThreadsOption.Create() }) command.Options.Add(o);
        command.Arguments.Add(text);
        command.SetAction(parse =>
        {
            try
            {
                var query = parse.GetValue(text);
                var motionId = parse.GetValue(motion);
                if (string.IsNullOrWhiteSpace(query) == (motionId is null))
                    throw new ArgumentException("give either a query text or --motion ID (not both)");
                string? indexPath = parse.GetValue(sparse);
                if (indexPath is not null && motionId is not null) throw new ArgumentException("--index searches with a query text, not --motion");
                if (indexPath is not null && !File.Exists(indexPath)) throw new FileNotFoundException($"--index {indexPath}: no such file");
                var index = indexPath is null
                    ? RetrievalIndex.Open(parse.GetValue(run)!, parse.GetValue(data), parse.GetValue(split)!)
                    : SparseExperiments.OpenLex(parse.GetValue(run)!, parse.GetValue(data), parse.GetValue(split)!);
                if (query is not null && index.UnknownWords(query) is { Count: > 0 } unknown)
                    Console.Error.WriteLine($"note: not in the run's vocabulary, read as [UNK]: {string.Join(", ", unknown.Select(w => $"'{w}'"))}");
                var hits = indexPath is not null
                    ? SparseExperiments.Search(index, SparseExperiments.LoadFor(indexPath, index, parse.GetValue(run)!), query!, parse.GetValue(k))
                    : motionId is null ? index.SearchMotions(query!, parse.GetValue(k)) : index.SearchCaptions(motionId, parse.GetValue(k));
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(hits.Select(h => new { rank = h.Rank, id = h.Id, score = Math.Round(h.Score, 6), caption = h.Caption }), new JsonSerializerOptions { WriteIndented = true }));
                    return 0;
                }
                Console.WriteLine(motionId is null ? $"motions of '{index.Embeddings.Split}' closest to \"{query}\":" : $"captions of '{index.Embeddings.Split}' closest to motion {motionId}:");
                foreach (var h in hits) Console.WriteLine($"{h.Rank,3}. {h.Score,7:F3}  {h.Id,-14} {h.Caption}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"mw search: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
