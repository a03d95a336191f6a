using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// Sizes of a <see cref="CaptionDecoder"/>. The vocabulary is the text encoder's WordPiece vocabulary: <paramref name="BosId"/>
/// = [CLS] starts every caption, <paramref name="EosId"/> = [SEP] ends it, <paramref name="PadId"/> = [PAD] is never a target.
/// <paramref name="MemoryWidth"/> is the width of the motion encoder's tokens (projected to <paramref name="Width"/>).
/// <paramref name="MaxPositions"/> bounds a caption's tokens, [CLS] and [SEP] included. <paramref name="PrefixWords"/> K &gt; 0
/// adds up to K word ids per motion (its top lexical words from a Lex run) as extra memory tokens before the motion's
/// (<see cref="CaptionDecoder.Memory(Tensor, int[])"/>) and the parameter <c>prefix_type</c>; 0 (default) is the plain decoder.
/// </summary>
public sealed record CaptionDecoderConfig(int Width, int Depth, int Heads, int Mlp, int VocabularySize, int MaxPositions, int MemoryWidth,
    int BosId, int EosId, int PadId, float Dropout = 0.1f, int PrefixWords = 0)
{
    public static CaptionDecoderConfig For(WordPieceVocabulary vocabulary, int width, int depth, int heads, int mlp, int maxPositions, int memoryWidth, float dropout = 0.1f) =>
        new(width, depth, heads, mlp, vocabulary.Count, maxPositions, memoryWidth, vocabulary.ClassifierId, vocabulary.SeparatorId, vocabulary.PaddingId, dropout);

    public void Validate()
    {
        var errors = new List<string>();
        if (Width <= 0 || Heads <= 0 || Width % Heads != 0) errors.Add($"width {Width} must be a positive multiple of the heads ({Heads})");
        if (Depth < 1) errors.Add($"depth must be at least 1, got {Depth}");
        if (Mlp < 1) errors.Add($"MLP width must be positive, got {Mlp}");
        if (MaxPositions < 3) errors.Add($"max positions must be at least 3 ([CLS], a word, [SEP]), got {MaxPositions}");
        if (MemoryWidth < 1) errors.Add($"memory width must be positive, got {MemoryWidth}");
        if (Dropout is < 0 or >= 1) errors.Add($"dropout must be in [0, 1), got {Dropout}");
        if (PrefixWords < 0) errors.Add($"prefix words must be 0 (none) or positive, got {PrefixWords}");
        foreach (var (name, id) in new[] { ("BOS", BosId), ("EOS", EosId), ("PAD", PadId) })
            if ((uint)id >= (uint)VocabularySize) errors.Add($"{name} id {id} is outside the vocabulary [0, {VocabularySize})");
        if (errors.Count > 0) throw new ArgumentException("caption decoder: " + string.Join("; ", errors));
    }
}

/// <summary>
/// A small causal transformer decoder that writes a caption from a motion: the motion encoder's output tokens
/// (B, Lm, M) go through <c>memory_norm</c> and <c>memory_proj</c> (M → C) and are the cross-attention memory;
/// the caption's word pieces get <c>token_embed</c> + <c>pos_embed</c>, then <c>blocks.{i}</c> (pre-norm: causal
/// self-attention, cross-attention to the motion, MLP) and <c>norm</c>; the output projection is tied to
/// <c>token_embed</c> (plus <c>out_bias</c>). Trained by teacher forcing: position t predicts token t + 1, the
/// cross-entropy averaged over every real target ([SEP] included; [PAD], where the attention mask is 0, excluded).
/// With <see cref="CaptionDecoderConfig.PrefixWords"/> K &gt; 0 (our reconstruction of Lex's "optionally prefixed by the
/// motion's top lexical words"; the paper publishes no decoder) the memory is K word tokens followed by the motion's:
/// word k of a motion is <c>token_embed</c>[id] (the tied embedding) + <c>prefix_type</c> (a learned width-C vector),
/// absent words (a motion with fewer than K) are memory padding.
/// </summary>
public sealed class CaptionDecoder : Module
{
    public CaptionDecoderConfig Config { get; }
    public LayerNorm MemoryNorm { get; }
    public Linear MemoryProjection { get; }
    public Embedding TokenEmbedding { get; }
    public Tensor PositionEmbedding { get; }
    public ModuleList<PreNormDecoderBlock> Blocks { get; }
    public LayerNorm Norm { get; }
    public Tensor OutputBias { get; }
    public Dropout EmbeddingDropout { get; }
    /// <summary>The learned type vector (C) added to every prefix word's embedding; null when <see cref="CaptionDecoderConfig.PrefixWords"/> is 0.</summary>
    public Tensor? PrefixType { get; }

