namespace MotionWorkbench.Render.Interactive;

/// <summary>
/// .NET Interactive's by-name convention for formatters (Microsoft.DotNet.Interactive.Formatting's <c>Formatter</c> looks,
/// the first time it formats a type, for an attribute named <c>TypeFormatterSourceAttribute</c> with a
/// <c>FormatterSourceType</c> and <c>PreferredMimeTypes</c>, creates that source and registers what its
/// <c>CreateTypeFormatters()</c> returns: objects with <c>MimeType</c>, <c>Type</c> and <c>bool Format(object, TextWriter)</c>).
/// So a notebook that only <c>#r</c>s this library shows its views as HTML (figures also as plotly JSON, images as PNG),
/// in VS Code and in <c>mw notebook run</c>, with no <c>Formatter.Register</c> line and no package reference here.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;
    public string[]? PreferredMimeTypes { get; set; }
}

/// <summary>The formatters of the workbench views (<see cref="IHtmlView"/>, <see cref="IMimeView"/>), one per MIME type.</summary>
public sealed class ViewFormatterSource
{
    public const string Html = "text/html", PlainText = "text/plain", Png = "image/png";

    public IEnumerable<object> CreateTypeFormatters() =>
        [new ViewFormatter(Html), new ViewFormatter(PlainText), new ViewFormatter(Png), new ViewFormatter(Plots.Figure.PlotlyMimeType)];
}

/// <summary>Writes one MIME representation of a view: its MIME bundle's entry when it has one, else <c>ToHtml()</c> / <c>ToString()</c>.</summary>
public sealed class ViewFormatter(string mimeType)
{
    public string MimeType { get; } = mimeType;
    public Type Type => typeof(IHtmlView);

    public bool Format(object instance, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (instance is not IHtmlView view) return false;
        if (view is IMimeView mime && mime.ToMimeBundle().TryGetValue(MimeType, out var content)) { writer.Write(content); return true; }
        switch (MimeType)
        {
            case ViewFormatterSource.Html: writer.Write(view.ToHtml()); return true;
            case ViewFormatterSource.PlainText: writer.Write(view.ToString()); return true;
            case ViewFormatterSource.Png when view is Views.ImageView image: writer.Write(image.Base64); return true;
            default: return false;
        }
    }
}
