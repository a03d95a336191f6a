using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>A batch ready for the model: the motion input and tokenised captions (row b of each is sample b).</summary>
public sealed record ContrastiveBatch(MotionBatch Motion, EncodedBatch Text, IReadOnlyList<string> Captions, IReadOnlyList<TrainingSample> Samples);