    public CaptionDecoder(CaptionDecoderConfig config, ulong seed)
    {
        config.Validate();
        Config = config;
        int C = config.Width;
        MemoryNorm = Child("memory_norm", new LayerNorm(config.MemoryWidth));
        MemoryProjection = Child("memory_proj", new Linear(config.MemoryWidth, C));
        TokenEmbedding = Child("token_embed", new Embedding(config.VocabularySize, C));
        PositionEmbedding = Param("pos_embed", config.MaxPositions, C);
        Blocks = Child("blocks", new ModuleList<PreNormDecoderBlock>(config.Depth, i => new PreNormDecoderBlock(C, config.Heads, config.Mlp, config.Dropout, seed * 97 + (ulong)i + 1)));
        Norm = Child("norm", new LayerNorm(C));
        OutputBias = Param("out_bias", config.VocabularySize);
        EmbeddingDropout = Child("drop", new Dropout(config.Dropout, seed * 97 + 61));
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32)) + 17));
        Init.Timm(this, rng);
        Init.Normal(TokenEmbedding.Weight, 0.02f, rng);
        Init.Normal(PositionEmbedding, 0.01f, rng);
        Init.Zeros(OutputBias);
        if (config.PrefixWords > 0) // registered and drawn last: every other parameter is as without the prefix
        {
            PrefixType = Param("prefix_type", C);
            Init.Normal(PrefixType, 0.02f, rng);
        }
    }

    /// <summary>The motion tokens (B, Lm, M) as the decoder's memory (B, Lm, C); a decoder with prefix words needs <see cref="Memory(Tensor, int[])"/>.</summary>
    public Tensor Memory(Tensor motionTokens)
    {
        if (Config.PrefixWords > 0)
            throw new InvalidOperationException($"caption decoder: it reads {Config.PrefixWords} prefix words per motion; pass them (Memory(tokens, prefixIds))");
        return MotionMemory(motionTokens);
    }

    private Tensor MotionMemory(Tensor motionTokens)
    {
        if (motionTokens.Rank != 3 || motionTokens.Shape[2] != Config.MemoryWidth)
            throw new ArgumentException($"caption decoder: motion tokens must be (B, Lm, {Config.MemoryWidth}), got {Tensor.Format(motionTokens.Shape)}");
        return MemoryProjection.Forward(MemoryNorm.Forward(motionTokens));
    }

    /// <summary>
    /// The memory of a decoder with K = <see cref="CaptionDecoderConfig.PrefixWords"/> prefix words: (B, K + Lm, C), the
    /// K word tokens (<c>token_embed</c>[id] + <c>prefix_type</c>) before the motion's, and its padding (B·(K + Lm),
    /// true = absent word). <paramref name="prefixIds"/> holds B·K vocabulary ids, row b's words first; a negative id
    /// is an absent word. With K = 0 it is <see cref="Memory(Tensor)"/> and no padding (<paramref name="prefixIds"/> empty or null).
    /// </summary>
    public (Tensor Memory, bool[]? Padding) Memory(Tensor motionTokens, int[]? prefixIds)
    {
        int K = Config.PrefixWords;
        var motion = MotionMemory(motionTokens);
        if (K == 0)
        {
            if (prefixIds is { Length: > 0 }) throw new ArgumentException("caption decoder: it reads no prefix words (model.captionLexWords = 0), but some were given");
            return (motion, null);
        }
        int B = motion.Shape[0], Lm = motion.Shape[1];
        var (ids, padding) = PrefixLayout(Config, prefixIds, B, Lm);
        var words = Ops.Add(TokenEmbedding.Forward(ids, B, K), PrefixType!);   // (B, K, C)
        return (Ops.Concat([words, motion], 1), padding);
    }

    /// <summary>Hidden states (B, L, C) after the final norm of ids (B·L) with an optional padding mask (true = [PAD]).</summary>
    public Tensor Hidden(Tensor memory, bool[]? memoryPadding, int[] ids, int B, int L, bool[]? padding = null)
    {
        if (L > Config.MaxPositions) throw new ArgumentException($"caption decoder: {L} tokens exceed its {Config.MaxPositions} positions");
        if (memory.Shape[0] != B) throw new ArgumentException($"caption decoder: memory has {memory.Shape[0]} rows for {B} captions");
        var x = Ops.Add(TokenEmbedding.Forward(ids, B, L), Ops.Slice(PositionEmbedding, 0, 0, L)); // (B, L, C)
        x = EmbeddingDropout.Forward(x);
        foreach (var block in Blocks.Items) x = block.Forward(x, padding, memory, memoryPadding);
        return Norm.Forward(x);
    }

    /// <summary>Logits (N, V) of hidden rows (N, C): the tied output projection.</summary>
    public Tensor Logits(Tensor hidden) => Ops.Linear(hidden, TokenEmbedding.Weight, OutputBias);

    /// <summary>
    /// The memory ids and padding of B·K prefix ids (negative = absent; both engines use this layout): ids B·K with
    /// [PAD] for an absent word, padding B·(K + Lm) with true at the absent words (the Lm motion tokens are never padded).
    /// </summary>
    public static (int[] Ids, bool[] Padding) PrefixLayout(CaptionDecoderConfig config, int[]? prefixIds, int B, int Lm)
    {
        ArgumentNullException.ThrowIfNull(config);
        int K = config.PrefixWords;
        if (prefixIds is null || prefixIds.Length != B * K)
            throw new ArgumentException($"caption decoder: {B} motions need {B * K} prefix ids ({K} each, negative = absent), got {prefixIds?.Length ?? 0}");
        var ids = new int[B * K];
        var padding = new bool[B * (K + Lm)];
        for (int b = 0; b < B; b++)
            for (int k = 0; k < K; k++)
            {
                int id = prefixIds[b * K + k];
                if (id >= config.VocabularySize) throw new ArgumentException($"caption decoder: prefix id {id} is outside the vocabulary [0, {config.VocabularySize})");
                bool absent = id < 0;
                ids[b * K + k] = absent ? config.PadId : id;
                padding[b * (K + Lm) + k] = absent;
            }
        return (ids, padding);
    }

    /// <summary>
    /// Teacher forcing of a caption batch (both engines use this layout): T = min(length, positions) − 1 inputs per
    /// caption ([CLS] w1 .. wn, B·T ids and their padding) and the targets w1 .. wn [SEP] at the rows (b·T + t) whose
    /// next token is real.
    /// </summary>
    public static (int T, int[] Inputs, bool[] Padding, int[] Rows, int[] Targets) TeacherForcing(EncodedBatch captions, int maxPositions)
    {
        ArgumentNullException.ThrowIfNull(captions);
        int B = captions.BatchSize, L = Math.Min(captions.Length, maxPositions);
        if (L < 2) throw new ArgumentException($"caption decoder: captions of {captions.Length} tokens hold nothing to predict");
        int T = L - 1;
        var inputs = new int[B * T];
        var padding = new bool[B * T];
        var rows = new List<int>();
        var targets = new List<int>();
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
            {
                int src = b * captions.Length + t;
                inputs[b * T + t] = captions.InputIds[src];
                padding[b * T + t] = captions.AttentionMask[src] == 0;
                if (captions.AttentionMask[src + 1] != 0)
                {
                    rows.Add(b * T + t);
                    targets.Add(captions.InputIds[src + 1]);
                }
            }
        if (rows.Count == 0) throw new ArgumentException("caption decoder: the batch has no caption token to predict");
        return (T, inputs, padding, rows.ToArray(), targets.ToArray());
    }

    /// <summary>
    /// Teacher-forced cross-entropy of the captions given the memory: inputs [CLS] w1 .. wn, targets w1 .. wn [SEP],
    /// mean over the real targets. Captions longer than <see cref="CaptionDecoderConfig.MaxPositions"/> are cut.
    /// </summary>
    public Tensor Loss(Tensor memory, bool[]? memoryPadding, EncodedBatch captions)
    {
        var (T, inputs, padding, rows, targets) = TeacherForcing(captions, Config.MaxPositions);
        int B = captions.BatchSize;
        var h = Hidden(memory, memoryPadding, inputs, B, T, padding);                 // (B, T, C)
        var picked = Ops.IndexSelect(Ops.Reshape(h, B * T, Config.Width), rows);    // (N, C)
        return Ops.CrossEntropy(Logits(picked), targets);
    }

    /// <summary>A scorer for <see cref="CaptionSearch"/> over this decoder and a batch of memories (B, Lm, C), in no-grad
    /// mode; BOS/EOS are the config's unless given (the run's vocabulary's [CLS] and [SEP]).</summary>
    public ICaptionScorer Scorer(Tensor memory, bool[]? memoryPadding = null, int? bosId = null, int? eosId = null) =>
        new DecoderScorer(this, memory, memoryPadding, bosId ?? Config.BosId, eosId ?? Config.EosId);

    private sealed class DecoderScorer(CaptionDecoder decoder, Tensor memory, bool[]? memoryPadding, int bos, int eos) : ICaptionScorer
    {
        public int VocabularySize => decoder.Config.VocabularySize;
        public int BosId => bos;
        public int EosId => eos;
        public int MaxPositions => decoder.Config.MaxPositions;

        public float[] NextLogProbs(int[] motionRows, int[][] prefixes)
        {
            using var _ = Autograd.NoGrad();
            using var scope = TensorScope.Begin();   // a step's activations go back to the pool (the result is copied out)
            int R = prefixes.Length, L = prefixes[0].Length, V = VocabularySize, Lm = memory.Shape[1];
            var ids = new int[R * L];
            for (int r = 0; r < R; r++)
            {
                if (prefixes[r].Length != L) throw new ArgumentException("caption decoder: the prefixes of one step must have one length");
                prefixes[r].CopyTo(ids, r * L);
            }
            var mem = Ops.IndexSelect(memory, motionRows);                                  // (R, Lm, C)
            bool[]? pad = null;
            if (memoryPadding is not null)
            {
                pad = new bool[R * Lm];
                for (int r = 0; r < R; r++) Array.Copy(memoryPadding, motionRows[r] * Lm, pad, r * Lm, Lm);
            }
            var h = decoder.Hidden(mem, pad, ids, R, L);                                     // (R, L, C)
            var last = Ops.Reshape(Ops.Slice(h, 1, L - 1, 1), R, decoder.Config.Width);      // (R, C)
            var logp = Ops.LogSoftmax(decoder.Logits(last));                                 // (R, V)
            var result = logp.ToArray();
            if (result.Length != R * V) throw new InvalidOperationException("caption decoder: unexpected logit shape");
            return result;
        }
    }
}
