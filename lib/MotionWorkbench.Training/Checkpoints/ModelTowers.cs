using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>The two towers of a model of the zoo: the one place that knows where each architecture keeps them.</summary>
public static class ModelTowers
{
    /// <summary>The model's transformer <see cref="TextEncoder"/>, or null for a model without one ("bag").</summary>
    public static TextEncoder? Text(IRetrievalModel model) => model switch
    {
        TransformerModel t => t.Model.TextEncoder,
        InteractionRetrievalModel i => i.Model.TextEncoder,
        LexicalRetrievalModel l => l.Model.TextEncoder,
        CaptionModel c => c.Network.TextEncoder,
        _ => null,
    };

    /// <summary>The model's <see cref="MotionEncoder"/>, or null for a model without one ("bag").</summary>
    public static MotionEncoder? Motion(IRetrievalModel model) => model switch
    {
        TransformerModel t => t.Model.MotionEncoder,
        InteractionRetrievalModel i => i.Model.MotionEncoder,
        LexicalRetrievalModel l => l.Model.MotionEncoder,
        CaptionModel c => c.Network.MotionEncoder,
        _ => null,
    };
}
