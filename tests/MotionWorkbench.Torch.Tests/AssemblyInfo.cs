// TorchSharp has one process-wide random generator, and dropout draws from it: a test drawing masks in parallel with
// a resume test would shift that test's masks. The torch tests therefore run one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
