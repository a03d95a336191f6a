using System.Text.Json;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Tensors.Tests.Support;

/// <summary>
/// A PyTorch reference fixture (tests/MotionWorkbench.Tensors.Tests/Fixtures/*.json) written by a script in
/// environment/reference/: a header (generator, torch version, seed, format version) and named tensors
/// {shape, data}. Tests only read these; no Python runs in tests.
/// </summary>
public sealed class Fixture
{
    private readonly Dictionary<string, (int[] Shape, float[] Data)> tensors = new();
    public JsonElement Header { get; }
    public string File { get; }

    private Fixture(string file, JsonElement root)
    {
        File = file;
        Header = root.GetProperty("header");
        foreach (var p in root.GetProperty("tensors").EnumerateObject())
            tensors[p.Name] = (p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                               p.Value.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray());
    }

    public static Fixture Load(string name)
    {
        var path = Path.Combine(SharedData.RepoRoot, "tests", "MotionWorkbench.Tensors.Tests", "Fixtures", name);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(path));
        var f = new Fixture(path, doc.RootElement.Clone());
        Assert.Equal(1, f.Header.GetProperty("format").GetInt32());
        Assert.StartsWith("environment/reference/", f.Header.GetProperty("generator").GetString());
        return f;
    }

    public float[] Data(string name) => tensors.TryGetValue(name, out var t) ? t.Data : throw new KeyNotFoundException($"{File}: no tensor '{name}'");
    public int[] Shape(string name) => tensors[name].Shape;
    public int[] Ints(string name) => Data(name).Select(v => (int)v).ToArray();
    public Tensor Tensor(string name, bool requiresGrad = false)
    {
        var t = MotionWorkbench.Tensors.Tensor.FromArray(Data(name), Shape(name));
        t.RequiresGrad = requiresGrad;
        return t;
    }
    public bool Has(string name) => tensors.ContainsKey(name);
    public int Int(string key) => Header.GetProperty(key).GetInt32();
    public float Float(string key) => Header.GetProperty(key).GetSingle();
}
