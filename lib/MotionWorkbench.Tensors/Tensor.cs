using System.Runtime.CompilerServices;

namespace MotionWorkbench.Tensors;

/// <summary>
/// A contiguous row-major float32 buffer with a shape, its gradient, and (when recorded) the ordered parents and the
/// backward closure that produced it. Data may be a slice of a larger array (parameters live in one flat arena,
/// see <see cref="ParameterStore"/>). Tensors made by ops inside a recorded graph rent their buffers from
/// <see cref="BufferPool"/>; <see cref="Backward"/> returns them after use.
/// </summary>
public sealed class Tensor
{
    private float[]? data;
    private int dataOffset;
    private float[]? grad;
    private int gradOffset;
    private bool dataPooled;
    private bool gradPooled;
    private bool released;
    private List<float[]>? caches;

    /// <summary>Dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>Number of elements.</summary>
    public int Size { get; }

    /// <summary>True for leaves whose grad the user wants (parameters, inputs) and for every op output depending on one.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Operation label for debugging ("linear", "leaf", ...).</summary>
    public string Op { get; internal set; } = "leaf";

    /// <summary>Optional name (parameters carry their state-dict name).</summary>
    public string? Name { get; set; }

    internal Tensor[] Parents = [];
    internal Action? BackwardFn;

    internal Tensor(int[] shape, float[] buffer, int offset, bool pooled)
    {
        Shape = shape;
        Size = ShapeSize(shape);
        if (offset + Size > buffer.Length) throw new ArgumentException($"buffer of {buffer.Length} floats is too short for shape {Format(shape)} at offset {offset}");
        data = buffer;
        dataOffset = offset;
        dataPooled = pooled;
    }

    /// <summary>A tensor over a copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape)
    {
        int n = ShapeSize(shape);
        if (n != values.Length) throw new ArgumentException($"FromArray: {values.Length} values do not fill shape {Format(shape)} ({n} elements)");
        var t = new Tensor((int[])shape.Clone(), new float[n], 0, pooled: false);
        values.CopyTo(t.Data);
        return t;
    }

    /// <summary>A tensor that wraps <paramref name="buffer"/> without copying.</summary>
    public static Tensor Wrap(float[] buffer, params int[] shape) => new((int[])shape.Clone(), buffer, 0, pooled: false);

