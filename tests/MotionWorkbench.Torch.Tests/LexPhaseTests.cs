using MotionWorkbench.Models;
using MotionWorkbench.Training;
using TorchSharp;
using Xunit.Abstractions;
using WTensor = MotionWorkbench.Tensors.Tensor;

namespace MotionWorkbench.Torch.Tests;

/// <summary>The Lex pre-training losses (LexMLM, CMMM, LexMMM) and their gradients on TorchSharp match the own engine's (dropout 0).</summary>
public sealed class LexPhaseTests(ITestOutputHelper output)
{
    private const int MaskId = 4, FirstWord = 5;

    private static MotionInput OwnInput(MotionBatch batch) => batch.Representation == MotionRepresentation.RawSequence
        ? new MotionInput(WTensor.Wrap(batch.Raw!.Data, batch.Raw.Shape), Array.ConvertAll(batch.Raw.Mask, m => m == 0f))
        : new MotionInput(WTensor.Wrap(batch.Patches!.Data, batch.Patches.Shape));

    [TorchTheory]
    [InlineData("mlm", "lex")]
    [InlineData("mlm", "lex-captions")]
    [InlineData("mmm", "lex")]
    [InlineData("mmm", "lex-raw")]
    [InlineData("cmmm", "lex")]
    public void Phase_loss_and_gradients_match_the_own_engine(string phase, string variant)
    {
        var (spec, words) = ParityTests.Variant(variant);
        spec = spec with { LexPhase = phase };
        var own = (LexicalRetrievalModel)Support.Own(spec, 13, words);
        using var scope = torch.NewDisposeScope();
        using var model = (TorchLexicalModel)TorchModels.Create(spec, own, torch.CPU);
        Assert.NotEqual(own.LossName, model.LossName); // by default the torch trainer refuses the phase ...
        Assert.Contains(phase, model.LossName, StringComparison.Ordinal);
        model.PretrainingPhases = true;                 // ... and with the switch it is the own engine's loss
        Assert.Equal(own.LossName, model.LossName);
        Assert.False(model.TrainsContrastively);

        var text = Support.Text(50, 4, 10);
        var motionBatch = Support.Motion(spec, 51, 4);
        var masks = CaptionMasks.Make(text, MaskId, Support.Vocab, FirstWord, seed: 77);
        foreach (var p in own.Module.Parameters()) p.ZeroGrad();
        var ownLoss = phase switch
        {
            "mlm" => own.Model.LexMlmLoss(text, masks),
            "mmm" => own.Model.LexMmmLoss(OwnInput(motionBatch), text, masks),
            _ => own.Model.CmmmLoss(OwnInput(motionBatch), 91),
        };
        float ownValue = ownLoss.Item();
        ownLoss.Backward();

        var loss = phase switch
        {
            "mlm" => model.LexMlmLoss(text, masks),
            "mmm" => model.LexMmmLoss(TorchInterop.ToTorch(motionBatch, torch.CPU), text, masks),
            _ => model.CmmmLoss(TorchInterop.ToTorch(motionBatch, torch.CPU), 91),
        };
        loss.backward();
        float value = loss.ToWorkbench().Item();
        double worst = Support.AssertGradientsMatch(own.Module, model, $"{phase}/{variant}");
        output.WriteLine($"{phase}/{variant}: loss own {ownValue:G7} torch {value:G7}; worst gradient difference {worst:E2} of the largest entry");
        Assert.True(Math.Abs(value - ownValue) <= 1e-4 * Math.Abs(ownValue), $"{phase}/{variant}: loss own {ownValue} torch {value}");
    }
}
