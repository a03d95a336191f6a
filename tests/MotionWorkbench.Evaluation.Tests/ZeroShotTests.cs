namespace MotionWorkbench.Evaluation.Tests;

public class ZeroShotTests
{
    [Fact]
    public void Prompts_UseTemplate()
    {
        Assert.Equal(["A person walk", "A person jump"], ZeroShotPrompts.Build(["walk", "jump"]));
        Assert.Equal(["someone is walking"], ZeroShotPrompts.Build(["walking"], "someone is {label}"));
        Assert.Throws<ArgumentException>(() => ZeroShotPrompts.Build(["walk"], "a person"));
        Assert.Throws<ArgumentException>(() => ZeroShotPrompts.Build([" "]));
    }

    [Fact]
    public void Evaluate_HandMadeScores_GivesTopKBalancedAndConfusion()
    {
        // 4 samples, 6 classes. Labels 0, 0, 0, 1.
        // s0: class 0 best -> top-1. s1: class 0 tied with class 2 at the top; class 0 has the lower index -> top-1.
        // s2: class 0 is 6th -> neither. s3: class 1 is 2nd (class 3 first) -> top-5 only.
        var s = SimilarityMatrix.FromRows(
        [
            [0.9f, 0.1f, 0.2f, 0.3f, 0.0f, 0.0f],
            [0.7f, 0.1f, 0.7f, 0.3f, 0.0f, 0.0f],
            [0.0f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f],
            [0.1f, 0.8f, 0.2f, 0.9f, 0.0f, 0.0f],
        ]);
        var r = ZeroShotClassifier.Evaluate(s, [0, 0, 0, 1]);
        Assert.Equal(50.0, r.Top1);
        Assert.Equal(75.0, r.Top5);
        Assert.Equal((200.0 / 3 + 0.0) / 2, r.BalancedTop1, 12); // class 0: 2 of 3; class 1: 0 of 1
        Assert.Equal([2, 1, 0, 0, 0, 0], r.Confusion[0]); // s0, s1 predicted 0; s2 predicted 1
        Assert.Equal([0, 0, 0, 1, 0, 0], r.Confusion[1]); // s3 predicted 3
        Assert.All(r.Confusion.Skip(2), row => Assert.All(row, c => Assert.Equal(0, c)));
        Assert.Contains("\"top5\":75", r.ToJson());
        Assert.Throws<ArgumentException>(() => ZeroShotClassifier.Evaluate(s, [0, 0, 0, 6]));
    }
}
