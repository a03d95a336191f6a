using MotionWorkbench.Data.Probes;
using MotionWorkbench.Data.Synthetic;

namespace MotionWorkbench.Data.Tests;

public class SyntheticProbeFixture
{
    public SyntheticProbeFixture()
    {
        Smpl = SyntheticProbes.Generate(new ProbeOptions { PairsPerAttribute = 16, Seed = 5 });
        Kit = SyntheticProbes.Generate(new ProbeOptions { PairsPerAttribute = 4, Seed = 5, Skeleton = "kit" });
    }

    public IReadOnlyList<SyntheticProbePair> Smpl { get; }
    public IReadOnlyList<SyntheticProbePair> Kit { get; }
}

public class SyntheticProbeTests(SyntheticProbeFixture fx) : IClassFixture<SyntheticProbeFixture>
{
    private static float[] Frame(MotionClip c, int t) => c.Positions.AsSpan(t * c.JointCount * 3, c.JointCount * 3).ToArray();

    [Fact]
    public void Generate_EveryAttribute_HasItsPairs()
    {
        foreach (var set in new[] { fx.Smpl, fx.Kit })
        {
            var counts = set.GroupBy(p => p.Pair.Attribute).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(ProbeAttributes.All.Order(), counts.Keys.Order());
            Assert.All(counts.Values, n => Assert.Equal(set.Count / ProbeAttributes.All.Count, n));
        }
    }

    [Fact]
    public void Pairs_GeneratorParameters_DifferInTheNamedAttributeOnly()
    {
        foreach (var p in fx.Smpl.Concat(fx.Kit))
            Assert.Equal([p.Pair.Attribute], ProbeMotionParameters.Differences(p.A, p.B));
    }

    [Fact]
    public void Differences_NameWhatDiffers()
    {
        var p = fx.Smpl.First(x => x.Pair.Attribute == ProbeAttributes.Side);
        Assert.Empty(ProbeMotionParameters.Differences(p.A, p.A));
        var other = p.A with { Subject = p.A.Subject with { Height = p.A.Subject.Height + 0.01f }, Gaps = p.A.Gaps.Select(g => g + 0.1f).ToArray() };
        Assert.Equal(["subject", "timing"], ProbeMotionParameters.Differences(p.A, other));
        var noisy = p.A with { Style = p.A.Style.Select(v => v + 1e-3f).ToArray() };
        Assert.Equal(["noise"], ProbeMotionParameters.Differences(p.A, noisy));
        var actions = p.A.Actions.ToList();
        actions[^1] = actions[^1] with { Reps = actions[^1].Reps + 1, Pace = actions[^1].Pace == Pace.Slow ? Pace.Fast : Pace.Slow };
        Assert.Equal(["count", "pace"], ProbeMotionParameters.Differences(p.A, p.A with { Actions = actions }));
    }

    [Fact]
    public void Pairs_Captions_DifferAndStateTheChange()
    {
        foreach (var p in fx.Smpl.Concat(fx.Kit))
        {
            var (pair, a, b) = (p.Pair, p.A, p.B);
            Assert.NotEqual(pair.CaptionA, pair.CaptionB);
            Assert.StartsWith("a person ", pair.CaptionA);
            Assert.Equal(pair.CaptionA, p.ClipA.Captions.Single().Text);
            Assert.Equal(pair.CaptionB, p.ClipB.Captions.Single().Text);
            switch (pair.Attribute)
            {
                case ProbeAttributes.Mirror:
                    Assert.Equal(Mirroring.MirrorText(pair.CaptionA), pair.CaptionB);
                    Assert.Equal(Mirroring.MirrorPositions(p.ClipA.Positions, p.ClipA.Skeleton), p.ClipB.Positions);
                    break;
                case ProbeAttributes.Side:
                {
                    int k = a.Actions.Select((x, i) => (x, i)).Single(t => t.x.Side != b.Actions[t.i].Side).i;
                    Assert.Contains(a.Actions[k].Side == Side.Left ? "left" : "right", pair.CaptionA);
                    Assert.Contains(b.Actions[k].Side == Side.Left ? "left" : "right", pair.CaptionB);
                    break;
                }
                case ProbeAttributes.Order:
                {
                    var parts = pair.CaptionA.TrimEnd('.')["a person ".Length..].Split(", then ");
                    Assert.Equal(2, parts.Length);
                    Assert.Equal($"a person {parts[1]}, then {parts[0]}.", pair.CaptionB);
                    break;
                }
                case ProbeAttributes.Pace:
                {
                    int k = a.Actions.Select((x, i) => (x, i)).Single(t => t.x.Pace != b.Actions[t.i].Pace).i;
                    bool slowA = a.Actions[k].Pace == Pace.Slow;
                    Assert.Contains("slow", slowA ? pair.CaptionA : pair.CaptionB);
                    Assert.Matches("quick|fast|sprint", slowA ? pair.CaptionB : pair.CaptionA);
                    break;
                }
            }
        }
    }

