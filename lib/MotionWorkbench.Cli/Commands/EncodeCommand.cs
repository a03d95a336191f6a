using System.CommandLine;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw encode vit|text</c>: runs one encoder on given input to check imported weights. Writes the pooled features
/// before the projection head as .npy (B, C) and, with <c>--tokens</c>, every token's output (B, L, C) beside it.
/// </summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var command = new Command("encode", "Run the ViT motion encoder or the text encoder on given input (features before the projection head) to check imported weights.");
        command.Subcommands.Add(EncodeVitCommand.Create());
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

    internal static void WriteNpy(string path, ReadOnlySpan<float> data, int[] shape)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        Npy.Write(path, data, shape);
    }

    /// <summary>The saved MotionWorkbench model in <paramref name="path"/>, or null when it is a plain (timm/HF) checkpoint.</summary>
    internal static MotionTextModel? TryLoadWorkbenchModel(string path)
    {
        var (_, metadata) = Safetensors.Read(path);
        return metadata.TryGetValue("format", out var f) && f == "MotionWorkbench.MotionTextModel" ? MotionTextModel.Load(path) : null;
    }
}
