using System.Text.Json;
using MotionWorkbench.IO;
using MotionWorkbench.Models;
using MotionWorkbench.Render.Views;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>
/// A notebook's output folder (<c>ROOT/NOTEBOOK-PRESET</c>): every table is saved as CSV and every result as JSON there,
/// so a table can be rebuilt without re-training. Files are written atomically (temp file in the folder, then move).
/// </summary>
public sealed class RunFolder
{
    private RunFolder(string dir) => Dir = dir;

    public string Dir { get; }

    /// <summary>Creates (or reuses) <c>root/notebook-preset</c> (lower case; <c>-ENGINE</c> appended for an engine other than "mw").</summary>
    public static RunFolder Create(string root, string notebook, string preset, string engine = "mw")
    {
        if (string.IsNullOrWhiteSpace(notebook)) throw new ArgumentException("a run folder needs the notebook's name", nameof(notebook));
        // The notebooks' edge: MW_GEMM forces a GEMM backend and MW_THREADS sets the engine threads, as they do for mw
        // (unless the notebook applied its own settings first: EngineSetup.Apply(threads)).
        EngineSetup.FromEnvironmentOnce();
        var dir = Path.GetFullPath(Path.Combine(root, $"{notebook}-{preset}{EngineSuffix(engine)}".ToLowerInvariant()));
        Directory.CreateDirectory(dir);
        return new RunFolder(dir);
    }

    /// <summary>A path inside the folder (sub-runs use <c>Sub("vit-tiny")</c>).</summary>
    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>A sub-folder for one training run of the notebook's grid.</summary>
    public string Sub(string name) => Path.Combine(Dir, "runs", Safe(name));

    /// <summary>Writes <c>name.csv</c> from a metric table (ours and the paper's columns) and returns its path.</summary>
    public string Save(MetricTable table, string name) => WriteText(name.EndsWith(".csv", StringComparison.Ordinal) ? name : name + ".csv", table.ToCsv());

    /// <summary>Writes <c>name.json</c> (camelCase, indented) and returns its path.</summary>
    public string SaveJson<T>(string name, T value) =>
        WriteText(name.EndsWith(".json", StringComparison.Ordinal) ? name : name + ".json", JsonSerializer.Serialize(value, Json) + "\n");

    public string WriteText(string name, string text) => WriteBytes(name, System.Text.Encoding.UTF8.GetBytes(text));

    public string WriteBytes(string name, byte[] bytes)
    {
        var path = PathOf(name);
        AtomicFile.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// The shared baseline run of a preset (<c>root/baseline-SKELETON-PRESET</c>): notebooks 01, 03, 10 and 11 train it once
    /// and reuse it. A baseline trained by another engine has its own folder (<c>baseline-SKELETON-PRESET-torch</c>), so it
    /// never replaces the own engine's one that the other notebooks reuse; so has one with a pretrained text tower
    /// (<paramref name="text"/> = "minilm-l6": <c>baseline-SKELETON-PRESET-minilm-l6</c>, shared by notebooks 03 and 08).
    /// </summary>
    public static string Baseline(string root, string skeleton, string preset, string engine = "mw", string? text = null) =>
        Path.GetFullPath(Path.Combine(root, $"baseline-{skeleton}-{preset}{EngineSuffix(engine)}{TextSuffix(text)}".ToLowerInvariant()));

    private static string TextSuffix(string? text) => text is null ? "" : Choice.Parse<TextKind>(text) is var k && k.IsPretrained ? "-" + k.Name
        : throw new ArgumentException($"a baseline's text tower is a pretrained one ({string.Join(", ", TextKind.Pretrained)}) or none (the preset's scratch tower), got '{text}'");

    private static string EngineSuffix(string engine) => Choice.Parse<TrainingEngine>(engine) is var e && e == TrainingEngine.Mw ? "" : "-" + e.Name;

    /// <summary>
    /// The shared Lex pipeline folder of a preset (<c>root/KIND-SKELETON-PRESET</c>, KIND "lex" for the four phases or
    /// "dagger" for phase 4 alone; <c>-minilm-l6</c> appended for a pretrained text tower): notebook 12 trains it and
    /// notebook 14 reuses it (or the other way round).
    /// </summary>
    public static string LexPipeline(string root, string skeleton, string preset, string kind, string? text = null) =>
        kind is "lex" or "dagger" ? Path.GetFullPath(Path.Combine(root, $"{kind}-{skeleton}-{preset}{TextSuffix(text)}".ToLowerInvariant()))
        : throw new ArgumentException($"Lex pipeline kind must be 'lex' (four phases) or 'dagger' (phase 4 only), got '{kind}'");

    /// <summary>
    /// A shared ResNet-18 run of a preset (<c>root/resnet-SKELETON-PRESET/NAME</c>, NAME from <see cref="ResNetRows.Config"/>):
    /// notebook 04 trains them and notebooks 05 and 10 reuse them (or the other way round).
    /// </summary>
    public static string ResNet(string root, string skeleton, string preset, string name) =>
        Path.GetFullPath(Path.Combine(root, $"resnet-{skeleton}-{preset}".ToLowerInvariant(), Safe(name)));

    /// <summary>The files written so far (relative paths), for the notebook's closing summary.</summary>
    public IReadOnlyList<string> Files() => Directory.GetFiles(Dir, "*", SearchOption.TopDirectoryOnly)
        .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    public override string ToString() => Dir;

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string Safe(string name) =>
        new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? char.ToLowerInvariant(c) : '-').ToArray());
}
