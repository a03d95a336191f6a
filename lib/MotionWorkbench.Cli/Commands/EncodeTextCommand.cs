using System.CommandLine;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Text;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw encode text --checkpoint minilm-l6 --text "a person walks" --out f.npy [--tokens] [--normalize]</c>: the text
/// encoder's pooled features (B, C) ([CLS] or masked mean) of each text. <c>--checkpoint</c> takes a weights-store name
/// (minilm-l6, arctic-xs: the store's vocabulary and pooling), a run folder or a run's checkpoint (its text encoder and
/// vocabulary), a model saved by mw, a converted store file or a Hugging Face BERT/DistilBERT checkpoint (with --preset or
/// --config); without it, a random init from --seed.
/// </summary>
internal static class EncodeTextCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "distilbert-base, bert-mini or bert-tiny (for a Hugging Face checkpoint or a random init)", DefaultValueFactory = _ => "distilbert-base" };
        var hfConfig = new Option<string?>("--config") { Description = "A Hugging Face config.json instead of --preset (e.g. ../shared/data/vocab/bert-mini-config.json)" };
        var pooling = new Option<string?>("--pooling") { Description = "cls or mean (masked mean); default: the encoder's own (the store's as each model was trained, a run's as it trained, else cls)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A weights-store name (minilm-l6, arctic-xs), a run folder or its best/last.safetensors, a model saved by mw, a converted store file (mw weights export), or HF .safetensors (bert./distilbert. prefix accepted, heads ignored). Without it: random init from --seed" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random init when no checkpoint is given", DefaultValueFactory = _ => 0 };
        var vocab = new Option<string?>("--vocab") { Description = "WordPiece vocab.txt (not with a store name, which brings its own; default for a run: its vocab.txt)" };
        var text = new Option<string[]>("--text") { Description = "A text to encode (repeatable)", AllowMultipleArgumentsPerToken = false };
        var textFile = new Option<string?>("--text-file") { Description = "A file with one text per line (blank lines skipped)" };
        var output = new Option<string>("--out") { Description = "Pooled features .npy (B, C)", Required = true };
        var tokens = new Option<bool>("--tokens") { Description = "Also write every token's output (B, L, C) to OUT.tokens.npy and the attention mask (B, L) to OUT.mask.npy" };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalise each pooled row (a sentence embedding, as sentence-transformers returns it)" };
        var lexical = new Option<bool>("--lexical") { Description = "Write the L2-normalised lexical vectors (B, |V|) of a Lex run's checkpoint (--checkpoint RUN/best.safetensors) instead of the pooled features" };
        var command = new Command("text", "Encode texts with a text encoder: the store's MiniLM-L6 / Arctic-xs, a run's, or DistilBERT/BERT weights.");
        foreach (var o in new Option[] { preset, hfConfig, pooling, checkpoint, seed, vocab, text, textFile, output, tokens, normalize, lexical, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string outPath = parse.GetValue(output)!;
            try
            {
                var texts = new List<string>(parse.GetValue(text) ?? []);
                var file = parse.GetValue(textFile);
                if (file is not null) texts.AddRange(File.ReadAllLines(file).Where(l => !string.IsNullOrWhiteSpace(l)));
                if (texts.Count == 0) throw new ArgumentException("give at least one --text or a --text-file");
                var ckpt = parse.GetValue(checkpoint);
                var vocabPath = parse.GetValue(vocab);
                if (parse.GetValue(lexical))
                    return EncodeLexical(EncodeCommand.LoadLexicalModel(ckpt), ckpt!, vocabPath ?? throw new ArgumentException("--lexical needs --vocab (the Lex run's vocab.txt)"), texts, outPath);
                TextPooling? pool = parse.GetValue(pooling) switch
                {
                    null => null,
                    "cls" => TextPooling.Cls,
                    "mean" => TextPooling.MaskedMean,
                    var p => throw new ArgumentException($"--pooling must be cls or mean, got '{p}'"),
                };
                var encoder = Resolve(ckpt, vocabPath, pool, parse.GetValue(preset)!, parse.GetValue(hfConfig), parse.GetValue(seed));
                EncodeCommand.RequireFiniteWeights(encoder.Encoder, ckpt ?? "the random init");
                var (pooled, hidden, batch) = encoder.Encode(texts);
                int C = encoder.Encoder.FeatureDim;
                if (parse.GetValue(normalize))
                    for (int b = 0; b < batch.BatchSize; b++)
                    {
                        var row = pooled.AsSpan(b * C, C);
                        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(row);
                        if (norm > 0) System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
                    }
                EncodeCommand.WriteNpy(outPath, pooled, [batch.BatchSize, C]);
                Console.WriteLine($"wrote {outPath} ({batch.BatchSize}, {C}){(parse.GetValue(normalize) ? ", L2-normalised" : "")}: {encoder.Description}");
                if (parse.GetValue(tokens))
                {
                    var tp = EncodeCommand.Beside(outPath, "tokens");
                    EncodeCommand.WriteNpy(tp, hidden, [batch.BatchSize, batch.Length, C]);
                    var mp = EncodeCommand.Beside(outPath, "mask");
                    EncodeCommand.WriteNpy(mp, Array.ConvertAll(batch.AttentionMask, m => (float)m), [batch.BatchSize, batch.Length]);
                    Console.WriteLine($"wrote {tp} ({batch.BatchSize}, {batch.Length}, {C}) and {mp} ({batch.BatchSize}, {batch.Length})");
                }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
            {
                return CliErrors.Report("mw encode text", e);
            }
        });
        return command;
    }

    /// <summary>The encoder and tokenizer <paramref name="checkpoint"/> names (see the command's summary); <paramref name="pooling"/> overrides its pooling.</summary>
    private static SentenceEncoder Resolve(string? checkpoint, string? vocabPath, TextPooling? pooling, string preset, string? hfConfig, ulong seed)
    {
        if (checkpoint is not null && EncoderWeights.IsStoreName(checkpoint))
        {
            if (vocabPath is not null) throw new ArgumentException($"--vocab with --checkpoint {checkpoint}: a store entry brings its own vocabulary (bert-base-uncased's); leave --vocab out");
            if (hfConfig is not null) throw new ArgumentException($"--config with --checkpoint {checkpoint}: a store entry brings its own architecture; leave --config out");
            var store = SentenceEncoder.FromStore(checkpoint, pooling: pooling, log: m => Console.Error.WriteLine($"mw encode text: {m}"));
            Console.Error.WriteLine($"mw encode text: {store.Description}");
            return store;
        }
        if (checkpoint is not null && Directory.Exists(checkpoint)) checkpoint = RunModels.DefaultCheckpoint(checkpoint);
        if (checkpoint is not null && !File.Exists(checkpoint))
            throw new FileNotFoundException($"--checkpoint {checkpoint}: neither a weights-store name ({string.Join(", ", TextKind.Pretrained)}) nor an existing file or run folder", checkpoint);
        string? format = checkpoint is null ? null : Safetensors.Read(checkpoint).Metadata.GetValueOrDefault("format");
        TextEncoder encoder;
        string what;
        if (format == Checkpoint.Format)
        {
            // A run's checkpoint: the model is rebuilt from the run folder; its text encoder and (by default) its vocabulary.
            string runDir = Path.GetDirectoryName(Path.GetFullPath(checkpoint!))!;
            encoder = ModelTowers.Text(RunModels.Load(runDir, checkpoint))
                ?? throw new ArgumentException($"{checkpoint}: the run's model ({RunConfig.Load(runDir).Model.Architecture}) has no transformer text encoder");
            vocabPath ??= Path.Combine(runDir, RunData.VocabFileName);
            what = $"the text encoder of the run checkpoint {checkpoint}";
        }
        else if (checkpoint is not null && EncodeCommand.TryLoadWorkbenchModel(checkpoint) is { } saved)
        {
            encoder = saved.TextEncoder;
            what = $"the text encoder of the saved model {checkpoint}";
        }
        else if (format == MotionWorkbench.Pretrained.PretrainedConversion.TextEncoderFormat)
        {
            encoder = MotionWorkbench.Pretrained.PretrainedStore.LoadTextEncoder(checkpoint!);
            what = $"the converted text encoder {checkpoint}";
        }
        else
        {
            var config = hfConfig is null ? TextEncoderConfig.Preset(preset) : TextEncoderConfig.FromHuggingFaceConfig(hfConfig);
            encoder = new TextEncoder(config, seed);
            what = checkpoint is not null ? $"{checkpoint}: {TextCheckpoint.Load(encoder, checkpoint)}" : $"no --checkpoint, random init (seed {seed})";
        }
        if (vocabPath is null) throw new ArgumentException($"--vocab is required with {(checkpoint is null ? "a random init" : checkpoint)} (the WordPiece vocab.txt its word embeddings were trained with)");
        if (pooling is { } p) encoder = SentenceEncoder.Repooled(encoder, p);
        Console.Error.WriteLine($"mw encode text: {what}");
        string pooled = encoder.Config.Pooling == TextPooling.MaskedMean ? "attention-mask mean" : "[CLS]";
        return new SentenceEncoder(encoder, BertTokenizer.FromVocabularyFile(vocabPath, encoder.Config.MaxPositions), $"{what}, {pooled} pooling");
    }

    private static int EncodeLexical(LexicalModel model, string checkpoint, string vocabPath, IReadOnlyList<string> texts, string outPath)
    {
        var tokenizer = BertTokenizer.FromVocabularyFile(vocabPath, model.TextEncoder.Config.MaxPositions);
        if (tokenizer.Vocabulary.Count != model.VocabularySize)
            throw new ArgumentException($"{vocabPath}: {tokenizer.Vocabulary.Count} tokens, but the Lex run of {checkpoint} has a vocabulary of {model.VocabularySize} (use the run's vocab.txt)");
        EncodeCommand.RequireFiniteWeights(model, checkpoint);
        int V = model.VocabularySize;
        var output = new float[texts.Count * V];
        using (Autograd.NoGrad())
            for (int s = 0; s < texts.Count; s += 64)
            {
                int n = Math.Min(64, texts.Count - s);
                using var scope = TensorScope.Begin();
                model.EncodeText(tokenizer.EncodeBatch(texts.Skip(s).Take(n).ToList())).Data.CopyTo(output.AsSpan(s * V, n * V));
            }
        EncodeCommand.WriteNpy(outPath, output, [texts.Count, V]);
        Console.WriteLine($"wrote {outPath} ({texts.Count}, {V}): lexical vectors, mean {output.Count(x => x != 0) / (double)texts.Count:F1} non-zeros per text");
        return 0;
    }
}
