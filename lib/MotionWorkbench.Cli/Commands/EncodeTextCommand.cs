using System.CommandLine;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Text;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw encode text --preset distilbert-base --checkpoint model.safetensors --vocab vocab.txt --text "a person walks" --out f.npy [--tokens]</c>:
/// the text encoder's pooled features (B, C) ([CLS] or masked mean) of each text.
/// </summary>
internal static class EncodeTextCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "distilbert-base, bert-mini or bert-tiny", DefaultValueFactory = _ => "distilbert-base" };
        var hfConfig = new Option<string?>("--config") { Description = "A Hugging Face config.json instead of --preset (e.g. ../shared/data/vocab/bert-mini-config.json)" };
        var pooling = new Option<string>("--pooling") { Description = "cls (the reference) or mean (masked mean)", DefaultValueFactory = _ => "cls" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "HF .safetensors (bert./distilbert. prefix accepted, heads ignored) or a model saved by mw (its text encoder). Without it: random init from --seed" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random init when no checkpoint is given", DefaultValueFactory = _ => 0 };
        var vocab = new Option<string>("--vocab") { Description = "WordPiece vocab.txt", Required = true };
        var text = new Option<string[]>("--text") { Description = "A text to encode (repeatable)", AllowMultipleArgumentsPerToken = false };
        var textFile = new Option<string?>("--text-file") { Description = "A file with one text per line (blank lines skipped)" };
        var output = new Option<string>("--out") { Description = "Pooled features .npy (B, C)", Required = true };
        var tokens = new Option<bool>("--tokens") { Description = "Also write every token's output (B, L, C) to OUT.tokens.npy and the attention mask (B, L) to OUT.mask.npy" };
        var lexical = new Option<bool>("--lexical") { Description = "Write the L2-normalised lexical vectors (B, |V|) of a Lex run's checkpoint (--checkpoint RUN/best.safetensors) instead of the pooled features" };
        var command = new Command("text", "Encode texts with the DistilBERT/BERT text encoder.");
        foreach (var o in new Option[] { preset, hfConfig, pooling, checkpoint, seed, vocab, text, textFile, output, tokens, lexical, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var texts = new List<string>(parse.GetValue(text) ?? []);
                var file = parse.GetValue(textFile);
                if (file is not null) texts.AddRange(File.ReadAllLines(file).Where(l => !string.IsNullOrWhiteSpace(l)));
                if (texts.Count == 0) throw new ArgumentException("give at least one --text or a --text-file");
                var ckpt = parse.GetValue(checkpoint);
                if (parse.GetValue(lexical)) return EncodeLexical(EncodeCommand.LoadLexicalModel(ckpt), ckpt!, parse.GetValue(vocab)!, texts, parse.GetValue(output)!);
                var saved = ckpt is null ? null : EncodeCommand.TryLoadWorkbenchModel(ckpt);
                TextEncoder encoder;
                if (saved is not null)
                {
                    encoder = saved.TextEncoder;
                    Console.Error.WriteLine($"mw encode text: text encoder of the saved model {ckpt}");
                }
                else
                {
                    var cfgPath = parse.GetValue(hfConfig);
                    var config = cfgPath is null ? TextEncoderConfig.Preset(parse.GetValue(preset)!) : TextEncoderConfig.FromHuggingFaceConfig(cfgPath);
                    config = config with
                    {
                        Pooling = parse.GetValue(pooling) switch
                        {
                            "cls" => TextPooling.Cls,
                            "mean" => TextPooling.MaskedMean,
                            var p => throw new ArgumentException($"--pooling must be cls or mean, got '{p}'"),
                        },
                    };
                    encoder = new TextEncoder(config, parse.GetValue(seed));
                    if (ckpt is not null) Console.Error.WriteLine($"mw encode text: {ckpt}: {TextCheckpoint.Load(encoder, ckpt)}");
                    else Console.Error.WriteLine($"mw encode text: no --checkpoint, random init (seed {parse.GetValue(seed)})");
                }
                EncodeCommand.RequireFiniteWeights(encoder, ckpt ?? "the random init");
                var tokenizer = BertTokenizer.FromVocabularyFile(parse.GetValue(vocab)!, encoder.Config.MaxPositions);
                if (tokenizer.Vocabulary.Count > encoder.Config.VocabSize)
                    throw new ArgumentException($"the vocabulary has {tokenizer.Vocabulary.Count} tokens, the encoder only {encoder.Config.VocabSize}");
                var batch = tokenizer.EncodeBatch(texts);
                encoder.Eval();
                string outPath = parse.GetValue(output)!;
                using (Autograd.NoGrad())
                {
                    var h = encoder.ForwardTokens(batch);
                    var pooled = encoder.Pool(h, batch.AttentionMask);
                    int C = encoder.FeatureDim;
                    EncodeCommand.WriteNpy(outPath, pooled.Data, [batch.BatchSize, C]);
                    Console.WriteLine($"wrote {outPath} ({batch.BatchSize}, {C})");
                    if (parse.GetValue(tokens))
                    {
                        var tp = EncodeCommand.Beside(outPath, "tokens");
                        EncodeCommand.WriteNpy(tp, h.Data, [batch.BatchSize, batch.Length, C]);
                        var mp = EncodeCommand.Beside(outPath, "mask");
                        EncodeCommand.WriteNpy(mp, Array.ConvertAll(batch.AttentionMask, m => (float)m), [batch.BatchSize, batch.Length]);
                        Console.WriteLine($"wrote {tp} ({batch.BatchSize}, {batch.Length}, {C}) and {mp} ({batch.BatchSize}, {batch.Length})");
                    }
                }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"mw encode text: {e.Message}");
                return 1;
            }
        });
        return command;
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