    [Fact]
    public void Pairs_FramesBeforeTheChange_AreTheSame()
    {
        // Same subject, pauses and noise: until the changed action starts both motions are the same standing (and context) frames.
        int checkedPairs = 0;
        foreach (var p in fx.Smpl.Where(x => x.Pair.Attribute is not (ProbeAttributes.Mirror or ProbeAttributes.Order)))
        {
            int k = Enumerable.Range(0, p.A.Actions.Count).First(i => p.A.Actions[i] != p.B.Actions[i]);
            float start = p.A.Lead;
            var clip = p.ClipA;
            int frames = (int)(start * clip.Fps) - 1;
            if (k > 0) continue; // a context action first: its end depends on nothing changed either, but the start is enough here
            for (int t = 0; t < frames; t++)
                Assert.Equal(Frame(p.ClipA, t), Frame(p.ClipB, t), (x, y) => MathF.Abs(x - y) <= 1e-5f);
            checkedPairs++;
        }
        Assert.True(checkedPairs > 10, $"only {checkedPairs} pairs checked");
    }

    [Fact]
    public void OrderPairs_AreTheSameWindowBlocksSwapped()
    {
        foreach (var p in fx.Smpl.Where(x => x.Pair.Attribute == ProbeAttributes.Order))
        {
            int first = p.A.Actions[0].SlotFrames, second = p.A.Actions[1].SlotFrames;
            Assert.Equal(0, first % 16);
            Assert.Equal(0, second % 16);
            int F = p.ClipA.JointCount * 3;
            Assert.Equal(first + second, p.ClipA.Frames);
            var a = p.ClipA.Positions;
            var b = p.ClipB.Positions;
            // b = [second block of a | first block of a], bit for bit
            Assert.True(a.AsSpan(first * F).SequenceEqual(b.AsSpan(0, second * F)), $"{p.Pair.Id}: b does not start with a's second block");
            Assert.True(a.AsSpan(0, first * F).SequenceEqual(b.AsSpan(second * F)), $"{p.Pair.Id}: b does not end with a's first block");
        }
    }

    [Fact]
    public void Clips_FitTheBudget()
    {
        Assert.All(fx.Smpl, p => { Assert.InRange(p.ClipA.Frames, 2, 112); Assert.InRange(p.ClipB.Frames, 2, 112); });
        // KIT: 12 source frames become one second at 20 fps, so 5.6 s at the patch rate is 67 source frames
        Assert.All(fx.Kit, p => { Assert.InRange(p.ClipA.Frames, 2, 67); Assert.Equal(12.5f, p.ClipA.Fps); Assert.Equal(21, p.ClipA.JointCount); });
    }

    [Fact]
    public void Generate_SameSeed_SameBytes_OtherSeed_OtherPairs()
    {
        var o = new ProbeOptions { PairsPerAttribute = 2, Seed = 5, Attributes = [ProbeAttributes.Count, ProbeAttributes.Order] };
        var x = SyntheticProbes.Generate(o);
        var y = SyntheticProbes.Generate(o);
        var z = SyntheticProbes.Generate(o with { Seed = 6 });
        Assert.Equal(x.Select(p => p.ClipA.Positions), y.Select(p => p.ClipA.Positions));
        Assert.Equal(x.Select(p => p.Pair.CaptionB), y.Select(p => p.Pair.CaptionB));
        Assert.NotEqual(x.Select(p => p.ClipA.Positions[^1]), z.Select(p => p.ClipA.Positions[^1]));
        // the same pair as in the full set: a pair depends on the seed, attribute and index only
        var full = fx.Smpl.First(p => p.Pair.Id == "count-0001");
        Assert.Equal(full.ClipB.Positions, x.First(p => p.Pair.Id == "count-0001").ClipB.Positions);
    }

    [Theory]
    [InlineData("bvh", 10, 5.6f, "--skeleton")]
    [InlineData("smpl", 0, 5.6f, "--pairs")]
    [InlineData("smpl", 10, 3f, "--max-seconds")]
    [InlineData("kit", 10, 5.1f, "--max-seconds")]
    public void Options_BadValue_NamesTheOption(string skeleton, int pairs, float seconds, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => SyntheticProbes.Generate(new ProbeOptions { Skeleton = skeleton, PairsPerAttribute = pairs, MaxSeconds = seconds }));
        Assert.Contains(option, e.Message);
        var unknown = Assert.Throws<ArgumentException>(() => SyntheticProbes.Generate(new ProbeOptions { Attributes = ["colour"] }));
        Assert.Contains("colour", unknown.Message);
    }

    [Theory]
    [InlineData("smpl")]
    [InlineData("kit")]
    public void Generate_AtTheShortestAllowedClips_FitsEveryOrderPair(string skeleton)
    {
        // order pairs need the most room (two actions and their pauses in whole windows); at MinSeconds every draw must fit
        var pairs = SyntheticProbes.Generate(new ProbeOptions { Skeleton = skeleton, PairsPerAttribute = 300, Seed = 9, MaxSeconds = ProbeOptions.MinSeconds, Attributes = [ProbeAttributes.Order] });
        Assert.Equal(300, pairs.Count);
    }
}
