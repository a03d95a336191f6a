namespace MotionWorkbench.Models;

/// <summary>
/// The two-person model (paper Table 7): a <see cref="MotionTextModel"/> with <see cref="MotionTextModel.People"/> = 2,
/// one shared <c>motion_encoder</c> applied to each person, the two features concatenated and projected by
/// <c>motion_head</c> (2·FeatureDim → E); the text side and loss are the same. Its files keep their own format.
/// </summary>
public static class InteractionModel
{
    /// <summary>A freshly initialised two-person model (deterministic in <paramref name="seed"/>).</summary>
    public static MotionTextModel Create(MotionTextModelConfig config, ulong seed) => MotionTextModel.Create(config, seed, people: 2);

    /// <summary>Rebuilds a two-person model from a file written by <see cref="MotionTextModel.Save"/>.</summary>
    public static MotionTextModel Load(string path) => MotionTextModel.Load(path, people: 2);
}