    /// <summary>A zero-filled tensor (not pooled).</summary>
    public static Tensor Zeros(params int[] shape) => new((int[])shape.Clone(), new float[ShapeSize(shape)], 0, pooled: false);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        t.Data.Fill(value);
        return t;
    }

    /// <summary>A one-element tensor of shape (1).</summary>
    public static Tensor Scalar(float value) => FromArray([value], 1);

    /// <summary>An op output: pooled storage, uncleared unless asked.</summary>
    internal static Tensor Pooled(int[] shape, bool clear = false)
    {
        int n = ShapeSize(shape);
        var t = new Tensor(shape, BufferPool.Rent(n, clear), 0, pooled: true);
        TensorScope.Track(t);
        return t;
    }

    /// <summary>The values. Throws when the buffer went back to the pool after <see cref="Backward"/>.</summary>
    public Span<float> Data
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (released) ThrowReleased();
            return new Span<float>(data, dataOffset, Size);
        }
    }

    /// <summary>The gradient, allocated (zeroed) on first use.</summary>
    public Span<float> Grad => GradSpan;

    internal Span<float> GradSpan
    {
        get
        {
            if (grad is null)
            {
                grad = BufferPool.Rent(Size, clear: true);
                gradOffset = 0;
                gradPooled = true;
            }
            return new Span<float>(grad, gradOffset, Size);
        }
    }

    /// <summary>True once a gradient buffer exists.</summary>
    public bool HasGrad => grad is not null;

    internal float[] DataArray => released ? ThrowReleased<float[]>() : data!;
    internal int DataOffset => dataOffset;

    /// <summary>The first value (for scalars such as a loss).</summary>
    public float Item() => Data[0];

    /// <summary>A copy of the values.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Dim(int axis) => Shape[axis < 0 ? Shape.Length + axis : axis];

    /// <summary>A copy outside any graph (owns a fresh array; RequiresGrad false).</summary>
    public Tensor Detach() => FromArray(Data, Shape);

    /// <summary>
    /// Backpropagates from this tensor (a one-element loss, or any tensor with an explicit <paramref name="outGrad"/>).
    /// Gradients are added to <see cref="Grad"/> of every leaf that requires grad. Intermediate buffers return to the
    /// pool unless <paramref name="retainGraph"/>.
    /// </summary>
    public void Backward(Tensor? outGrad = null, bool retainGraph = false)
    {
        if (outGrad is null)
        {
            if (Size != 1) throw new InvalidOperationException($"Backward without an output gradient needs a one-element tensor; this one is {Describe()}");
            Autograd.Backward(this, [1f], retainGraph);
        }
        else
        {
            CheckSameShape(this, outGrad, "Backward(outGrad)");
            Autograd.Backward(this, outGrad.Data, retainGraph);
        }
    }

    /// <summary>Clears this tensor's gradient (parameters use <see cref="ParameterStore.ZeroGrad"/>).</summary>
    public void ZeroGrad()
    {
        if (grad is not null) Array.Clear(grad, gradOffset, Size);
    }

    /// <summary>Returns pooled buffers now (the tensor becomes unusable).</summary>
    public void Release()
    {
        ReleaseCaches();
        ReleaseGrad();
        ReleaseData();
    }

    internal void ReleaseData()
    {
        if (dataPooled && !released)
        {
            BufferPool.Return(data!);
            data = null;
            dataPooled = false;
            released = true;
        }
    }

    internal void ReleaseGrad()
    {
        if (gradPooled && grad is not null) BufferPool.Return(grad);
        grad = null;
        gradPooled = false;
    }

    internal void ReleaseCaches()
    {
        if (caches is null) return;
        foreach (var c in caches) BufferPool.Return(c);
        caches = null;
    }

    /// <summary>Rents a cache buffer owned by this node; it returns to the pool after the node's backward.</summary>
    internal float[] RentCache(int length, bool clear = false)
    {
        var buffer = BufferPool.Rent(length, clear);
        (caches ??= []).Add(buffer);
        return buffer;
    }

    /// <summary>Points data and grad at slices of the parameter arena.</summary>
    internal void Rebase(float[] dataArena, int dataAt, float[] gradArena, int gradAt)
    {
        Data.CopyTo(dataArena.AsSpan(dataAt, Size));
        if (dataPooled) BufferPool.Return(data!);
        data = dataArena; dataOffset = dataAt; dataPooled = false;
        ReleaseGrad();
        grad = gradArena; gradOffset = gradAt; gradPooled = false;
    }

    /// <summary>A new tensor sharing this one's storage with another shape (no grad link; use Ops.Reshape in graphs).</summary>
    internal Tensor ShareAs(int[] shape) => new(shape, DataArray, dataOffset, pooled: false);

    /// <summary>Wires an op output into the graph when recording is on and some parent requires grad.</summary>
    internal Tensor Record(string op, Tensor[] parents, Action backward)
    {
        Op = op;
        OpProfile.Active?.ForwardEnd(op);
        if (!Autograd.IsEnabled) { ReleaseCaches(); return this; }
        foreach (var p in parents)
        {
            if (p.RequiresGrad)
            {
                RequiresGrad = true;
                Parents = parents;
                BackwardFn = backward;
                return this;
            }
        }
        ReleaseCaches();
        return this;
    }

    /// <summary>True when the output of an op will need its backward (so caches must be kept).</summary>
    internal static bool Recording(params ReadOnlySpan<Tensor> inputs)
    {
        if (!Autograd.IsEnabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    public override string ToString() => Describe();

    internal string Describe() => $"{(Name is null ? "" : Name + " ")}{Op} {Format(Shape)}";

    public static string Format(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";

    internal static int ShapeSize(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape {Format(shape)}");
            n *= d;
        }
        if (n > int.MaxValue) throw new ArgumentException($"shape {Format(shape)} has more than 2^31 elements");
        return (int)n;
    }

    internal static void CheckSameShape(Tensor a, Tensor b, string op)
    {
        if (!a.Shape.AsSpan().SequenceEqual(b.Shape)) throw new ArgumentException($"{op}: shapes {Format(a.Shape)} and {Format(b.Shape)} differ");
    }

    private void ThrowReleased() => throw new InvalidOperationException($"tensor {Describe()} was released to the buffer pool after Backward; copy it (ToArray/Detach) before calling Backward, or pass retainGraph: true");
    private T ThrowReleased<T>() { ThrowReleased(); return default!; }
}
