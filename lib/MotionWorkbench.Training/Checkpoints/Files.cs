using System.Text;
using MotionWorkbench.IO;

namespace MotionWorkbench.Training;

/// <summary>Atomic text writes (temp file in the same folder, then rename).</summary>
internal static class Files
{
    private static readonly UTF8Encoding Utf8 = new(false);

    public static void WriteText(string path, string text) => AtomicFile.WriteAllText(path, text);

    public static void WriteLines(string path, IEnumerable<string> lines) =>
        AtomicFile.Write(path, s => { using var w = new StreamWriter(s, Utf8, 1 << 16, leaveOpen: true); foreach (var l in lines) { w.Write(l); w.Write('\n'); } });
}
