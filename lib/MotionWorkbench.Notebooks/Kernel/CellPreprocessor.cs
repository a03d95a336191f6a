using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MotionWorkbench.Notebooks.Kernel;

/// <summary>
/// Prepares a C# cell for Roslyn scripting the way Polyglot's directive layer does: the <c>#!csharp</c> selector is removed,
/// <c>#r "nuget: ..."</c> and <c>#i</c> lines are answered with a message (offline: the workbench library provides what
/// notebooks need), <c>#r "relative/path.dll"</c> is resolved against the notebook folder and pointed at a shadow copy of
/// the dll's folder (so rebuilding the library never hits a locked file), and other <c>#!</c> magics are rejected with
/// a clear error. Removed lines become blank lines, so line numbers in errors match the cell.
/// </summary>
public static partial class CellPreprocessor
{
    public sealed record Result(string Code, IReadOnlyList<string> Messages, string? Error, bool TimeCell);

    public static Result Process(string source, int cellNumber, string notebookDirectory, string shadowRoot)
    {
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var messages = new List<string>();
        bool time = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string trimmed = line.Trim();
            string where = $"cell {cellNumber}, line {i + 1}";
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                string magic = trimmed[2..].Split(' ', 2)[0];
                if (magic is "csharp" or "c#" or "C#") { lines[i] = ""; continue; }
                if (magic == "time") { lines[i] = ""; time = true; continue; }
                return new Result("", messages, $"{where}: the magic command '#!{magic}' is not supported by mw notebook run (supported: #!csharp, #!markdown, #!html cells, #!time, #r)", false);
            }
            if (PolyglotUsing().IsMatch(line))
            {
                messages.Add($"{where}: '{trimmed}' was skipped: mw notebook provides display, HTML, Markdown and Formatter itself");
                lines[i] = "";
                continue;
            }
            var match = ReferenceLine().Match(line);
            if (match.Success)
            {
                string directive = match.Groups["d"].Value, target = match.Groups["t"].Value;
                if (target.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
                {
                    messages.Add($"{where}: '{trimmed}' was skipped: mw notebook runs offline and does not restore NuGet packages; "
                                 + "reference the built workbench library instead (#r \"../lib/<Project>/bin/Release/net10.0/<Project>.dll\")");
                    lines[i] = "";
                    continue;
                }
                if (directive == "i") { messages.Add($"{where}: '{trimmed}' (package source) was skipped: mw notebook does not restore NuGet packages"); lines[i] = ""; continue; }
                if (IsPath(target))
                {
                    string full = Path.GetFullPath(Path.Combine(notebookDirectory, target));
                    if (!File.Exists(full))
                        return new Result("", messages, $"{where}: #r \"{target}\": file not found (resolved against the notebook folder to '{full}'; build the library first, e.g. dotnet build -c Release)", false);
                    string shadow = ShadowCopy(full, shadowRoot);
                    lines[i] = line[..match.Index] + $"#r \"{shadow.Replace("\\", "\\\\", StringComparison.Ordinal)}\"" + line[(match.Index + match.Length)..];
                }
            }
        }
        return new Result(string.Join('\n', lines), messages, null, time);
    }

    /// <summary>
    /// Copies the dll's whole folder (dlls and pdbs: dependencies load from beside it) to
    /// <c>shadowRoot/&lt;content hash&gt;/</c> and returns the copy's path. Unchanged folders reuse their copy.
    /// </summary>
    public static string ShadowCopy(string dllPath, string shadowRoot)
    {
        var dir = Path.GetDirectoryName(dllPath)!;
        var files = Directory.GetFiles(dir).Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        var key = new StringBuilder(dir);
        foreach (var f in files)
        {
            var info = new FileInfo(f);
            key.Append('|').Append(info.Name).Append(':').Append(info.Length).Append(':').Append(info.LastWriteTimeUtc.Ticks);
        }
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..16].ToLowerInvariant();
        string target = Path.Combine(shadowRoot, hash);
        if (Directory.Exists(target)) Directory.SetLastWriteTimeUtc(target, DateTime.UtcNow);   // in use: keep it from pruning
        else
        {
            string staging = target + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            Directory.CreateDirectory(staging);
            foreach (var f in files) File.Copy(f, Path.Combine(staging, Path.GetFileName(f)));
            try { Directory.Move(staging, target); }
            catch (IOException) when (Directory.Exists(target)) { Directory.Delete(staging, recursive: true); }
        }
        return Path.Combine(target, Path.GetFileName(dllPath));
    }

    /// <summary>Deletes shadow copies not refreshed for <paramref name="maxAge"/> (best effort: one in use elsewhere stays).</summary>
    public static int PruneShadowCopies(string shadowRoot, TimeSpan maxAge)
    {
        if (!Directory.Exists(shadowRoot)) return 0;
        int removed = 0;
        foreach (var dir in Directory.GetDirectories(shadowRoot))
        {
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir) < maxAge) continue;
            try { Directory.Delete(dir, recursive: true); removed++; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static bool IsPath(string target)
        => target.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || target.Contains('/', StringComparison.Ordinal) || target.Contains('\\', StringComparison.Ordinal);

    [GeneratedRegex("""^\s*using\s+(static\s+)?Microsoft\.DotNet\.Interactive[\w.]*\s*;\s*$""")]
    private static partial Regex PolyglotUsing();

    [GeneratedRegex("""^\s*#(?<d>r|i)\s+"(?<t>[^"]*)"\s*$""")]
    private static partial Regex ReferenceLine();
}
