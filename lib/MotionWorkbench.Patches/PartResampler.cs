using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Patches;

/// <summary>
/// One output point of a resampled chain: P = (1 - Weight) J[Joint0] + Weight J[Joint1], with joint indices into
/// the skeleton (already looked up through the chain).
/// </summary>
public readonly record struct ChainSample(int Joint0, int Joint1, float Weight);

/// <summary>
/// Resamples a body-part chain of n joints to N points exactly as the reference does with
/// <c>cv2.resize(part, (N, 1), interpolation=INTER_LINEAR)</c> on a 1 x n, 3-channel float image: linear
/// interpolation by joint index (not bone length) with OpenCV's half-pixel centres and clamped ends:
/// <code>
/// u_s = clamp((s + 0.5) n / N - 0.5, 0, n - 1),  i = floor(u_s),  f = u_s - i
/// P_s = (1 - f) J[i] + f J[min(i + 1, n - 1)]
/// </code>
/// The source position is computed as OpenCV does (double scale 1 / (N / n), then rounded to float), so the
/// positions match the reference bit for bit (facts 1.3).
/// </summary>
public static class PartResampler
{
    /// <summary>The source positions u_s, s = 0..N-1, for a chain of n joints.</summary>
    public static float[] SamplePositions(int n, int N)
    {
        if (n < 1) throw new ArgumentException($"a chain needs at least one joint, got {n}");
        if (N < 1) throw new ArgumentException($"the number of output points must be positive, got {N}");
        var u = new float[N];
        for (int s = 0; s < N; s++)
        {
            var (i, f) = Position(n, N, s);
            u[s] = i + f;
        }
        return u;
    }

    /// <summary>The sampling plan of one chain: for each output point, the two joints and the weight of the second.</summary>
    public static ChainSample[] Plan(IReadOnlyList<int> chain, int N)
    {
        int n = chain.Count;
        if (n < 1) throw new ArgumentException("a chain needs at least one joint");
        var plan = new ChainSample[N];
        for (int s = 0; s < N; s++)
        {
            var (i, f) = Position(n, N, s);
            plan[s] = new ChainSample(chain[i], chain[Math.Min(i + 1, n - 1)], f);
        }
        return plan;
    }

    /// <summary>The plans of the five chains of a skeleton, concatenated in band order: 5 N samples.</summary>
    public static ChainSample[] Plan(Skeleton skeleton, int N)
    {
        ArgumentNullException.ThrowIfNull(skeleton);
        if (skeleton.Chains.Count != PatchOptions.PartCount)
            throw new ArgumentException(
                $"skeleton '{skeleton.Name}' has {skeleton.Chains.Count} body-part chains; motion patches need {PatchOptions.PartCount} " +
                "(right leg, left leg, spine/head, right arm, left arm)");
        var all = new ChainSample[PatchOptions.PartCount * N];
        for (int p = 0; p < PatchOptions.PartCount; p++)
        {
            var chain = skeleton.Chains[p];
            if (chain.Length == 0)
                throw new ArgumentException($"skeleton '{skeleton.Name}': body part {(BodyPart)p} has no joints, so it cannot be mapped to a band");
            foreach (int j in chain)
                if (j < 0 || j >= skeleton.JointCount)
                    throw new ArgumentException($"skeleton '{skeleton.Name}': body part {(BodyPart)p} names joint {j}, outside 0..{skeleton.JointCount - 1}");
            Plan(chain, N).CopyTo(all, p * N);
        }
        return all;
    }

    /// <summary>Resamples one chain given as n x 3 values (row-major) into N x 3 values.</summary>
    public static void Resample(ReadOnlySpan<float> chainValues, int n, Span<float> destination, int N)
    {
        if (chainValues.Length != n * 3) throw new ArgumentException($"chain values: expected {n} x 3 = {n * 3}, got {chainValues.Length}");
        if (destination.Length != N * 3) throw new ArgumentException($"destination: expected {N} x 3 = {N * 3}, got {destination.Length}");
        for (int s = 0; s < N; s++)
        {
            var (i, f) = Position(n, N, s);
            int i1 = Math.Min(i + 1, n - 1);
            for (int c = 0; c < 3; c++)
                destination[s * 3 + c] = (1f - f) * chainValues[i * 3 + c] + f * chainValues[i1 * 3 + c];
        }
    }

    // OpenCV resize (imgproc/src/resize.cpp, INTER_LINEAR): fx = (float)((dx + 0.5) * scale_x - 0.5), sx = floor(fx),
    // fx -= sx; sx < 0 -> (0, 0); sx >= n - 1 -> (n - 1, 0).
    private static (int Index, float Fraction) Position(int n, int N, int s)
    {
        double scale = 1.0 / ((double)N / n);
        float fx = (float)((s + 0.5) * scale - 0.5);
        int sx = (int)MathF.Floor(fx);
        fx -= sx;
        if (sx < 0) { sx = 0; fx = 0f; }
        if (sx >= n - 1) { sx = n - 1; fx = 0f; }
        return (sx, fx);
    }
}
