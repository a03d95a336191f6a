using System.Text;
using System.Text.Json.Nodes;

namespace MotionWorkbench.Notebooks.Kernel;

/// <summary>
/// The kernel process reports to the runner with one JSON object per line on its standard output, each line starting with
/// <see cref="Marker"/> (cells' own Console output is captured separately, so anything else on stdout comes from native
/// code and is kept as stdout text). Events: start, stream, output, update, end, done (each with "cell" where it applies).
/// </summary>
public sealed class KernelProtocol(Stream stdout)
{
    public const string Marker = "\u001eMW";
    private readonly StreamWriter writer = new(stdout, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
    private readonly Lock gate = new();

    public void Send(JsonObject message)
    {
        string line = Marker + message.ToJsonString();
        lock (gate) writer.WriteLine(line);
    }

    /// <summary>Parses a protocol line, or returns null for a line that is not one.</summary>
    public static JsonObject? TryParse(string line)
    {
        if (!line.StartsWith(Marker, StringComparison.Ordinal)) return null;
        try { return JsonNode.Parse(line.AsSpan(Marker.Length).ToString()) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
