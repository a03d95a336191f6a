using System.Text;

namespace MotionWorkbench.Notebooks.Kernel;

/// <summary>
/// Replaces Console.Out/Error inside the kernel: text is buffered and sent as stream events at each newline, before any
/// display output (to keep the order), at the end of a cell, and every 250 ms (so progress without newlines shows live).
/// </summary>
internal sealed class CaptureWriter : TextWriter
{
    private readonly string name;
    private readonly Action<string, string> send;
    private readonly StringBuilder buffer = new();
    private readonly Lock gate = new();
    private readonly Timer timer;

    public CaptureWriter(string name, Action<string, string> send)
    {
        this.name = name;
        this.send = send;
        timer = new Timer(_ => Flush(), null, 250, 250);
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (gate)
        {
            buffer.Append(value);
            if (value == '\n') FlushLocked();
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        lock (gate)
        {
            buffer.Append(value);
            if (value.Contains('\n', StringComparison.Ordinal)) FlushLocked();
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        lock (gate) FlushLocked();
    }

    private void FlushLocked()
    {
        if (buffer.Length == 0) return;
        string text = buffer.ToString();
        buffer.Clear();
        send(name, text);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) timer.Dispose();
        base.Dispose(disposing);
    }
}
