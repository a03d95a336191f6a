using System.CommandLine;
using System.Text.Json;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw bench retrieval</c>: times the similarity matrix and the ranking of every protocol (All, Small batches,
/// TMR normal, TMR guo; both directions) on random embeddings of HumanML3D's test size. The target is ranking all
/// protocols for 4,384 x 4,384 in under 2 s, encoding excluded.
/// </summary>
internal static class BenchRetrievalCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "number of text/motion pairs", DefaultValueFactory = _ => 4384 };
        var dim = new Option<int>("--dim") { Description = "embedding dimension", DefaultValueFactory = _ => 256 };
        var repeats = new Option<int>("--repeats") { Description = "timed runs after one warm-up run (the median is reported)", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "one JSON object on stdout" };
        var command = new Command("retrieval", "Time the similarity matrix and the ranking of all retrieval protocols (target: 4,384 x 4,384 ranked in under 2 s).");
        foreach (var o in new Option[] { n, dim, repeats, json, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int count = parse.GetValue(n), d = parse.GetValue(dim), r = parse.GetValue(repeats);
            if (count < 32 || d < 1 || r < 1)
            {
                Console.Error.WriteLine($"mw bench retrieval: need --n >= 32 (Small batches uses groups of 32), --dim >= 1 and --repeats >= 1; got {count}, {d}, {r}");
                return 2;
            }
            RetrievalBenchmark.Run(count, d, seed: 0, threads: Par.Threads); // warm-up: JIT and first-touch page faults
            var runs = Enumerable.Range(1, r).Select(i => RetrievalBenchmark.Run(count, d, seed: i, threads: Par.Threads)).ToList();
            var median = runs.OrderBy(x => x.RankingSeconds).ElementAt(runs.Count / 2);
            double similarity = runs.Select(x => x.SimilaritySeconds).Order().ElementAt(runs.Count / 2);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = "retrieval", n = count, dim = d, repeats = r,
                    similarity_s = Math.Round(similarity, 4),
                    ranking_s = Math.Round(median.RankingSeconds, 4),
                    protocols_s = median.ProtocolSeconds.ToDictionary(p => p.Key, p => Math.Round(p.Value, 4)),
                    target_ranking_s = 2.0,
                }));
            }
            else
            {
                Console.WriteLine(median);
                Console.WriteLine($"median of {r} run(s): similarity {similarity:F3} s, ranking {median.RankingSeconds:F3} s (target < 2 s)");
            }
            return 0;
        });
        return command;
    }
}
