namespace MotionWorkbench.Tensors;

/// <summary>
/// Returns every op output made on this thread inside the scope to the <see cref="BufferPool"/> when disposed, so
/// evaluation loops under <see cref="Autograd.NoGrad"/> reuse their activation buffers instead of allocating new
/// ones each batch. Copy out what you keep (<see cref="Tensor.ToArray"/>, <see cref="Tensor.Detach"/>) before the
/// scope ends; reading a released tensor afterwards throws. Scopes nest.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;
    private readonly TensorScope? parent;
    private readonly List<Tensor> tensors = [];
    private bool disposed;

    private TensorScope()
    {
        parent = current;
        current = this;
    }

    /// <summary>Opens a scope on this thread.</summary>
    public static TensorScope Begin() => new();

    internal static void Track(Tensor t) => current?.tensors.Add(t);

    /// <summary>Number of tensors this scope will release.</summary>
    public int Count => tensors.Count;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (!ReferenceEquals(current, this)) throw new InvalidOperationException("TensorScope disposed out of order (an inner scope is still open)");
        current = parent;
        foreach (var t in tensors) t.Release();
    }
}
