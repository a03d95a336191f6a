using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive.Formatting;

namespace MotionWorkbench.Notebooks.Apps;

/// <summary>
/// The notebook kernel's helpers for an exported app (<c>using static</c>): <c>display(x)</c> and <c>HTML(text)</c> behave as in
/// the C# kernel; what they show goes to the app's report (<see cref="NotebookApp"/>).
/// </summary>
public static class NotebookHelpers
{
#pragma warning disable IDE1006 // the kernel's names, so notebook code compiles unchanged
    /// <summary>Shows <paramref name="value"/> in the running cell (formatted as the kernel formats it); <c>Update</c> replaces it in place.</summary>
    public static DisplayedValue display(object value, params string[] mimeTypes) => value.Display(mimeTypes);

    /// <summary>An HTML fragment, displayed as text/html.</summary>
    public static IHtmlContent HTML(string content) => new HtmlString(content);
#pragma warning restore IDE1006
}
