using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Formatting;

namespace MotionWorkbench.Notebooks.Apps;

/// <summary>
/// The outputs of an exported notebook app, cell by cell, in the nbformat shapes <c>mw notebook run</c> writes: streams
/// (consecutive writes merged), displayed values (<c>display_data</c>, one entry per MIME type; an update replaces its display in
/// place), errors; and each cell's start and end (<c>metadata.execution</c>). Thread-safe (training may log from workers).
/// </summary>
public sealed class AppRecorder
{
    private readonly Lock gate = new();
    private readonly Dictionary<int, Cell> cells = [];
    private readonly Dictionary<string, JsonObject> displays = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> updateTargets = new(StringComparer.Ordinal);
    private string? lastDisplayId;
    private int executionCount;

    public sealed class Cell(int executionCount, DateTimeOffset start)
    {
        public int ExecutionCount { get; } = executionCount;
        public DateTimeOffset Start { get; } = start;
        public DateTimeOffset? End { get; internal set; }
        public List<JsonObject> Outputs { get; } = [];
    }

    /// <summary>The cell running now (null before the first one and after the last).</summary>
    public int? Current { get; private set; }

    public Cell? this[int number] { get { lock (gate) return cells.GetValueOrDefault(number); } }

    public void StartCell(int number)
    {
        lock (gate)
        {
            EndCellLocked();
            cells[number] = new Cell(++executionCount, DateTimeOffset.UtcNow);
            Current = number;
            lastDisplayId = null;
        }
    }

    public void EndCell()
    {
        lock (gate) EndCellLocked();
    }

    public void Stream(string name, string text)
    {
        if (text.Length == 0) return;
        lock (gate)
        {
            if (Current is not { } c) return;
            var outputs = cells[c].Outputs;
            if (outputs.Count > 0 && (string?)outputs[^1]["output_type"] == "stream" && (string?)outputs[^1]["name"] == name)
                outputs[^1]["text"] = (string?)outputs[^1]["text"] + text;
            else outputs.Add(new JsonObject { ["name"] = name, ["output_type"] = "stream", ["text"] = text });
        }
    }

    /// <summary>
    /// A value shown with <c>display(x)</c>, <c>x.Display()</c>, <c>"..".DisplayAs(mime)</c> or updated with <c>Update</c>.
    /// <c>display</c> publishes one <see cref="DisplayedValue"/> and returns another, so an update of an id never displayed
    /// replaces the latest display of the running cell (the display-then-update pattern of progress), as <c>mw notebook run</c> does.
    /// </summary>
    public void Display(DisplayedValue value)
    {
        var data = new JsonObject();
        foreach (var v in value.FormattedValues)
        {
            if (v.SuppressDisplay) continue;
            data[v.MimeType] = v.MimeType.EndsWith("+json", StringComparison.Ordinal) || v.MimeType == "application/json" ? ParseJson(v.Value) : v.Value;
        }
        if (data.Count == 0) return;
        lock (gate)
        {
            if (value.IsUpdated)
            {
                string id = value.DisplayId;
                if (updateTargets.TryGetValue(id, out var mapped)) id = mapped;
                else if (!displays.ContainsKey(id) && lastDisplayId is { } last) { updateTargets[id] = last; id = last; }
                if (displays.TryGetValue(id, out var target)) { target["data"] = data; return; }
            }
            if (Current is not { } c) return;
            var output = new JsonObject { ["data"] = data, ["metadata"] = new JsonObject(), ["output_type"] = "display_data" };
            cells[c].Outputs.Add(output);
            displays[value.DisplayId] = output;
            lastDisplayId = value.DisplayId;
        }
    }

    /// <summary>The exception that ended the app, as an error output of the running cell (as <c>mw notebook run</c> reports a failed cell).</summary>
    public void Error(Exception exception)
    {
        while (exception is System.Reflection.TargetInvocationException { InnerException: { } inner }) exception = inner;
        lock (gate)
        {
            if (Current is not { } c) return;
            string where = $"Cell {c}";
            cells[c].Outputs.Add(new JsonObject
            {
                ["ename"] = exception.GetType().Name,
                ["evalue"] = $"{where}: {exception.GetType().FullName}: {exception.Message}",
                ["output_type"] = "error",
                ["traceback"] = new JsonArray([$"{where}:", .. exception.ToString().Split('\n').Select(l => (JsonNode?)l.TrimEnd('\r'))]),
            });
            EndCellLocked();
        }
    }

    private void EndCellLocked()
    {
        if (Current is { } c && cells[c].End is null) cells[c].End = DateTimeOffset.UtcNow;
        Current = null;
    }

    private static JsonNode? ParseJson(string content)
    {
        try { return JsonNode.Parse(content); }
        catch (System.Text.Json.JsonException) { return content; }
    }

    /// <summary>A writer that passes everything to <paramref name="inner"/> and records it as the running cell's stream.</summary>
    internal sealed class TeeWriter(TextWriter inner, AppRecorder recorder, string stream) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;
        public override IFormatProvider FormatProvider => inner.FormatProvider;

        public override void Write(char value)
        {
            inner.Write(value);
            recorder.Stream(stream, value.ToString());
        }

        public override void Write(string? value)
        {
            inner.Write(value);
            recorder.Stream(stream, value ?? "");
        }

        public override void Write(char[] buffer, int index, int count)
        {
            inner.Write(buffer, index, count);
            recorder.Stream(stream, new string(buffer, index, count));
        }

        public override void Flush() => inner.Flush();
    }
}
