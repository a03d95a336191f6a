namespace MotionWorkbench.Training;

/// <summary>One search hit: the item (motion id or caption), its cosine similarity and its rank (1-based).</summary>
public sealed record SearchHit(int Rank, string Id, string Caption, double Score);
