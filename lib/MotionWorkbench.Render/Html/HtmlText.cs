using System.Globalization;
using System.Text;

namespace MotionWorkbench.Render.Html;

/// <summary>HTML escaping and invariant number formatting shared by the views.</summary>
public static class HtmlText
{
    /// <summary>Escapes text for element content and double-quoted attribute values.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    /// <summary>Formats a number with invariant culture; NaN shows as an em dash.</summary>
    public static string Number(double value, string format = "0.##")
        => double.IsNaN(value) ? "—" : value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Makes text safe to embed inside a <c>&lt;script&gt;</c> element (no closing tag, no HTML comment start).</summary>
    public static string ScriptSafe(string script)
        => script.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase).Replace("<!--", "<\\!--", StringComparison.Ordinal);
}
