namespace MotionWorkbench.Tensors;

// Composite losses (built from primitive ops; no backward of their own).
//   MseLoss:  mean((pred − target)²)
//   ClipLoss: symmetric InfoNCE (CLIP): m̂ = m/‖m‖, t̂ = t/‖t‖ over the last axis, logits = e^s·t̂·m̂ᵀ (N, N),
//             loss = ½·(CE(logits, arange N) + CE(logitsᵀ, arange N)); s is the learnable log logit scale (1).
public static partial class Ops
{
    /// <summary>Mean squared error over all elements.</summary>
    public static Tensor MseLoss(Tensor prediction, Tensor target)
    {
        var d = Sub(prediction, target);
        return MeanAll(Mul(d, d));
    }

    /// <summary>CLIP's symmetric InfoNCE on (N, E) motion and text embeddings with a log logit scale of shape (1).</summary>
    public static Tensor ClipLoss(Tensor motion, Tensor text, Tensor logScale)
    {
        if (motion.Rank != 2) throw new ArgumentException($"ClipLoss: motion embeddings must be (N, E), got {Tensor.Format(motion.Shape)}");
        Tensor.CheckSameShape(motion, text, "ClipLoss(motion, text)");
        if (logScale.Size != 1) throw new ArgumentException($"ClipLoss: logit scale must have one element, got {Tensor.Format(logScale.Shape)}");
        int N = motion.Shape[0];
        var m = L2Normalize(motion);                                       // (N, E)
        var t = L2Normalize(text);                                         // (N, E)
        var logits = Mul(MatMul(t, m, transB: true), Exp(Reshape(logScale, 1, 1))); // (N, N): text rows, motion columns
        var targets = Enumerable.Range(0, N).ToArray();
        var textToMotion = CrossEntropy(logits, targets);
        var motionToText = CrossEntropy(Transpose(logits, 0, 1), targets);
        return Scale(Add(textToMotion, motionToText), 0.5f);
    }
}
