namespace MotionWorkbench.Tensors;

/// <summary>Graph-recording switch: <c>using (Autograd.NoGrad()) { ... }</c> runs ops without building a tape.</summary>
public static class Autograd
{
    [ThreadStatic] private static int noGradDepth;

    /// <summary>True when ops record their backward closures (no <see cref="NoGrad"/> scope is open on this thread).</summary>
    public static bool IsEnabled => noGradDepth == 0;

    /// <summary>Opens a scope in which ops record nothing; dispose it to restore recording.</summary>
    public static NoGradScope NoGrad()
    {
        noGradDepth++;
        return new NoGradScope();
    }

    /// <summary>The disposable returned by <see cref="NoGrad"/>.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        public void Dispose() => noGradDepth--;
    }

    /// <summary>
    /// Runs backward from <paramref name="root"/>: an iterative DFS gives a topological order, the root grad is seeded
    /// with <paramref name="seed"/> (1 for a scalar loss), then every node's closure runs in reverse order and adds
    /// (+=) into its inputs' grads. Unless <paramref name="retainGraph"/>, each intermediate node's buffers (data,
    /// grad, caches) go back to the <see cref="BufferPool"/> as soon as its closure has run; reading them later throws.
    /// </summary>
    internal static void Backward(Tensor root, ReadOnlySpan<float> seed, bool retainGraph)
    {
        if (!root.RequiresGrad) throw new InvalidOperationException($"Backward: the root tensor {root.Describe()} does not require grad (no parameter or input with RequiresGrad reaches it, or it was made under NoGrad).");
        var order = TopologicalOrder(root);
        foreach (var node in order) node.ReleaseGrad(); // intermediate grads start from zero every pass (as in PyTorch)
        var rootGrad = root.GradSpan;
        for (int i = 0; i < rootGrad.Length; i++) rootGrad[i] += seed.Length == 1 ? seed[0] : seed[i];
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (OpProfile.Active is { } profile)
            {
                double start = profile.Now();
                node.BackwardFn!();
                profile.Backward(node.Op ?? "?", start);
            }
            else node.BackwardFn!();
            if (!retainGraph)
            {
                node.ReleaseCaches();
                if (!ReferenceEquals(node, root))
                {
                    node.ReleaseGrad();
                    node.ReleaseData();
                }
                node.BackwardFn = null;
                node.Parents = [];
            }
        }
    }

    /// <summary>Nodes with a backward closure reachable from root, parents before children (iterative, no recursion).</summary>
    internal static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Node, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Parents.Length)
            {
                stack.Push((node, next + 1));
                var parent = node.Parents[next];
                if (parent.BackwardFn is not null && visited.Add(parent)) stack.Push((parent, 0));
            }
            else if (node.BackwardFn is not null)
            {
                order.Add(node);
            }
        }
        return order;
    }
}
