namespace MotionWorkbench.IO;

/// <summary>A float32 array read from a .npy file, C order, with its shape.</summary>
public sealed record NpyArray(float[] Data, int[] Shape)
{
    public int Rank => Shape.Length;
    public string ShapeText => "(" + string.Join(", ", Shape) + ")";
}
