using System.Diagnostics;
using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Patches;

/// <summary>Result of <see cref="PatchBenchmark.Run"/>.</summary>
public sealed record PatchBenchmarkResult(int Motions, int Frames, int PatchSize, int Threads, int BatchSize,
    double Seconds, double StatisticsSeconds, double Checksum)
{
    public double MotionsPerSecond => Motions / Seconds;
}

/// <summary>
/// Throughput of patch building: synthetic SMPL-22 motions (smooth sinusoids around a standing pose; generating
/// them is not timed), dataset statistics over all of them (timed separately), then every motion turned into a
/// (3, T, 5N) patch in training mode (seeded crops), batch by batch into one reused (B, 3, T, 5N) buffer.
/// </summary>
public static class PatchBenchmark
{
    /// <param name="threads">Threads that generate them: 0 = as many as .NET reports processors.</param>
    public static List<MotionClip> SyntheticMotions(int count, int frames, int seed, int threads = 0)
    {
        if (count < 1 || frames < 1) throw new ArgumentException($"need at least one motion and one frame, got {count} x {frames}");
        var sk = Skeleton.Smpl22;
        int J = sk.JointCount;
        var clips = new MotionClip[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Math.Max(1, Environment.ProcessorCount) }, m =>
        {
            var rng = new Random(PatchBatchBuilder.SampleSeed(seed, m));
            var pos = new float[frames * J * 3];
            var phase = new float[J * 3];
            var amp = new float[J * 3];
            for (int i = 0; i < phase.Length; i++) { phase[i] = (float)(rng.NextDouble() * 6.283); amp[i] = 0.02f + 0.2f * (float)rng.NextDouble(); }
            float speed = 0.5f + (float)rng.NextDouble();
            for (int t = 0; t < frames; t++)
                for (int j = 0; j < J; j++)
                    for (int c = 0; c < 3; c++)
                    {
                        int i = j * 3 + c;
                        float baseValue = c == 1 ? 0.1f + 0.075f * j : 0.05f * (j % 5) - 0.1f;
                        float travel = c == 2 ? speed * t / 20f : 0f;
                        pos[(t * J + j) * 3 + c] = baseValue + travel + amp[i] * MathF.Sin(0.2f * t + phase[i]);
                    }
            clips[m] = new MotionClip($"synthetic{m:D5}", sk, 20f, pos);
        });
        return [.. clips];
    }

    public static PatchBenchmarkResult Run(IReadOnlyList<MotionClip> motions, PatchOptions options, int threads, int batchSize, int seed,
        IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(motions);
        if (motions.Count == 0) throw new ArgumentException("no motions to benchmark");
        if (batchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {batchSize}");
        var clock = Stopwatch.StartNew();
        var stats = MotionStatistics.Compute(motions, ZeroStdPolicy.Keep, "benchmark motions");
        double statsSeconds = clock.Elapsed.TotalSeconds;

        var builder = new PatchBatchBuilder(new MotionPatchBuilder(stats, options), threads);
        var buffer = new float[batchSize * builder.Patches.PatchLength];
        // Warm-up (JIT) on one small batch, not timed.
        builder.BuildInto(motions.Take(Math.Min(batchSize, motions.Count)).ToArray(), PatchMode.Train, seed, buffer);

        double checksum = 0;
        clock.Restart();
        var batch = new MotionClip[batchSize];
        for (int start = 0, index = 0; start < motions.Count; start += batchSize, index++)
        {
            int B = Math.Min(batchSize, motions.Count - start);
            var members = B == batchSize ? batch : new MotionClip[B];
            for (int b = 0; b < B; b++) members[b] = motions[start + b];
            var result = builder.BuildInto(members, PatchMode.Train, PatchBatchBuilder.SampleSeed(seed, index), buffer);
            checksum += result.Data[result.SampleLength / 2]; // keeps the work observable
            progress?.Report((start + B) / (double)motions.Count);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new PatchBenchmarkResult(motions.Count, motions[0].Frames, options.PatchSize, threads, batchSize, seconds, statsSeconds, checksum);
    }
}
