using MotionWorkbench.Tensors.Tests.Support;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.OpsTests;


public class ElementwiseGradTests
{
    public static TheoryData<string> Binary => new() { "add", "sub", "mul", "div" };

    private static Tensor Apply(string op, Tensor a, Tensor b) => op switch
    {
        "add" => Ops.Add(a, b),
        "sub" => Ops.Sub(a, b),
        "mul" => Ops.Mul(a, b),
        _ => Ops.Div(a, b),
    };

    private static Tensor Denominator(Random rng, string op, params int[] shape) => op == "div" ? RandRange(rng, 0.5f, 2f, shape) : Rand(rng, shape);

    [Theory, MemberData(nameof(Binary))]
    public void Binary_Backward_MatchesFiniteDifferences(string op)
    {
        var rng = new Random(1);
        Run(x => Apply(op, x[0], x[1]), [Rand(rng, 2, 3, 4), Denominator(rng, op, 2, 3, 4)], name: op);
    }

    [Theory, MemberData(nameof(Binary))]
    public void Binary_InputUsedTwice_Accumulates(string op)
    {
        var rng = new Random(2);
        Run(x => Ops.Add(Apply(op, x[0], x[1]), Apply(op, x[1], x[0])), [RandRange(rng, 0.5f, 2f, 2, 3), RandRange(rng, 0.5f, 2f, 2, 3)], name: op + " twice");
    }

    [Theory, MemberData(nameof(Binary))]
    public void Binary_BroadcastSuffix_MatchesFiniteDifferences(string op)
    {
        var rng = new Random(3);
        Run(x => Apply(op, x[0], x[1]), [Rand(rng, 2, 3, 4), Denominator(rng, op, 4)], name: op + " suffix");
    }

    [Theory, MemberData(nameof(Binary))]
    public void Binary_BroadcastGeneral_MatchesFiniteDifferences(string op)
    {
        var rng = new Random(4);
        Run(x => Apply(op, x[0], x[1]), [Rand(rng, 2, 1, 4), Denominator(rng, op, 3, 1)], name: op + " general");
    }

    [Fact]
    public void Binary_ThrowsForShapesThatDoNotBroadcast()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Add(Tensor.Zeros(2, 3), Tensor.Zeros(4)));
        Assert.Contains("(2, 3)", e.Message);
    }

    [Fact]
    public void Add_BroadcastForward_MatchesHandValues()
    {
        var y = Ops.Add(Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3), Tensor.FromArray([10, 20, 30], 3));
        Assert.Equal([11f, 22, 33, 14, 25, 36], y.ToArray());
        var z = Ops.Mul(Tensor.FromArray([1, 2], 2, 1), Tensor.FromArray([1, 10, 100], 1, 3));
        Assert.Equal([1f, 10, 100, 2, 20, 200], z.ToArray());
    }

    public static TheoryData<string> Unary => new() { "scale", "exp", "log", "log1p", "relu", "tanh", "gelu" };

    private static Tensor ApplyUnary(string op, Tensor x) => op switch
    {
        "scale" => Ops.Scale(x, -1.7f),
        "exp" => Ops.Exp(x),
        "log" => Ops.Log(x),
        "log1p" => Ops.Log1p(x),
        "relu" => Ops.Relu(x),
        "tanh" => Ops.Tanh(x),
        _ => Ops.Gelu(x),
    };

    private static Tensor UnaryInput(Random rng, string op, params int[] shape)
    {
        if (op is "log" or "log1p") return RandRange(rng, 0.3f, 2f, shape);
        var t = Rand(rng, shape);
        if (op == "relu") { var d = t.Data; for (int i = 0; i < d.Length; i++) if (MathF.Abs(d[i]) < 0.05f) d[i] = 0.5f; }
        return t;
    }

    [Theory, MemberData(nameof(Unary))]
    public void Unary_Backward_MatchesFiniteDifferences(string op)
    {
        var rng = new Random(5);
        Run(x => ApplyUnary(op, x[0]), [UnaryInput(rng, op, 3, 11)], name: op);
    }

    [Theory, MemberData(nameof(Unary))]
    public void Unary_InputUsedTwice_Accumulates(string op)
    {
        var rng = new Random(6);
        Run(x => Ops.Add(ApplyUnary(op, x[0]), ApplyUnary(op, x[0])), [UnaryInput(rng, op, 2, 9)], name: op + " twice");
    }

    [Fact]
    public void Gelu_Forward_MatchesDoubleErf()
    {
        var rng = new Random(7);
        var x = RandRange(rng, -6f, 6f, 1000);
        var y = Ops.Gelu(x).ToArray();
        var expected = x.ToArray().Select(v => (float)(0.5 * v * (1 + ErfDouble(v / Math.Sqrt(2))))).ToArray();
        AssertClose.Equal(expected, y, atol: 1e-6, rtol: 1e-5, what: "gelu");
    }

    /// <summary>erf by its Taylor series / continued fraction in double (independent of the kernel's approximation).</summary>
    internal static double ErfDouble(double x)
    {
        double ax = Math.Abs(x);
        double r;
        if (ax < 3)
        {
            double sum = 0, term = ax;
            for (int n = 0; n < 200; n++)
            {
                sum += term / (2 * n + 1);
                term *= -ax * ax / (n + 1);
            }
            r = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double f = 0;
            for (int n = 60; n >= 1; n--) f = n / 2.0 / (ax + f);
            r = 1 - Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }
}
