namespace MotionWorkbench.Render.Views;

/// <summary>Wraps an HTML string (for example a skeleton animation from MotionWorkbench.Patches) so it displays as HTML.</summary>
[Interactive.TypeFormatterSource(typeof(Interactive.ViewFormatterSource), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed class HtmlView(string html) : IHtmlView
{
    public string Html { get; } = html ?? throw new ArgumentNullException(nameof(html));

    public string ToHtml() => Html;

    public override string ToString() => $"HtmlView ({Html.Length} characters)";
}
