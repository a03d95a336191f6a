using System.CommandLine;
using MotionWorkbench.IO;
using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Tensors;
using Spectre.Console;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw encode vit --preset tiny --checkpoint vit.safetensors --input patches.npy --out features.npy [--tokens]</c>:
/// the ViT's pooled features (B, C) of motion patches (B, 3, T, 5N) or one patch (3, T, 5N).
/// </summary>
internal static class EncodeVitCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "tiny, small, base or large", DefaultValueFactory = _ => "base" };
        var patch = new Option<int>("--patch-size") { Description = $"Patch size N ({PatchOptions.PatchSizeList}); the input width is 5N", DefaultValueFactory = _ => 16 };
        var frames = new Option<int>("--frames") { Description = "Input height T in frames", DefaultValueFactory = _ => 224 };
        var pooling = new Option<string>("--pooling") { Description = "mean (mean of patch tokens + fc_norm, the reference) or token (class token after norm)", DefaultValueFactory = _ => "mean" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "timm ViT .safetensors (pos_embed resampled to the motion grid; head and final norm dropped for mean pooling), or a model saved by mw (its motion encoder). Without it: random init from --seed" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random init when no checkpoint is given", DefaultValueFactory = _ => 0 };
        var input = new Option<string>("--input") { Description = "Motion patches .npy, float (B, 3, T, 5N) or (3, T, 5N)", Required = true };
        var output = new Option<string>("--out") { Description = "Pooled features .npy (B, C)", Required = true };
        var tokens = new Option<bool>("--tokens") { Description = "Also write every token's output (B, 1 + L, C), class token first, to OUT.tokens.npy" };
        var batchSize = new Option<int>("--batch-size") { Description = "Motions per forward", DefaultValueFactory = _ => 16 };
        var lexical = new Option<bool>("--lexical") { Description = "Write the L2-normalised lexical vectors (B, |V|) of a Lex run's checkpoint (--checkpoint RUN/best.safetensors) instead of the pooled features" };
        var command = new Command("vit", "Encode motion patches with the ViT motion encoder.");
        foreach (var o in new Option[] { preset, patch, frames, pooling, checkpoint, seed, input, output, tokens, batchSize, lexical, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                string inPath = parse.GetValue(input)!, outPath = parse.GetValue(output)!;
                var ckpt = parse.GetValue(checkpoint);
                int B = parse.GetValue(batchSize);
                if (B <= 0) throw new ArgumentException($"--batch-size must be positive, got {B}");
                MotionEncoder encoder;
                LexicalModel? lex = parse.GetValue(lexical) ? EncodeCommand.LoadLexicalModel(ckpt) : null;
                if (lex is not null && parse.GetValue(tokens)) throw new ArgumentException("--lexical writes the vocabulary vectors; --tokens is for the encoder's features (drop one of them)");
                var saved = ckpt is null || lex is not null ? null : EncodeCommand.TryLoadWorkbenchModel(ckpt);
                if (lex is not null)
                {
                    encoder = lex.MotionEncoder is VisionTransformer ? lex.MotionEncoder
                        : throw new ArgumentException($"{ckpt}: the Lex run's motion encoder is the raw-sequence transformer (model.lexMotionEncoder = raw), not a ViT over motion patches");
                    Console.Error.WriteLine($"mw encode vit: lexical vectors of the Lex run checkpoint {ckpt}");
                }
                else if (saved is not null)
                {
                    encoder = saved.MotionEncoder;
                    if (encoder is not VisionTransformer) throw new ArgumentException($"{ckpt}: the saved model's motion encoder is not a ViT");
                    Console.Error.WriteLine($"mw encode vit: motion encoder of the saved model {ckpt}");
                }
                else
                {
                    var pool = parse.GetValue(pooling) switch
                    {
                        "mean" => VitPooling.MeanPatchTokens,
                        "token" or "cls" => VitPooling.ClassToken,
                        var p => throw new ArgumentException($"--pooling must be mean or token, got '{p}'"),
                    };
                    var config = VitConfig.Preset(parse.GetValue(preset)!, parse.GetValue(patch)) with { Frames = parse.GetValue(frames), Pooling = pool };
                    var vit = new VisionTransformer(config, parse.GetValue(seed));
                    if (ckpt is not null) Console.Error.WriteLine($"mw encode vit: {ckpt}: {VitCheckpoint.Load(vit, ckpt)}");
                    else Console.Error.WriteLine($"mw encode vit: no --checkpoint, random init (seed {parse.GetValue(seed)})");
                    encoder = vit;
                }
                EncodeCommand.RequireFiniteWeights(lex is not null ? lex : encoder, ckpt ?? "the random init");
                var vc = (VitConfig)encoder.EncoderConfig;
                var array = Npy.Read(inPath);
                var shape = array.Rank == 3 ? [1, .. array.Shape] : array.Shape;
                if (shape.Length != 4 || shape[1] != 3 || shape[2] != vc.Frames || shape[3] != vc.ImageWidth)
                    throw new InvalidDataException($"{inPath}: motion patches must be (B, 3, {vc.Frames}, {vc.ImageWidth}) or (3, {vc.Frames}, {vc.ImageWidth}) for this ViT, got {array.ShapeText}");
                int N = shape[0], per = 3 * vc.Frames * vc.ImageWidth, C = lex?.VocabularySize ?? vc.Width, L = 1 + vc.PatchCount;
                EncodeCommand.RequireFiniteInput(array.Data, per, inPath);
                var pooled = new float[N * C];
                var tokenOut = parse.GetValue(tokens) ? new float[(long)N * L * C] : null;
                encoder.Eval();
                lex?.Eval();
                AnsiConsole.Progress().AutoClear(true).Start(ctx =>
                {
                    var task = ctx.AddTask("encoding motions", maxValue: N);
                    for (int s = 0; s < N; s += B)
                    {
                        int n = Math.Min(B, N - s);
                        using var _ = Autograd.NoGrad();
                        var x = new MotionInput(Tensor.FromArray(array.Data.AsSpan(s * per, n * per), n, 3, vc.Frames, vc.ImageWidth));
                        if (lex is not null) lex.EncodeMotion(x).Data.CopyTo(pooled.AsSpan(s * C, n * C));
                        else if (tokenOut is null) encoder.Forward(x).Data.CopyTo(pooled.AsSpan(s * C, n * C));
                        else
                        {
                            var t = encoder.ForwardTokens(x);
                            t.Data.CopyTo(tokenOut.AsSpan(s * L * C, n * L * C));
                            encoder.Forward(x).Data.CopyTo(pooled.AsSpan(s * C, n * C));
                        }
                        task.Increment(n);
                    }
                });
                EncodeCommand.WriteNpy(outPath, pooled, [N, C]);
                Console.WriteLine($"wrote {outPath} ({N}, {C}){(lex is null ? "" : $": lexical vectors, mean {pooled.Count(v => v != 0) / (double)Math.Max(1, N):F1} non-zeros per motion")}");
                if (tokenOut is not null)
                {
                    var tp = EncodeCommand.Beside(outPath, "tokens");
                    EncodeCommand.WriteNpy(tp, tokenOut, [N, L, C]);
                    Console.WriteLine($"wrote {tp} ({N}, {L}, {C})");
                }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"mw encode vit: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
