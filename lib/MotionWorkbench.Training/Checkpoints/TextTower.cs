using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>The transformer text encoder of a model of the zoo (every architecture but "bag", which has none).</summary>
public static class TextTower
{
    /// <summary>The model's <see cref="TextEncoder"/>, or null for a model without one ("bag").</summary>
    public static TextEncoder? Of(IRetrievalModel model) => model switch
    {
        TransformerModel t => t.Model.TextEncoder,
        InteractionRetrievalModel i => i.Model.TextEncoder,
        LexicalRetrievalModel l => l.Model.TextEncoder,
        CaptionModel c => c.Network.TextEncoder,
        _ => null,
    };
}
