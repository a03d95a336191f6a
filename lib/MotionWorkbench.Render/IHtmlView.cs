namespace MotionWorkbench.Render;

/// <summary>
/// Anything the workbench can show in a notebook: a self-contained HTML fragment (it loads whatever scripts it needs,
/// because VS Code renders notebook outputs lazily and one output cannot rely on another).
/// </summary>
/// <remarks>
/// The notebook convention, the same in VS Code (Polyglot) and in <c>mw notebook run</c>: display the object
/// (<c>display(fig)</c> or a trailing <c>fig</c>). <c>mw notebook</c> recognises <see cref="IHtmlView"/> (and
/// <see cref="IMimeView"/>) by itself; under Polyglot the notebook's setup cell registers it once with
/// <c>Formatter.Register&lt;MotionWorkbench.Render.IHtmlView&gt;(v =&gt; v.ToHtml(), "text/html");</c>, a line that
/// <c>mw notebook</c> also accepts. <c>display(HTML(x.ToHtml()))</c> works everywhere without any registration.
/// </remarks>
public interface IHtmlView
{
    /// <summary>A self-contained HTML fragment.</summary>
    string ToHtml();
}

/// <summary>
/// A view with several representations, keyed by MIME type (for example <c>image/png</c> as base64, or
/// <c>application/vnd.plotly.v1+json</c> as JSON text, next to <c>text/html</c>). Notebook front-ends pick the richest
/// one they can render; the HTML report prefers plotly JSON and inlines plotly.js once.
/// </summary>
public interface IMimeView : IHtmlView
{
    /// <summary>MIME type to content: text, base64 for images, JSON text for <c>+json</c> types.</summary>
    IReadOnlyDictionary<string, string> ToMimeBundle();
}
