using System.Text.Json;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Text.Tests;

/// <summary>The real KIT-ML captions (TMR's annotations.json) through the corpus helper and MLM masking.</summary>
public class KitCaptionCorpusTests
{
    [SharedDataFact]
    public void KitCaptions_TokeniseWithFewUnknowns_AndMask()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.PathOf("kitml-annotations", "annotations.json")));
        var captions = doc.RootElement.EnumerateObject()
            .SelectMany(e => e.Value.GetProperty("annotations").EnumerateArray().Select(a => a.GetProperty("text").GetString()))
            .ToList();
        Assert.True(captions.Count > 6000, $"{captions.Count} captions");

        var tokenizer = BertTokenizer.FromVocabularyFile(SharedData.PathOf("vocab", "bert-base-uncased-vocab.txt"));
        var corpus = new CaptionCorpus(tokenizer, captions);
        int tokens = 0, unknown = 0, longest = 0;
        foreach (var batch in corpus.Batches(256))
        {
            longest = Math.Max(longest, batch.Length);
            for (int i = 0; i < batch.InputIds.Length; i++)
            {
                if (batch.AttentionMask[i] == 0) continue;
                tokens++;
                if (batch.InputIds[i] == tokenizer.Vocabulary.UnknownId) unknown++;
            }
        }
        Assert.True(unknown < tokens / 1000, $"{unknown} [UNK] of {tokens} tokens");
        Assert.InRange(longest, 10, 512);

        var masked = corpus.MaskedBatches(256, seed: 1).First();
        Assert.InRange(masked.LabelCount, 1, masked.InputIds.Length);
        Assert.Equal(masked.InputIds, corpus.MaskedBatches(256, seed: 1).First().InputIds);
    }
}
