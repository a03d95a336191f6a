namespace MotionWorkbench.Patches.Tests;

public class BatchTests
{
    private static List<Data.MotionClip> Clips() =>
        Enumerable.Range(0, 9).Select(i => TestClips.Make(150 + 20 * i, id: $"m{i}", value: (t, j, c) => TestClips.Value(t + i, j, c))).ToList();

    [Fact]
    public void Build_EqualsPerSampleBuilds_AndHasBatchLayout()
    {
        var clips = Clips();
        var patches = new MotionPatchBuilder(TestClips.Varied(22));
        var batch = new PatchBatchBuilder(patches).Build(clips, PatchMode.Eval, seed: 0);
        Assert.Equal([9, 3, 224, 80], batch.Shape);
        Assert.Equal(9 * 3 * 224 * 80, batch.Data.Length);
        for (int b = 0; b < 9; b++)
        {
            var single = patches.Build(clips[b], PatchMode.Eval);
            Assert.Equal(single.Data, batch.Sample(b).ToArray());
            Assert.Equal(Math.Min(224, clips[b].Frames), batch.Lengths[b]);
            Assert.Equal(clips[b].Id, batch.Ids[b]);
        }
    }

    [Fact]
    public void Build_Train_DeterministicGivenSeed_IndependentOfThreads()
    {
        var clips = Clips();
        var patches = new MotionPatchBuilder(TestClips.Identity(22));
        var one = new PatchBatchBuilder(patches, 1).Build(clips, PatchMode.Train, seed: 42);
        var two = new PatchBatchBuilder(patches, 2).Build(clips, PatchMode.Train, seed: 42);
        var other = new PatchBatchBuilder(patches, 2).Build(clips, PatchMode.Train, seed: 43);
        Assert.Equal(one.Data, two.Data);
        Assert.Equal(one.CropStarts, two.CropStarts);
        Assert.NotEqual(one.CropStarts, other.CropStarts);
        // Sample b crops with new Random(SampleSeed(seed, b)).
        for (int b = 0; b < clips.Count; b++)
        {
            var expected = patches.Build(clips[b], PatchMode.Train, new Random(PatchBatchBuilder.SampleSeed(42, b)));
            Assert.Equal(expected.CropStart, one.CropStarts[b]);
        }
    }

    [Fact]
    public void BuildInto_ReusesTheBuffer()
    {
        var clips = Clips();
        var builder = new PatchBatchBuilder(new MotionPatchBuilder(TestClips.Identity(22)));
        var buffer = new float[9 * 3 * 224 * 80];
        var batch = builder.BuildInto(clips, PatchMode.Eval, 0, buffer);
        Assert.Same(buffer, batch.Data);
        Assert.Throws<ArgumentException>(() => builder.BuildInto(clips, PatchMode.Eval, 0, new float[10]));
    }

    [Fact]
    public void BuildRaw_HasMaskAndLengths()
    {
        var clips = Clips();
        var raw = new PatchBatchBuilder(new MotionPatchBuilder(TestClips.Identity(22))).BuildRaw(clips, PatchMode.Eval, 0);
        Assert.Equal([9, 224, 66], raw.Shape);
        Assert.Equal(150, raw.Lengths[0]);
        Assert.Equal(1f, raw.Mask[149]);
        Assert.Equal(0f, raw.Mask[150]);
        Assert.Equal(1f, raw.Mask[224 * 8 + 223]);
    }

    [Fact]
    public void EpochOrder_ShufflesDeterministicallyInTraining()
    {
        var a = PatchBatchBuilder.EpochOrder(10, 4, shuffle: true, seed: 3).ToList();
        var b = PatchBatchBuilder.EpochOrder(10, 4, shuffle: true, seed: 3).ToList();
        Assert.Equal(a.SelectMany(x => x.Members), b.SelectMany(x => x.Members));
        Assert.Equal(Enumerable.Range(0, 10), a.SelectMany(x => x.Members).Order());
        Assert.NotEqual(Enumerable.Range(0, 10), a.SelectMany(x => x.Members));
        Assert.Equal([4, 4, 2], a.Select(x => x.Members.Length));
        var eval = PatchBatchBuilder.EpochOrder(10, 4, shuffle: false, seed: 3, dropLast: true).ToList();
        Assert.Equal(Enumerable.Range(0, 8), eval.SelectMany(x => x.Members));
    }

    [Fact]
    public void Batches_CoverTheEpoch()
    {
        var clips = Clips();
        var builder = new PatchBatchBuilder(new MotionPatchBuilder(TestClips.Identity(22)));
        var batches = builder.Batches(clips, 4, PatchMode.Train, seed: 1).ToList();
        Assert.Equal(3, batches.Count);
        Assert.Equal(clips.Select(c => c.Id).Order(), batches.SelectMany(b => b.Ids).Order());
    }
}
