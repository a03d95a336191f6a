namespace MotionWorkbench.Notebooks.Kernel;

/// <summary>
/// What a notebook cell sees besides its own code: Polyglot's helper names <c>display</c>, <c>HTML</c> and
/// <c>Markdown</c>, and a <c>Formatter</c> with Polyglot's <c>Register</c> signatures, so the same cells run in VS Code and
/// under <c>mw notebook run</c>.
/// </summary>
#pragma warning disable IDE1006 // lower-case display() is Polyglot's name
public sealed class NotebookGlobals
{
    private readonly KernelSession session;

    internal NotebookGlobals(KernelSession session)
    {
        this.session = session;
        Formatter = new FormatterRegistry();
    }

    /// <summary>Polyglot-compatible formatter registrations: <c>Formatter.Register&lt;T&gt;(v =&gt; ..., "text/html")</c>.</summary>
    public FormatterRegistry Formatter { get; }

    /// <summary>Shows a value as a new output of the running cell; the result can <see cref="DisplayedValue.Update"/> it in place.</summary>
    public DisplayedValue display(object? value, params string[] mimeTypes) => session.Display(value, mimeTypes);

    /// <summary>Marks a string as HTML to display (Polyglot's <c>HTML(...)</c>).</summary>
    public HtmlString HTML(string html) => new(html);

    /// <summary>Marks a string as markdown to display (rendered by the front-end; the HTML report renders it with Markdig).</summary>
    public MarkdownString Markdown(string markdown) => new(markdown);
}
#pragma warning restore IDE1006

/// <summary>An HTML string that displays as <c>text/html</c>.</summary>
public sealed class HtmlString(string html)
{
    public string Html { get; } = html ?? "";
    public override string ToString() => Html;
}

/// <summary>A markdown string that displays as <c>text/markdown</c>.</summary>
public sealed class MarkdownString(string markdown)
{
    public string Markdown { get; } = markdown ?? "";
    public override string ToString() => Markdown;
}

/// <summary>A displayed output that can be replaced in place (progress, live metrics), as Polyglot's <c>DisplayedValue</c>.</summary>
public sealed class DisplayedValue
{
    private readonly KernelSession session;

    internal DisplayedValue(KernelSession session, string displayId, string[] mimeTypes)
    {
        this.session = session;
        DisplayId = displayId;
        MimeTypes = mimeTypes;
    }

    public string DisplayId { get; }
    internal string[] MimeTypes { get; }

    /// <summary>Replaces the displayed output with a new value.</summary>
    public void Update(object? value) => session.Update(this, value);
}
