using System.Globalization;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// The scaling figures of <c>mw bench --threads 1,2,4,8,16</c> for one model: each count's samples/s against the smallest
/// count's (run first): speed-up = rate(t) / rate(t0), parallel efficiency = speed-up / (t / t0) (1.0: every added
/// thread pays in full). Adds <c>speedup</c>, <c>efficiency</c> and <c>efficiency_base_threads</c> to each result.
/// </summary>
internal sealed class BenchScaling(string model)
{
    private readonly List<(int Threads, double SamplesPerSecond, double Speedup, double Efficiency, int Quiet, int Steps)> rows = [];

    public void Add(Dictionary<string, object> result)
    {
        int t = Convert.ToInt32(result["threads"], CultureInfo.InvariantCulture);
        double rate = Convert.ToDouble(result["samples_per_s"], CultureInfo.InvariantCulture);
        var (t0, rate0) = rows.Count > 0 ? (rows[0].Threads, rows[0].SamplesPerSecond) : (t, rate);
        double speedup = rate0 > 0 ? rate / rate0 : 0, efficiency = speedup * t0 / t;
        rows.Add((t, rate, speedup, efficiency, Convert.ToInt32(result["quiet_steps"], CultureInfo.InvariantCulture), Convert.ToInt32(result["steps"], CultureInfo.InvariantCulture)));
        result["speedup"] = Math.Round(speedup, 3);
        result["efficiency"] = Math.Round(efficiency, 3);
        result["efficiency_base_threads"] = t0;
    }

    /// <summary>", x1.86 vs 1 thread, efficiency 0.93" for the model's line (empty for the base count).</summary>
    public string Suffix() => rows.Count < 2 ? "" : string.Create(CultureInfo.InvariantCulture,
        $"; x{rows[^1].Speedup:F2} vs {rows[0].Threads} thread{(rows[0].Threads == 1 ? "" : "s")}, parallel efficiency {rows[^1].Efficiency:F2}");

    /// <summary>The model's table: threads, samples/s, speed-up, efficiency, quiet steps.</summary>
    public IEnumerable<string> Table()
    {
        if (rows.Count < 2) yield break;
        yield return $"scaling {model} (speed-up and parallel efficiency against {rows[0].Threads} thread{(rows[0].Threads == 1 ? "" : "s")}; steps with other load excluded where quiet ones exist):";
        yield return "  threads  samples/s  speed-up  efficiency  quiet steps";
        foreach (var r in rows)
            yield return string.Create(CultureInfo.InvariantCulture, $"  {r.Threads,7}  {r.SamplesPerSecond,9:F2}  {r.Speedup,7:F2}x  {r.Efficiency,10:F2}  {r.Quiet,5}/{r.Steps}");
    }
}
