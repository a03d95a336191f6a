// Gradient tests rely on the engine's shared BufferPool holding the buffers of a warm-up pass (see TestModels.Backward),
// so the test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
