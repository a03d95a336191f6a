using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Tensors.Optim;

namespace MotionWorkbench.Tensors.Tests.Optim;

/// <summary>The engine state a checkpoint saves besides weights and moments: dropout counters and Adam's step count.</summary>
public class ResumeStateTests
{
    [Fact]
    public void Dropout_counter_set_on_a_new_stream_continues_the_same_masks()
    {
        var x = Tensor.Full(1f, 4, 64);
        var a = new DropoutRng(9);
        _ = Ops.Dropout(x, 0.3f, a);                   // an earlier step
        ulong saved = a.Counter;
        var expected = Ops.Dropout(x, 0.3f, a).ToArray();

        var b = new DropoutRng(9) { Counter = saved };  // a resumed run: same seed, counter from the checkpoint
        Assert.Equal(expected, Ops.Dropout(x, 0.3f, b).ToArray());
        Assert.NotEqual(expected, Ops.Dropout(x, 0.3f, new DropoutRng(9)).ToArray()); // a fresh stream repeats the first step's mask instead
    }

    [Fact]
    public void Adam_restored_from_moments_and_step_count_takes_the_same_next_step()
    {
        static (Linear Layer, ParameterStore Store, Adam Optimizer) Make()
        {
            var lin = new Linear(3, 2);
            for (int i = 0; i < lin.Weight.Size; i++) lin.Weight.Data[i] = 0.1f * i - 0.2f;
            var store = new ParameterStore(lin);
            return (lin, store, new Adam(store, 0.05f));
        }
        static void Step((Linear Layer, ParameterStore Store, Adam Optimizer) m, int k)
        {
            m.Optimizer.ZeroGrad();
            Ops.SumAll(Ops.Mul(m.Layer.Forward(Tensor.FromArray([1f, -2f + k, 0.5f], 1, 3)), m.Layer.Forward(Tensor.FromArray([0.3f, 1f, k], 1, 3)))).Backward();
            m.Optimizer.Step();
        }
        var original = Make();
        for (int k = 0; k < 3; k++) Step(original, k);

        var restored = Make();
        original.Store.Values.CopyTo(restored.Store.Values);
        original.Optimizer.M.CopyTo(restored.Optimizer.M, 0);
        original.Optimizer.V.CopyTo(restored.Optimizer.V, 0);
        restored.Optimizer.StepCount = original.Optimizer.StepCount;
        Step(original, 3);
        Step(restored, 3);
        Assert.Equal(4, restored.Optimizer.StepCount);
        Assert.Equal(original.Store.Values.ToArray(), restored.Store.Values.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => restored.Optimizer.StepCount = -1);
    }
}
