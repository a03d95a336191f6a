namespace MotionWorkbench.Layout.Tests;

/// <summary>The C# sources of a folder, without build output.</summary>
public static class SourceFiles
{
    public static IEnumerable<string> Under(string dir) =>
        Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);
}
