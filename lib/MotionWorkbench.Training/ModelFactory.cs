namespace MotionWorkbench.Training;

/// <summary>Builds the model a <see cref="ModelSpec"/> describes, with a seeded initialisation.</summary>
public static class ModelFactory
{
    public static IRetrievalModel Create(ModelSpec spec, int vocabularySize, ulong seed) => spec.Architecture switch
    {
        "bag" => new BagModel(spec, vocabularySize, seed),
        "vit" => VitModel.Create(spec, vocabularySize, seed),
        _ => throw new ArgumentException($"unknown model.architecture '{spec.Architecture}' (vit, bag)"),
    };
}
