using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Patches.Tests;

public class ResamplingTests
{
    // Golden source positions u_s from reference-facts 1.3 (checked there with OpenCV 4.6 on one-hot inputs).
    public static TheoryData<int, float[]> Golden => new()
    {
        { 4, [0f, 0f, 0.125f, 0.375f, 0.625f, 0.875f, 1.125f, 1.375f, 1.625f, 1.875f, 2.125f, 2.375f, 2.625f, 2.875f, 3f, 3f] },
        { 5, [0f, 0f, 0.28125f, 0.59375f, 0.90625f, 1.21875f, 1.53125f, 1.84375f, 2.15625f, 2.46875f, 2.78125f, 3.09375f, 3.40625f, 3.71875f, 4f, 4f] },
        { 6, [0f, 0.0625f, 0.4375f, 0.8125f, 1.1875f, 1.5625f, 1.9375f, 2.3125f, 2.6875f, 3.0625f, 3.4375f, 3.8125f, 4.1875f, 4.5625f, 4.9375f, 5f] },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void SamplePositions_N16_MatchReferenceExactly(int n, float[] expected)
    {
        Assert.Equal(expected, PartResampler.SamplePositions(n, 16));
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Resample_OneHotInputs_GiveTheGoldenWeights(int n, float[] expected)
    {
        // Channel 0 carries the joint index itself, so the output is u_s; channels 1 and 2 are one-hot at joint 1.
        var chain = new float[n * 3];
        for (int i = 0; i < n; i++) { chain[i * 3] = i; chain[i * 3 + 1] = i == 1 ? 1 : 0; chain[i * 3 + 2] = 7f; }
        var output = new float[16 * 3];
        PartResampler.Resample(chain, n, output, 16);
        for (int s = 0; s < 16; s++)
        {
            Assert.Equal(expected[s], output[s * 3]);
            float u = expected[s];
            float weightOfJoint1 = u <= 0 ? 0 : u < 1 ? u : u < 2 ? 2 - u : 0;
            Assert.Equal(weightOfJoint1, output[s * 3 + 1], 6);
            Assert.Equal(7f, output[s * 3 + 2]);
        }
    }

    [Theory]
    [InlineData(4, 8)]
    [InlineData(5, 8)]
    [InlineData(6, 8)]
    [InlineData(4, 32)]
    [InlineData(5, 32)]
    [InlineData(6, 32)]
    public void SamplePositions_OtherPatchSizes_FollowTheSameFormula(int n, int N)
    {
        var u = PartResampler.SamplePositions(n, N);
        Assert.Equal(N, u.Length);
        for (int s = 0; s < N; s++)
        {
            double expected = Math.Clamp((s + 0.5) * n / N - 0.5, 0, n - 1);
            Assert.Equal(expected, u[s], 6);
            if (s > 0) Assert.True(u[s] >= u[s - 1]);
        }
        Assert.Equal(0f, u[0]);
        Assert.Equal(n - 1, u[^1]);
    }

    [Fact]
    public void Plan_Smpl22_UsesTheChainsInBandOrder()
    {
        var plan = PartResampler.Plan(Skeleton.Smpl22, 16);
        Assert.Equal(80, plan.Length);
        // Right leg [0, 2, 5, 8, 11]: samples 0 and 1 are the pelvis, 14 and 15 the right foot.
        Assert.Equal(new ChainSample(0, 2, 0f), plan[0]);
        Assert.Equal(new ChainSample(0, 2, 0f), plan[1]);
        Assert.Equal(new ChainSample(11, 11, 0f), plan[15]);
        // Spine [0, 3, 6, 9, 12, 15], sample 1: u = 0.0625 between pelvis and spine1.
        Assert.Equal(new ChainSample(0, 3, 0.0625f), plan[32 + 1]);
        // Left arm [9, 13, 16, 18, 20] ends at the left wrist.
        Assert.Equal(20, plan[79].Joint0);
    }

    [Fact]
    public void Plan_Kit21_ArmsOfFourJoints()
    {
        var plan = PartResampler.Plan(Skeleton.Kit21, 16);
        // Right arm [3, 5, 6, 7], sample 2: u = 0.125.
        Assert.Equal(new ChainSample(3, 5, 0.125f), plan[48 + 2]);
        Assert.Equal(new ChainSample(7, 7, 0f), plan[63]);
    }
}
