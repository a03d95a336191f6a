using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data.Tests;

public class SkeletonTests
{
    [Fact]
    public void Inference_recovers_the_reference_SMPL_and_KIT_chains_and_mirror_pairs()
    {
        foreach (var sk in new[] { Skeleton.Smpl22, Skeleton.Kit21 })
        {
            var inferred = PartInference.Infer("x", sk.JointNames, sk.Parents);
            for (int p = 0; p < 5; p++) Assert.Equal(sk.Chains[p], inferred.Chains[p]);
            Assert.Equal(sk.MirrorPairs.OrderBy(x => x.Right), inferred.MirrorPairs.OrderBy(x => x.Right));
        }
    }

    [Theory]
    [InlineData("CMU", "hip|abdomen:hip|chest:abdomen|neck:chest|head:neck|rCollar:chest|rShldr:rCollar|rForeArm:rShldr|rHand:rForeArm|lCollar:chest|lShldr:lCollar|lForeArm:lShldr|lHand:lForeArm|rButtock:hip|rThigh:rButtock|rShin:rThigh|rFoot:rShin|lButtock:hip|lThigh:lButtock|lShin:lThigh|lFoot:lShin",
        "hip>rButtock>rThigh>rShin>rFoot", "chest>lCollar>lShldr>lForeArm>lHand")]
    [InlineData("CC", "CC_Base_BoneRoot|CC_Base_Hip:CC_Base_BoneRoot|CC_Base_Pelvis:CC_Base_Hip|CC_Base_L_Thigh:CC_Base_Pelvis|CC_Base_L_Calf:CC_Base_L_Thigh|CC_Base_L_Foot:CC_Base_L_Calf|CC_Base_L_ToeBase:CC_Base_L_Foot|CC_Base_R_Thigh:CC_Base_Pelvis|CC_Base_R_Calf:CC_Base_R_Thigh|CC_Base_R_Foot:CC_Base_R_Calf|CC_Base_R_ToeBase:CC_Base_R_Foot|CC_Base_Waist:CC_Base_Hip|CC_Base_Spine01:CC_Base_Waist|CC_Base_Spine02:CC_Base_Spine01|CC_Base_NeckTwist01:CC_Base_Spine02|CC_Base_Head:CC_Base_NeckTwist01|CC_Base_L_Clavicle:CC_Base_Spine02|CC_Base_L_Upperarm:CC_Base_L_Clavicle|CC_Base_L_Forearm:CC_Base_L_Upperarm|CC_Base_L_Hand:CC_Base_L_Forearm|CC_Base_L_Index1:CC_Base_L_Hand|CC_Base_R_Clavicle:CC_Base_Spine02|CC_Base_R_Upperarm:CC_Base_R_Clavicle|CC_Base_R_Forearm:CC_Base_R_Upperarm|CC_Base_R_Hand:CC_Base_R_Forearm",
        "CC_Base_Hip>CC_Base_Pelvis>CC_Base_R_Thigh>CC_Base_R_Calf>CC_Base_R_Foot>CC_Base_R_ToeBase", "CC_Base_Spine02>CC_Base_L_Clavicle>CC_Base_L_Upperarm>CC_Base_L_Forearm>CC_Base_L_Hand")]
    public void Inference_handles_common_naming_schemes(string scheme, string joints, string rightLeg, string leftArm)
    {
        var entries = joints.Split('|').Select(e => e.Split(':')).ToArray();
        var names = entries.Select(e => e[0]).ToList();
        var parents = entries.Select(e => e.Length > 1 ? names.IndexOf(e[1]) : -1).ToList();
        var sk = PartInference.Infer(scheme, names, parents);
        Assert.Equal(rightLeg, string.Join(">", sk.Chains[0].Select(j => names[j])));
        Assert.Equal(leftArm, string.Join(">", sk.Chains[4].Select(j => names[j])));
        Assert.Contains("head", names[sk.Chains[2][^1]].ToLowerInvariant());
        Assert.True(sk.MirrorPairs.Count >= 8);
    }

    [Fact]
    public void Unmappable_skeleton_lists_the_joints_and_the_part()
    {
        string[] names = ["root", "a", "b", "c", "d"];
        int[] parents = [-1, 0, 1, 0, 3];
        var e = Assert.Throws<InvalidDataException>(() => PartInference.Infer("odd", names, parents, null, "odd.bvh"));
        Assert.Contains("odd.bvh: cannot place the right leg", e.Message);
        Assert.Contains("Joints seen (5): root, a, b, c, d", e.Message);
        Assert.Contains("--parts", e.Message);
    }

    [Fact]
    public void Name_analysis_finds_sides_behind_prefixes_and_camel_case()
    {
        Assert.Equal(PartInference.SideOf.Left, PartInference.Analyse("mixamorig:LeftUpLeg").Side);
        Assert.Equal(["up", "leg"], PartInference.Analyse("mixamorig:LeftUpLeg").Words);
        Assert.Equal(PartInference.SideOf.Right, PartInference.Analyse("UpperArm_R").Side);
        Assert.Equal(PartInference.SideOf.Right, PartInference.Analyse("rShldr").Side);
        Assert.Equal(PartInference.SideOf.Left, PartInference.Analyse("joint_L_Knee").Side);
        Assert.Equal(PartInference.SideOf.None, PartInference.Analyse("Hips").Side);
    }

    [Fact]
    public void Skeleton_json_round_trips()
    {
        using var tmp = new TempDir();
        SkeletonJson.Save(tmp.File("s.json"), Skeleton.Smpl22, 20f);
        var (sk, fps) = SkeletonJson.Load(tmp.File("s.json"));
        Assert.Equal(20f, fps);
        Assert.Equal(Skeleton.Smpl22.JointNames, sk.JointNames);
        Assert.Equal(Skeleton.Smpl22.Parents, sk.Parents);
        Assert.Equal(Skeleton.Smpl22.Chains, sk.Chains);
        Assert.Equal(Skeleton.Smpl22.MirrorPairs, sk.MirrorPairs);
        File.WriteAllText(tmp.File("bad.json"), "{\"joints\": [");
        Assert.Contains("bad.json: invalid JSON", Assert.Throws<InvalidDataException>(() => SkeletonJson.Load(tmp.File("bad.json"))).Message);
    }

    [Fact]
    public void Mirroring_swaps_words_and_keeps_case()
    {
        Assert.Equal("A person turns right, then spins counterclockwise with the Left hand.",
            Mirroring.MirrorText("A person turns left, then spins clockwise with the Right hand."));
        Assert.Equal("turns clockwise and leftover", Mirroring.MirrorText("turns counter-clockwise and leftover"));
        Assert.Equal("RIGHT", Mirroring.MirrorText("LEFT"));
    }
}
