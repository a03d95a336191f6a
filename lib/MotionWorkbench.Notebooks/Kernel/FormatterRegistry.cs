using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace MotionWorkbench.Notebooks.Kernel;

/// <summary>
/// Turns values into nbformat MIME bundles. Order: a formatter registered for the exact type; a <c>ToMimeBundle()</c> method
/// (MotionWorkbench.Render's <c>IMimeView</c>, found by name so any loaded copy of the library works); a formatter registered
/// for a base type or interface (the most recent wins); a <c>string ToHtml()</c> method; <see cref="HtmlString"/> and
/// <see cref="MarkdownString"/>; then plain text (<c>ToString()</c>, sequences one item per line, at most 20).
/// </summary>
public sealed class FormatterRegistry
{
    private readonly List<(Type Type, string MimeType, Func<object, string> Format)> formatters = [];

    /// <summary>Registers a formatter (Polyglot signature).</summary>
    public void Register<T>(Func<T, string> formatter, string mimeType = "text/plain")
    {
        ArgumentNullException.ThrowIfNull(formatter);
        formatters.Add((typeof(T), mimeType, o => formatter((T)o)));
    }

    /// <summary>Registers a formatter that writes to a <see cref="TextWriter"/> (Polyglot signature).</summary>
    public void Register<T>(Action<T, TextWriter> formatter, string mimeType = "text/plain")
    {
        ArgumentNullException.ThrowIfNull(formatter);
        formatters.Add((typeof(T), mimeType, o =>
        {
            using var w = new StringWriter(CultureInfo.InvariantCulture);
            formatter((T)o, w);
            return w.ToString();
        }));
    }

    /// <summary>Forgets all registrations.</summary>
    public void ResetToDefault() => formatters.Clear();

    /// <summary>The MIME bundle (nbformat <c>data</c>) for a value; <paramref name="mimeTypes"/> restricts it when given.</summary>
    public JsonObject Format(object? value, IReadOnlyList<string>? mimeTypes = null)
    {
        var bundle = FormatAll(value);
        if (mimeTypes is { Count: > 0 })
        {
            var picked = new JsonObject();
            foreach (var mime in mimeTypes)
            {
                if (bundle[mime] is { } v) picked[mime] = v.DeepClone();
                else if (mime == "text/html") picked[mime] = "<pre>" + Render.Html.HtmlText.Escape(PlainText(value)) + "</pre>";
                else if (mime == "text/plain") picked[mime] = PlainText(value);
            }
            if (picked.Count > 0) return picked;
        }
        return bundle;
    }

    private JsonObject FormatAll(object? value)
    {
        if (value is null) return new JsonObject { ["text/plain"] = "<null>" };
        var type = value.GetType();
        foreach (var (t, mime, format) in Enumerable.Reverse(formatters))
            if (t == type) return Bundle(mime, format(value));

        if (TryMimeBundle(value, out var fromView)) return fromView;

        foreach (var (t, mime, format) in Enumerable.Reverse(formatters))
            if (t.IsAssignableFrom(type)) return Bundle(mime, format(value));

        switch (value)
        {
            case HtmlString h: return new JsonObject { ["text/html"] = h.Html };
            case MarkdownString m: return new JsonObject { ["text/markdown"] = m.Markdown };
        }
        var toHtml = type.GetMethod("ToHtml", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (toHtml is not null && toHtml.ReturnType == typeof(string))
            return new JsonObject { ["text/html"] = (string?)toHtml.Invoke(value, null) ?? "", ["text/plain"] = value.ToString() ?? "" };
        return new JsonObject { ["text/plain"] = PlainText(value) };
    }

    private static JsonObject Bundle(string mime, string content)
        => new() { [mime] = IsJsonMime(mime) ? ParseJson(content, mime) : content };

    private static bool TryMimeBundle(object value, out JsonObject bundle)
    {
        bundle = [];
        var method = value.GetType().GetMethod("ToMimeBundle", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (method is null || !typeof(IEnumerable<KeyValuePair<string, string>>).IsAssignableFrom(method.ReturnType)) return false;
        if (method.Invoke(value, null) is not IEnumerable<KeyValuePair<string, string>> pairs) return false;
        foreach (var (mime, content) in pairs) bundle[mime] = IsJsonMime(mime) ? ParseJson(content, mime) : content;
        return bundle.Count > 0;
    }

    private static bool IsJsonMime(string mime) => mime.EndsWith("+json", StringComparison.Ordinal) || mime == "application/json";

    private static JsonNode? ParseJson(string content, string mime)
    {
        try { return JsonNode.Parse(content); }
        catch (System.Text.Json.JsonException e) { throw new FormatException($"the {mime} content of a displayed value is not valid JSON: {e.Message}", e); }
    }

    /// <summary>Plain-text form: strings as they are, sequences one item per line (at most 20 shown), others via ToString().</summary>
    public static string PlainText(object? value)
    {
        switch (value)
        {
            case null: return "<null>";
            case string s: return s;
            case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
            case IEnumerable e:
                var sb = new StringBuilder();
                int n = 0;
                foreach (var item in e)
                {
                    if (n < 20) sb.Append(item is string or IFormattable or null ? PlainText(item) : item.ToString()).Append('\n');
                    n++;
                }
                if (n > 20) sb.Append(CultureInfo.InvariantCulture, $"... ({n - 20} more, {n} in all)\n");
                if (n == 0) sb.Append(CultureInfo.InvariantCulture, $"(empty {value.GetType().Name})");
                return sb.ToString().TrimEnd('\n');
            default: return value.ToString() ?? "";
        }
    }
}
