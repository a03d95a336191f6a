namespace MotionWorkbench.Tensors;

/// <summary>
/// Reuses float buffers by exact length so a training step does not allocate its activations and gradients anew
/// (the llm.c arena idea without a fixed plan). Buffers return here when <see cref="Tensor.Backward"/> is done with
/// them or when a tensor is released explicitly. Thread-safe; rented buffers are not cleared unless asked.
/// </summary>
public static class BufferPool
{
    private static readonly Dictionary<int, Stack<float[]>> Free = new();
    private static readonly Lock Gate = new();
    private static long pooledFloats;

    /// <summary>
    /// Debug switch: fill every buffer rented without <c>clear</c> with NaN, so a kernel that reads memory it did not
    /// write shows up at once (fresh pages from the OS are zero and would hide it).
    /// </summary>
    public static bool PoisonUncleared { get; set; }

    /// <summary>Floats currently held by the pool (free, not rented).</summary>
    public static long PooledFloats { get { lock (Gate) return pooledFloats; } }

    /// <summary>A buffer of exactly <paramref name="length"/> floats, zeroed when <paramref name="clear"/>.</summary>
    public static float[] Rent(int length, bool clear)
    {
        if (length == 0) return [];
        float[]? buffer = null;
        lock (Gate)
        {
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                buffer = stack.Pop();
                pooledFloats -= length;
            }
        }
        buffer ??= GC.AllocateUninitializedArray<float>(length);
        if (clear) Array.Clear(buffer);
        else if (PoisonUncleared) buffer.AsSpan().Fill(float.NaN);
        return buffer;
    }

    /// <summary>Gives a buffer back; the caller must not touch it afterwards.</summary>
    public static void Return(float[] buffer)
    {
        if (buffer.Length == 0) return;
        lock (Gate)
        {
            if (!Free.TryGetValue(buffer.Length, out var stack)) Free[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            pooledFloats += buffer.Length;
        }
    }

    /// <summary>Drops every pooled buffer (they become garbage).</summary>
    public static void Trim()
    {
        lock (Gate) { Free.Clear(); pooledFloats = 0; }
    }
}
