namespace MotionWorkbench.Models;

/// <summary>
/// The words a caption model with a lexical prefix (model.captionLexWords K &gt; 0) reads before each motion's tokens:
/// K ids of the caption run's vocabulary per sample, heaviest first (-1 = absent). The training library computes them
/// from a Lex run's motion vectors (<c>CaptionLexPrefix</c>) and attaches them to the <see cref="CaptionModel"/>.
/// </summary>
public interface ICaptionPrefix
{
    /// <summary>K: the most words per motion.</summary>
    int K { get; }

    /// <summary>B·K vocabulary ids of the samples' prefix words (row b's first; -1 = absent).</summary>
    int[] Ids(IReadOnlyList<TrainingSample> samples);
}
