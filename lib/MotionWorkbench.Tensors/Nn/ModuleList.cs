namespace MotionWorkbench.Tensors.Nn;

/// <summary>Numbered children "0", "1", ... (PyTorch's ModuleList), so names read <c>blocks.3.attn.qkv.weight</c>.</summary>
public sealed class ModuleList<T> : Module where T : Module
{
    public T[] Items { get; }

    public ModuleList(int count, Func<int, T> make)
    {
        Items = new T[count];
        for (int i = 0; i < count; i++) Items[i] = Child(i.ToString(System.Globalization.CultureInfo.InvariantCulture), make(i));
    }

    public T this[int index] => Items[index];

    public int Count => Items.Length;
}
