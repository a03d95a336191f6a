namespace MotionWorkbench.Data.Skeletons;

/// <summary>The five body parts, in the order of their bands along the motion image's width.</summary>
public enum BodyPart
{
    RightLeg = 0,
    LeftLeg = 1,
    Spine = 2,
    RightArm = 3,
    LeftArm = 4,
}

/// <summary>
/// A skeleton: joint names, parents (-1 for the root), optional rest offsets (J x 3, metres, Y up) and the
/// five body-part chains in band order (right leg, left leg, spine/head, right arm, left arm), each ordered
/// outward from the torso. Shared joints (the root, the upper spine) may appear in several chains, as in the
/// reference code. Immutable; the constructor checks every index.
/// </summary>
public sealed class Skeleton
{
    public const int PartCount = 5;

    public Skeleton(
        string name,
        IReadOnlyList<string> jointNames,
        IReadOnlyList<int> parents,
        IReadOnlyList<int[]> chains,
        IReadOnlyList<(int Right, int Left)> mirrorPairs,
        float[]? restOffsets = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        int J = jointNames.Count;
        if (J == 0) throw new ArgumentException($"skeleton '{name}' has no joints");
        if (parents.Count != J)
            throw new ArgumentException($"skeleton '{name}': {J} joint names but {parents.Count} parents");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in jointNames)
            if (!seen.Add(n)) throw new ArgumentException($"skeleton '{name}': joint name '{n}' appears twice");
        int roots = 0;
        for (int j = 0; j < J; j++)
        {
            int p = parents[j];
            if (p == -1) { roots++; continue; }
            if (p < 0 || p >= J || p == j)
                throw new ArgumentException($"skeleton '{name}': joint {j} '{jointNames[j]}' has invalid parent {p}");
        }
        if (roots != 1) throw new ArgumentException($"skeleton '{name}' must have exactly one root (parent -1), found {roots}");
        for (int j = 0; j < J; j++)
        {
            // Walk to the root; a cycle would take more than J steps.
            int steps = 0;
            for (int k = j; parents[k] != -1; k = parents[k])
                if (++steps > J) throw new ArgumentException($"skeleton '{name}': parent cycle through joint {j} '{jointNames[j]}'");
        }
        if (chains.Count != PartCount)
            throw new ArgumentException($"skeleton '{name}' needs {PartCount} part chains (right leg, left leg, spine, right arm, left arm), got {chains.Count}");
        for (int p = 0; p < PartCount; p++)
        {
            var chain = chains[p];
            if (chain.Length < 2)
                throw new ArgumentException($"skeleton '{name}': chain {(BodyPart)p} has {chain.Length} joint(s); at least 2 are needed");
            foreach (var j in chain)
                if (j < 0 || j >= J) throw new ArgumentException($"skeleton '{name}': chain {(BodyPart)p} names joint {j}, outside 0..{J - 1}");
        }
        foreach (var (r, l) in mirrorPairs)
            if (r < 0 || r >= J || l < 0 || l >= J || r == l)
                throw new ArgumentException($"skeleton '{name}': invalid mirror pair ({r}, {l})");
        if (restOffsets is not null && restOffsets.Length != J * 3)
            throw new ArgumentException($"skeleton '{name}': rest offsets have {restOffsets.Length} values, expected {J} x 3 = {J * 3}");

        Name = name;
        JointNames = jointNames.ToArray();
        Parents = parents.ToArray();
        Chains = chains.Select(c => (int[])c.Clone()).ToArray();
        MirrorPairs = mirrorPairs.ToArray();
        RestOffsets = (float[]?)restOffsets?.Clone();
    }

    public string Name { get; }
    public IReadOnlyList<string> JointNames { get; }
    public IReadOnlyList<int> Parents { get; }

    /// <summary>Five chains of joint indices, in band order, each ordered outward from the torso.</summary>
    public IReadOnlyList<int[]> Chains { get; }

    /// <summary>Right/left joint pairs swapped by mirroring.</summary>
    public IReadOnlyList<(int Right, int Left)> MirrorPairs { get; }

    /// <summary>Rest-pose offset of each joint from its parent, J x 3 (metres, Y up), when known.</summary>
    public float[]? RestOffsets { get; }

    public int JointCount => JointNames.Count;

    public int[] Chain(BodyPart part) => Chains[(int)part];

    /// <summary>Index of a joint by exact name; throws listing the joints when it is absent.</summary>
    public int IndexOf(string jointName)
    {
        for (int j = 0; j < JointNames.Count; j++)
            if (JointNames[j] == jointName) return j;
        throw new KeyNotFoundException($"skeleton '{Name}' has no joint '{jointName}'; its joints are: {string.Join(", ", JointNames)}");
    }

    public override string ToString() => $"{Name} ({JointCount} joints)";

    /// <summary>SMPL 22 joints as in HumanML3D (names and t2m_kinematic_chain from paramUtil.py).</summary>
    public static Skeleton Smpl22 { get; } = new(
        "smpl22",
        ["pelvis", "L_hip", "R_hip", "spine1", "L_knee", "R_knee", "spine2", "L_ankle", "R_ankle", "spine3", "L_foot",
         "R_foot", "neck", "L_collar", "R_collar", "head", "L_shoulder", "R_shoulder", "L_elbow", "R_elbow", "L_wrist", "R_wrist"],
        [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19],
        [[0, 2, 5, 8, 11], [0, 1, 4, 7, 10], [0, 3, 6, 9, 12, 15], [9, 14, 17, 19, 21], [9, 13, 16, 18, 20]],
        [(2, 1), (5, 4), (8, 7), (11, 10), (14, 13), (17, 16), (19, 18), (21, 20)]);

    /// <summary>KIT-ML 21 joints (MMM; kit_kinematic_chain from paramUtil.py; 11/16 hips, 5/8 shoulders).</summary>
    public static Skeleton Kit21 { get; } = new(
        "kit21",
        ["root", "pelvis", "torso", "neck", "head", "R_shoulder", "R_elbow", "R_wrist", "L_shoulder", "L_elbow", "L_wrist",
         "R_hip", "R_knee", "R_ankle", "R_ball", "R_toe", "L_hip", "L_knee", "L_ankle", "L_ball", "L_toe"],
        [-1, 0, 1, 2, 3, 3, 5, 6, 3, 8, 9, 0, 11, 12, 13, 14, 0, 16, 17, 18, 19],
        [[0, 11, 12, 13, 14, 15], [0, 16, 17, 18, 19, 20], [0, 1, 2, 3, 4], [3, 5, 6, 7], [3, 8, 9, 10]],
        [(5, 8), (6, 9), (7, 10), (11, 16), (12, 17), (13, 18), (14, 19), (15, 20)]);
}
