using System.CommandLine;
using MotionWorkbench.IO;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Training;
using Spectre.Console;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw encode resnet --checkpoint resnet18-imagenet --input IN.npy --out OUT.npy [--patches] [--tokens]</c>: the
/// ResNet's global-average-pooled features (B, 8·width) of images (B, 3, H, W) or (3, H, W), float32, already in the
/// network's input space (BGR 0..255 minus the channel means: what ResNet18.onnx's input takes), any H, W ≥ 32, or with
/// <c>--patches</c> motion patches of z-scores mapped as the motion encoder maps them (<see cref="ResNetInputMapping"/>).
/// </summary>
internal static class EncodeResNetCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint") { Description = "resnet18-imagenet (the weights store), a torchvision-named ResNet .safetensors (e.g. from mw weights export), a model saved by mw or a run's checkpoint with a ResNet motion encoder. Without it: random init from --seed" };
        var stages = new Option<string?>("--stages") { Description = "Blocks per stage, e.g. 2,2,2,3 (the ImageNet weights) or 2,2,2,2 (torchvision's resnet18); default: read from the weights (2,2,2,3 for a random init)" };
        var width = new Option<int>("--width") { Description = "Base width of a random init (64 for ResNet-18)", DefaultValueFactory = _ => 64 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random init when no checkpoint is given", DefaultValueFactory = _ => 0 };
        var input = new Option<string>("--input") { Description = "Images .npy, float32 (B, 3, H, W) or (3, H, W), in the network's input space (BGR 0..255 minus the channel means B 103.0626, G 115.9029, R 123.1516)", Required = true };
        var output = new Option<string>("--out") { Description = "Pooled features .npy (B, C)", Required = true };
        var patches = new Option<bool>("--patches") { Description = "The input holds motion patches of z-scores (channels x, y, z), mapped to the network's input as the motion encoder does (patch colours as RGB 0..255, BGR, minus the means)" };
        var tokens = new Option<bool>("--tokens") { Description = "Also write the last feature map's cells (B, h·w, C), time (row) major, to OUT.tokens.npy" };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per forward", DefaultValueFactory = _ => 16 };
        var command = new Command("resnet", "Encode images (or motion patches) with the ResNet encoder: global-average-pooled features before any projection head.");
        foreach (var o in new Option[] { checkpoint, stages, width, seed, input, output, patches, tokens, batchSize }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                string inPath = parse.GetValue(input)!, outPath = parse.GetValue(output)!;
                int chunk = parse.GetValue(batchSize);
                if (chunk <= 0) throw new ArgumentException($"--batch-size must be positive, got {chunk}");
                var array = Npy.Read(inPath);
                var shape = array.Rank == 3 ? [1, .. array.Shape] : array.Shape;
                if (shape.Length != 4) throw new InvalidDataException($"{inPath}: images must be (B, 3, H, W) or (3, H, W), got {array.ShapeText}");
                if (shape[1] != 3) throw new InvalidDataException($"{inPath}: images must have 3 channels (BGR; motion patches x, y, z), got {shape[1]} in {array.ShapeText}");
                int N = shape[0], H = shape[2], W = shape[3], per = 3 * H * W;
                if (H < ResNetConfig.TotalStride || W < ResNetConfig.TotalStride)
                    throw new InvalidDataException($"{inPath}: images of {H} x {W} are smaller than the network's total stride ({ResNetConfig.TotalStride} x {ResNetConfig.TotalStride})");
                EncodeCommand.RequireFiniteInput(array.Data, per, inPath);

                var encoder = Load(parse.GetValue(checkpoint), parse.GetValue(stages), parse.GetValue(width), parse.GetValue(seed), H, W);
                EncodeCommand.RequireFiniteWeights(encoder, parse.GetValue(checkpoint) ?? "the random init");
                int C = encoder.FeatureDim;
                var (h, w) = (ResNetConfig.MapSize(H), ResNetConfig.MapSize(W));
                var pooled = new float[N * C];
                var tokenOut = parse.GetValue(tokens) ? new float[(long)N * h * w * C] : null;
                bool mapPatches = parse.GetValue(patches);
                encoder.Eval();
                AnsiConsole.Progress().AutoClear(true).Start(ctx =>
                {
                    var task = ctx.AddTask("encoding images", maxValue: N);
                    for (int s = 0; s < N; s += chunk)
                    {
                        int n = Math.Min(chunk, N - s);
                        using var _ = Autograd.NoGrad();
                        using var scope = TensorScope.Begin();
                        var x = Tensor.FromArray(array.Data.AsSpan(s * per, n * per), n, 3, H, W);
                        var map = encoder.ForwardFeatureMap(mapPatches ? ResNetInputMapping.FromZScores(x) : x);   // (n, C, h, w)
                        ResNetEncoder.Pool(map).Data.CopyTo(pooled.AsSpan(s * C, n * C));
                        if (tokenOut is not null) ResNetEncoder.Tokens(map).Data.CopyTo(tokenOut.AsSpan(s * h * w * C, n * h * w * C));
                        task.Increment(n);
                    }
                });
                EncodeCommand.WriteNpy(outPath, pooled, [N, C]);
                Console.WriteLine($"wrote {outPath} ({N}, {C})");
                if (tokenOut is not null)
                {
                    var tp = EncodeCommand.Beside(outPath, "tokens");
                    EncodeCommand.WriteNpy(tp, tokenOut, [N, h * w, C]);
                    Console.WriteLine($"wrote {tp} ({N}, {h * w}, {C})");
                }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
            {
                return CliErrors.Report("mw encode resnet", e);
            }
        });
        return command;
    }

    /// <summary>The encoder of <paramref name="checkpoint"/> (any of the forms --checkpoint takes), or a random init; sized for H x W network-space images.</summary>
    private static ResNetEncoder Load(string? checkpoint, string? stagesText, int width, ulong seed, int H, int W)
    {
        int[]? stages = stagesText is null ? null : ParseStages(stagesText);
        if (checkpoint is null)
        {
            var fresh = new ResNetEncoder(new ResNetConfig(stages ?? [2, 2, 2, 3], width, Input: ResNetInput.Network, Frames: H, ImageWidth: W), seed);
            Console.Error.WriteLine($"mw encode resnet: no --checkpoint, random init (stages [{string.Join(", ", fresh.Config.Stages)}], width {width}, seed {seed})");
            return fresh;
        }
        if (!EncoderWeights.IsStoreName(checkpoint) && File.Exists(checkpoint) && Safetensors.Read(checkpoint).Metadata.TryGetValue("format", out var format)
            && (format == MotionWorkbench.Training.Checkpoint.Format || format == "MotionWorkbench.MotionTextModel" || format == "MotionWorkbench.InteractionModel"))
            return FromWorkbenchModel(checkpoint, format, stages);
        var weights = EncoderWeights.Resolve(checkpoint, "--checkpoint", log: m => Console.Error.WriteLine($"mw encode resnet: {m}"));
        if (weights.Source is { } source && source.Kind != MotionWorkbench.Pretrained.PretrainedKind.ResNet)
            throw new ArgumentException($"--checkpoint {checkpoint}: '{source.Name}' is a text encoder, not ResNet weights");
        var (tensors, _) = Safetensors.Read(weights.Path);
        var fileStages = ResNetCheckpoint.StagesOf(tensors.Keys);
        int fileWidth = tensors.TryGetValue("conv1.weight", out var stem) ? stem.Shape[0] : width;
        var encoder = new ResNetEncoder(new ResNetConfig(stages ?? (fileStages.All(d => d > 0) ? fileStages : [2, 2, 2, 3]), fileWidth, Input: ResNetInput.Network, Frames: H, ImageWidth: W), 0);
        var report = ResNetCheckpoint.Load(encoder, tensors, weights.Path);
        Console.Error.WriteLine($"mw encode resnet: {weights}: {report.Loaded.Count} tensors, stages [{string.Join(", ", encoder.Config.Stages)}]");
        return encoder;
    }

    /// <summary>The ResNet motion encoder of a model saved by mw or of a run's checkpoint, re-sized for network-space input.</summary>
    private static ResNetEncoder FromWorkbenchModel(string path, string format, int[]? stages)
    {
        MotionEncoder encoder;
        if (format == MotionWorkbench.Training.Checkpoint.Format)
        {
            string runDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            encoder = MotionEncoderInit.EncoderOf(RunModels.Load(runDir, path));
        }
        else encoder = format == "MotionWorkbench.InteractionModel" ? InteractionModel.Load(path).MotionEncoder : MotionTextModel.Load(path).MotionEncoder;
        if (encoder is not ResNetEncoder resnet)
            throw new ArgumentException($"{path}: the model's motion encoder is a {encoder.GetType().Name}, not a ResNet (use mw encode vit for a ViT)");
        if (stages is not null && !stages.AsSpan().SequenceEqual(resnet.Config.Stages))
            throw new ArgumentException($"{path}: the model's ResNet has stages [{string.Join(", ", resnet.Config.Stages)}], --stages says [{string.Join(", ", stages)}]");
        Console.Error.WriteLine($"mw encode resnet: motion encoder of {path} (stages [{string.Join(", ", resnet.Config.Stages)}], BatchNorm running statistics as trained)");
        return resnet;
    }

    private static int[] ParseStages(string text)
    {
        var spec = new ModelSpec { ResnetStages = text };
        return spec.ResNetStageDepths(out var error) ?? throw new ArgumentException(error!.Replace("model.resnetStages", "--stages", StringComparison.Ordinal));
    }
}
