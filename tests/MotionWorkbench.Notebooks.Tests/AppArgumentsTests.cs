using MotionWorkbench.Notebooks.Apps;

namespace MotionWorkbench.Notebooks.Tests;

/// <summary>The command line of an exported notebook app (<see cref="AppArguments"/>).</summary>
public sealed class AppArgumentsTests
{
    private static readonly string[] Parameters = ["preset", "epochs", "size"];

    [Fact]
    public void Parse_NameValue_AndNameEqualsValue_AndHtml()
    {
        var a = AppArguments.Parse(["--preset", "Laptop", "--epochs=4", "--html", "r.html"], Parameters);
        Assert.Empty(a.Errors);
        Assert.Equal("Laptop", a.Values["preset"]);
        Assert.Equal("4", a.Values["epochs"]);
        Assert.Equal("r.html", a.Report);
        Assert.False(a.Help);
    }

    [Theory]
    [InlineData(new[] { "--presets", "x" }, "--presets is not a parameter of this notebook (the options are --preset, --epochs, --size and --html REPORT.html)")]
    [InlineData(new[] { "Smoke" }, "'Smoke' is not an option")]
    [InlineData(new[] { "--preset" }, "--preset needs a value")]
    [InlineData(new[] { "--preset", "a", "--preset=b" }, "--preset is given twice")]
    [InlineData(new[] { "--html", "a", "--html", "b" }, "--html is given twice")]
    public void Parse_BadCommandLine_IsAnErrorSayingWhatIsWrong(string[] args, string expected)
        => Assert.Contains(AppArguments.Parse(args, Parameters).Errors, e => e.StartsWith(expected, StringComparison.Ordinal));

    [Fact]
    public void Parse_WithoutParametersCell_SaysThereAreNone()
        => Assert.Equal("--x is not a parameter of this notebook (this notebook has no parameters cell; the only option is --html REPORT.html)",
            Assert.Single(AppArguments.Parse(["--x", "1"], []).Errors));

    private enum Size { Small, Large }

    [Fact]
    public void TryConvert_TypesTheTextLikeTheDeclaration()
    {
        Assert.True(AppArguments.TryConvert<int>("12", out var i, out _) && i == 12);
        Assert.True(AppArguments.TryConvert<double>("1e-3", out var d, out _) && d == 1e-3);
        Assert.True(AppArguments.TryConvert<bool>("true", out var b, out _) && b);
        Assert.True(AppArguments.TryConvert<string>("a b", out var s, out _) && s == "a b");
        Assert.True(AppArguments.TryConvert<Size>("Large", out var e, out _) && e == Size.Large);
        Assert.True(AppArguments.TryConvert<int?>("3", out var n, out _) && n == 3);
    }

    [Theory]
    [InlineData("x", "not a whole number")]
    [InlineData("1.5", "not a whole number")]
    public void TryConvert_BadInt_SaysWhatIsExpected(string text, string expected)
    {
        Assert.False(AppArguments.TryConvert<int>(text, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryConvert_BadEnumOrBoolOrNumber_OrUnsupportedType_IsAnError()
    {
        Assert.False(AppArguments.TryConvert<Size>("Huge", out _, out var e1));
        Assert.Equal("not a Size (Small, Large)", e1);
        Assert.False(AppArguments.TryConvert<bool>("yes", out _, out var e2));
        Assert.Equal("not a bool (true or false)", e2);
        Assert.False(AppArguments.TryConvert<double>("NaN", out _, out var e3));
        Assert.Equal("not a number", e3);
        Assert.False(AppArguments.TryConvert<int[]>("1,2", out _, out var e4));
        Assert.StartsWith("a Int32[] parameter cannot be set from the command line", e4);
    }
}
