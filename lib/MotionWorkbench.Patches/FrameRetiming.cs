namespace MotionWorkbench.Patches;

/// <summary>
/// The reference's frame-rate conversion (Motion Patches <c>_subsample_to_20fps</c>, a copy of BABEL's
/// <c>_subsample_to_30fps</c>), as a list of source-frame indices. With o = source fps and r = target fps:
/// <list type="bullet">
/// <item>if int(o) mod int(r) != 0: sel[k] = floor(o / r * k) for k = 0..int(r)-1; each block of int(o) source
/// frames becomes int(r) output frames (output i int(r) + k takes source i int(o) + sel[k]); the last partial block
/// keeps only the indices below T. For KIT (12.5 -> 20): sel = [0,0,1,1,2,3,3,4,5,5,6,6,7,8,8,9,10,10,11,11], so
/// T = 24 -> 40, 100 -> 167, 134 -> 224, 135 -> 225 (nearest-frame up-sampling by 5/3, one second taken as 12 frames).</item>
/// <item>otherwise: numpy <c>arange(0, T, o / r, dtype=int)</c>, reproduced with numpy's integer-dtype rule
/// (ceil(T / step) values spaced int(step) apart), e.g. 60 -> 20 fps keeps every third frame and 20 -> 20 is the identity.</item>
/// </list>
/// </summary>
public static class FrameRetiming
{
    /// <summary>Source-frame indices of the re-timed sequence (each in 0..T-1).</summary>
    public static int[] SourceIndices(int frames, float sourceFps, float targetFps)
    {
        if (frames < 0) throw new ArgumentException($"frame count must not be negative, got {frames}");
        if (!(sourceFps > 0) || !float.IsFinite(sourceFps)) throw new ArgumentException($"source frame rate must be positive, got {sourceFps}");
        if (!(targetFps >= 1) || !float.IsFinite(targetFps)) throw new ArgumentException($"target frame rate must be at least 1, got {targetFps}");
        double orig = sourceFps, outFps = targetFps;
        int origInt = (int)orig, outInt = (int)outFps;
        if (origInt % outInt != 0)
        {
            var sel = new int[outInt];
            for (int k = 0; k < outInt; k++) sel[k] = (int)Math.Floor(orig / outFps * k);
            int blocks = frames / origInt;
            var indices = new List<int>(blocks * outInt + outInt);
            for (int i = 0; i < blocks; i++)
                foreach (int s in sel) indices.Add(i * origInt + s);
            if (frames % origInt != 0)
            {
                int last = blocks * origInt;
                foreach (int s in sel)
                    if (s + last < frames) indices.Add(s + last);
            }
            return indices.ToArray();
        }
        else
        {
            // np.arange(0, T, step, dtype=int): length ceil(T / step); numpy casts start and start + step to int
            // and steps by their difference.
            double step = orig / outFps;
            int count = (int)Math.Ceiling(frames / step);
            int delta = (int)step;
            if (count > 0 && delta == 0)
                throw new ArgumentException($"re-timing {sourceFps} fps to {targetFps} fps: the reference's integer step would be 0");
            var indices = new int[Math.Max(count, 0)];
            for (int i = 0; i < indices.Length; i++) indices[i] = i * delta;
            return indices;
        }
    }

    /// <summary>Length of the re-timed sequence.</summary>
    public static int RetimedLength(int frames, float sourceFps, float targetFps) => SourceIndices(frames, sourceFps, targetFps).Length;

    /// <summary>True when re-timing to <paramref name="targetFps"/> changes nothing (the same rate).</summary>
    public static bool IsIdentity(float sourceFps, float? targetFps) => targetFps is null || sourceFps == targetFps;
}
