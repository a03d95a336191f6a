using System.CommandLine;
using MotionWorkbench.IO;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw encode vit|resnet|text</c>: runs one encoder on given input to check imported weights. Writes the pooled features
/// before the projection head as .npy (B, C) and, with <c>--tokens</c>, every token's output (B, L, C) beside it.
/// </summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var command = new Command("encode", "Run the ViT or ResNet motion encoder or the text encoder on given input (features before the projection head) to check imported weights.");
        command.Subcommands.Add(EncodeVitCommand.Create());
        command.Subcommands.Add(EncodeResNetCommand.Create());
        command.Subcommands.Add(EncodeTextCommand.Create());
        return command;
    }

    /// <summary>features.npy -> features.tokens.npy (or features.SUFFIX.npy).</summary>
    internal static string Beside(string outPath, string suffix)
    {
        var dir = Path.GetDirectoryName(outPath) ?? "";
        var stem = Path.GetFileNameWithoutExtension(outPath);
        return Path.Combine(dir, $"{stem}.{suffix}.npy");
    }

    /// <summary>NaN or infinite weights give all-NaN features: refuse them, naming the checkpoint and the first bad parameter.</summary>
    internal static void RequireFiniteWeights(MotionWorkbench.Tensors.Nn.Module model, string source)
    {
        foreach (var (name, t) in model.NamedParameters())
        {
            int bad = FirstNonFinite(t.Data);
            if (bad >= 0) throw new InvalidDataException($"{source}: parameter '{name}' holds a non-finite value ({t.Data[bad]} at element {bad}); the features would be NaN");
        }
    }

    /// <summary>NaN or infinite inputs: an error naming the file and the first bad element (as a row and offset).</summary>
    internal static void RequireFiniteInput(ReadOnlySpan<float> data, int rowLength, string path)
    {
        int bad = FirstNonFinite(data);
        if (bad >= 0) throw new InvalidDataException($"{path}: non-finite value {data[bad]} in row {bad / rowLength} (element {bad % rowLength} of it)");
    }

    private static int FirstNonFinite(ReadOnlySpan<float> data)
    {
        for (int i = 0; i < data.Length; i++) if (!float.IsFinite(data[i])) return i;
        return -1;
    }

    internal static void WriteNpy(string path, ReadOnlySpan<float> data, int[] shape)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        Npy.Write(path, data, shape);
    }

    /// <summary>
    /// The lexical model of a Lex run's checkpoint (<c>--lexical</c>); a clear error when <paramref name="path"/> is
    /// missing, not a run checkpoint or a run of another architecture.
    /// </summary>
    internal static LexicalModel LoadLexicalModel(string? path)
    {
        if (path is null) throw new ArgumentException("--lexical needs --checkpoint: a checkpoint of a Lex run (model.architecture = lex), e.g. runs/lex/best.safetensors");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint not found", path);
        var (_, metadata) = Safetensors.Read(path);
        if (!metadata.TryGetValue("format", out var f) || f != MotionWorkbench.Training.Checkpoint.Format)
            throw new ArgumentException($"{path}: --lexical needs a run checkpoint (best/last.safetensors of a Lex run); this file is '{f ?? "a plain safetensors file"}'");
        string runDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var model = MotionWorkbench.Training.RunModels.Load(runDir, path);
        return model is LexicalRetrievalModel lex ? lex.Model
            : throw new ArgumentException($"{path}: --lexical needs a Lex run; {runDir} holds a '{MotionWorkbench.Training.RunConfig.Load(runDir).Model.Architecture}' model (train one with --set model.architecture=lex)");
    }

    /// <summary>The saved MotionWorkbench model in <paramref name="path"/>, or null when it is a plain (timm/HF) checkpoint.</summary>
    internal static MotionTextModel? TryLoadWorkbenchModel(string path)
    {
        var (_, metadata) = Safetensors.Read(path);
        if (!metadata.TryGetValue("format", out var f)) return null;
        if (f == "MotionWorkbench.MotionTextModel") return MotionTextModel.Load(path);
        if (f == MotionWorkbench.Training.Checkpoint.Format)
        {
            // A run's checkpoint (best/last.safetensors): its model is rebuilt from the run folder's config and vocabulary.
            string runDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return MotionWorkbench.Training.RunModels.Load(runDir, path) is TransformerModel t ? t.Model
                : throw new ArgumentException($"{path}: the run's model ({MotionWorkbench.Training.RunConfig.Load(runDir).Model.Architecture}) has no ViT/text encoder pair to encode with");
        }
        return null;
    }
}
