using MotionWorkbench.Data;

namespace MotionWorkbench.Models;

/// <summary>
/// One training or evaluation entry: a motion (a whole clip or a captioned segment of one) and its captions;
/// <see cref="Partner"/> is the second person of a two-person interaction, <see cref="Source"/> the dataset it comes
/// from (0: data.dir; k: the k-th folder of data.mixWith).
/// </summary>
public sealed record TrainingSample(string Id, MotionClip Clip, IReadOnlyList<string> Captions, MotionClip? Partner = null, int Source = 0);
