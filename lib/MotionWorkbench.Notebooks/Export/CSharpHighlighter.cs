using System.Text;
using MotionWorkbench.Render.Html;

namespace MotionWorkbench.Notebooks.Export;

/// <summary>
/// A small C# tokenizer for the HTML report: keywords, contextual keywords, strings (regular, verbatim, interpolated, raw
/// """), characters, comments, numbers, preprocessor/magic lines (<c>#r</c>, <c>#!csharp</c>) and type-like identifiers
/// (PascalCase). Emits escaped HTML with <c>&lt;span class="tok-..."&gt;</c>; everything else is passed through escaped.
/// </summary>
public static class CSharpHighlighter
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock", "long",
        "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected", "public",
        "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string", "struct", "switch",
        "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void",
        "volatile", "while",
        "add", "and", "async", "await", "by", "dynamic", "equals", "from", "get", "global", "group", "init", "into", "join", "let",
        "nameof", "nint", "not", "nuint", "on", "or", "orderby", "partial", "record", "remove", "required", "scoped", "select",
        "set", "value", "var", "when", "where", "with", "yield", "file",
    };

    public static string Highlight(string code)
    {
        var sb = new StringBuilder(code.Length * 2);
        int i = 0, n = code.Length;
        bool lineStart = true;
        while (i < n)
        {
            char c = code[i];
            if (lineStart && c == '#')
            {
                int end = code.IndexOf('\n', i);
                if (end < 0) end = n;
                Span(sb, "dir", code[i..end]);
                i = end;
                continue;
            }
            if (c == '\n') { sb.Append('\n'); i++; lineStart = true; continue; }
            if (c is ' ' or '\t' or '\r') { sb.Append(c); i++; continue; }
            lineStart = false;
            if (c == '/' && i + 1 < n && code[i + 1] == '/')
            {
                int end = code.IndexOf('\n', i);
                if (end < 0) end = n;
                Span(sb, "com", code[i..end]);
                i = end;
            }
            else if (c == '/' && i + 1 < n && code[i + 1] == '*')
            {
                int end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? n : end + 2;
                Span(sb, "com", code[i..end]);
                i = end;
            }
            else if (StringStart(code, i, out int length))
            {
                int end = StringEnd(code, i, length);
                Span(sb, "str", code[i..end]);
                i = end;
            }
            else if (c == '\'')
            {
                int end = i + 1;
                while (end < n && code[end] != '\'' && code[end] != '\n') end += code[end] == '\\' ? 2 : 1;
                end = Math.Min(n, end + 1);
                Span(sb, "str", code[i..end]);
                i = end;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < n && char.IsAsciiDigit(code[i + 1])))
            {
                int end = i + 1;
                while (end < n && (char.IsAsciiLetterOrDigit(code[end]) || code[end] is '_' or '.') && !(code[end] == '.' && (end + 1 >= n || !char.IsAsciiDigit(code[end + 1])))) end++;
                Span(sb, "num", code[i..end]);
                i = end;
            }
            else if (char.IsLetter(c) || c is '_' or '@')
            {
                int end = i + 1;
                while (end < n && (char.IsLetterOrDigit(code[end]) || code[end] == '_')) end++;
                string word = code[i..end];
                if (Keywords.Contains(word)) Span(sb, "kw", word);
                else if (char.IsUpper(word[0]) && end < n && code[end] is '(' ) Span(sb, "fn", word);
                else if (char.IsUpper(word[0])) Span(sb, "type", word);
                else sb.Append(HtmlText.Escape(word));
                i = end;
            }
            else { sb.Append(HtmlText.Escape(c.ToString())); i++; }
        }
        return sb.ToString();
    }

    /// <summary>A string literal starts here: ", @", $", $@", @$", """, $""" (prefix length in <paramref name="prefix"/>).</summary>
    private static bool StringStart(string code, int i, out int prefix)
    {
        prefix = 0;
        int j = i;
        while (j < code.Length && code[j] is '$' or '@' && j - i < 3) j++;
        if (j < code.Length && code[j] == '"') { prefix = j - i; return true; }
        return false;
    }

    private static int StringEnd(string code, int i, int prefix)
    {
        int n = code.Length;
        bool verbatim = code.AsSpan(i, prefix).Contains('@');
        int q = i + prefix;
        int quotes = 0;
        while (q + quotes < n && code[q + quotes] == '"') quotes++;
        if (quotes >= 3)
        {
            int close = code.IndexOf(new string('"', quotes), q + quotes, StringComparison.Ordinal);
            return close < 0 ? n : close + quotes;
        }
        int k = q + 1;
        while (k < n)
        {
            if (verbatim)
            {
                if (code[k] == '"') { if (k + 1 < n && code[k + 1] == '"') { k += 2; continue; } return k + 1; }
            }
            else
            {
                if (code[k] == '\\') { k += 2; continue; }
                if (code[k] == '"') return k + 1;
                if (code[k] == '\n') return k;
            }
            k++;
        }
        return n;
    }

    private static void Span(StringBuilder sb, string kind, string text)
        => sb.Append("<span class=\"tok-").Append(kind).Append("\">").Append(HtmlText.Escape(text)).Append("</span>");
}
