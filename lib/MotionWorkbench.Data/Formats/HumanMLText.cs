using System.Globalization;
using System.Text;

namespace MotionWorkbench.Data.Formats;

/// <summary>
/// HumanML3D / KIT-ML caption files: one caption per line, <c>caption#tokens#start#end</c> (start/end in seconds,
/// 0/0 or nan = the whole motion).
/// </summary>
public static class HumanMLText
{
    /// <summary>Parses a caption file; a line without a caption or with bad times names the file and line.</summary>
    public static List<Caption> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: caption file not found", path);
        return Parse(ReadLines(path), path);
    }

    /// <summary>The lines of a caption file read as strict UTF-8: invalid bytes (a binary or mis-encoded file) name the file.</summary>
    public static string[] ReadLines(string path)
    {
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path)); }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{path}: not UTF-8 text (a binary or mis-encoded caption file)");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    public static List<Caption> Parse(IReadOnlyList<string> lines, string nameForErrors)
    {
        var result = new List<Caption>();
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            var parts = line.Split('#');
            string text = parts[0].Trim();
            if (text.Length == 0)
                throw new InvalidDataException($"{nameForErrors}:{i + 1}: empty caption in line '{Clip(line)}'");
            foreach (char ch in line)
                if (char.IsControl(ch) && ch != '\t')
                    throw new InvalidDataException($"{nameForErrors}:{i + 1}: control character U+{(int)ch:X4} in a caption (a binary file?)");
            float start = 0, end = 0;
            if (parts.Length >= 4)
            {
                start = ParseTime(parts[2], nameForErrors, i + 1, "start");
                end = ParseTime(parts[3], nameForErrors, i + 1, "end");
                if (end < start && end != 0)
                    throw new InvalidDataException($"{nameForErrors}:{i + 1}: segment end {end} s is before its start {start} s");
            }
            else if (parts.Length != 1 && parts.Length != 2)
                throw new InvalidDataException($"{nameForErrors}:{i + 1}: expected 'caption#tokens#start#end', got {parts.Length} fields");
            result.Add(new Caption(text, start, end));
        }
        return result;
    }

    private static float ParseTime(string s, string file, int line, string what)
    {
        s = s.Trim();
        if (s.Length == 0 || s.Equals("nan", StringComparison.OrdinalIgnoreCase)) return 0f;
        if (!float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || float.IsInfinity(v) || v < 0)
            throw new InvalidDataException($"{file}:{line}: {what} time '{s}' is not a non-negative number of seconds");
        return float.IsNaN(v) ? 0f : v;
    }

    private static string Clip(string s) => s.Length > 80 ? s[..80] + "..." : s;

    /// <summary>Formats captions as lines. Tokens are lower-case words tagged /X (no part-of-speech tagger here).</summary>
    public static string Format(IEnumerable<Caption> captions)
    {
        var sb = new StringBuilder();
        foreach (var c in captions)
        {
            string text = c.Text.Replace('#', ' ').Replace('\n', ' ').Trim();
            if (text.Length == 0) throw new ArgumentException("empty caption");
            sb.Append(text).Append('#').Append(Tokens(text)).Append('#')
              .Append(c.Start.ToString("0.0##", CultureInfo.InvariantCulture)).Append('#')
              .Append(c.End.ToString("0.0##", CultureInfo.InvariantCulture)).Append('\n');
        }
        return sb.ToString();
    }

    public static void Write(string path, IEnumerable<Caption> captions) => AtomicFile.WriteAllText(path, Format(captions));

    private static string Tokens(string text)
    {
        var words = text.ToLowerInvariant().Split([' ', ',', '.', ';', '!', '?'], StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words.Select(w => w + "/X"));
    }
}
