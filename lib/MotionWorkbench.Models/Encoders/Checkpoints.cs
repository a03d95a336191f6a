using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Models;

/// <summary>What a pretrained import did: loaded parameters, checkpoint keys deliberately dropped, and our parameters left at their fresh initialisation.</summary>
public sealed record ImportReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Dropped, IReadOnlyList<string> KeptFresh)
{
    public override string ToString() =>
        $"{Loaded.Count} tensors loaded; dropped: {(Dropped.Count == 0 ? "none" : string.Join(", ", Dropped))}; kept fresh: {(KeptFresh.Count == 0 ? "none" : string.Join(", ", KeptFresh))}";
}

/// <summary>
/// One explicit name map from checkpoint keys to parameters. Each entry names our parameter, its checkpoint key and an
/// optional conversion; <see cref="Apply"/> checks every shape and fails with the lists (first five of each, and how many more) of shape mismatches,
/// missing keys and unexpected keys.
/// </summary>
internal sealed class NameMap(string source)
{
    private readonly List<(string Key, Tensor Target, string Ours, Func<Tensor, Tensor>? Convert, bool Optional)> entries = [];
    private readonly List<(Func<string, bool> Match, string Why)> dropped = [];

    public void Map(string key, Tensor target, string ours, Func<Tensor, Tensor>? convert = null, bool optional = false) =>
        entries.Add((key, target, ours, convert, optional));

    public void Drop(Func<string, bool> match, string why) => dropped.Add((match, why));

    public ImportReport Apply(IReadOnlyDictionary<string, Tensor> checkpoint)
    {
        var missing = new List<string>();
        var badShapes = new List<string>();
        var loaded = new List<string>();
        var fresh = new List<string>();
        var used = new HashSet<string>();
        var pending = new List<(Tensor Source, Tensor Target)>();
        foreach (var (key, target, ours, convert, optional) in entries)
        {
            if (!checkpoint.TryGetValue(key, out var t))
            {
                if (optional) fresh.Add(ours); else missing.Add(key);
                continue;
            }
            used.Add(key);
            Tensor value;
            try { value = convert is null ? t : convert(t); }
            catch (ArgumentException e) { badShapes.Add($"{key}: {e.Message}"); continue; }
            if (!value.Shape.AsSpan().SequenceEqual(target.Shape))
            {
                badShapes.Add($"{key}: the checkpoint has {Tensor.Format(t.Shape)}, the model's {ours} expects {Tensor.Format(target.Shape)}");
                continue;
            }
            pending.Add((value, target));
            loaded.Add(key);
        }
        var droppedKeys = new List<string>();
        var unexpected = new List<string>();
        foreach (var key in checkpoint.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal))
        {
            var rule = dropped.FirstOrDefault(d => d.Match(key));
            if (rule.Match is not null) droppedKeys.Add($"{key} ({rule.Why})");
            else unexpected.Add(key);
        }
        if (badShapes.Count > 0 || missing.Count > 0 || unexpected.Count > 0)
        {
            var msg = $"{source}: the checkpoint does not fit the model:";
            if (badShapes.Count > 0) msg += "\n  shape mismatches: " + MotionWorkbench.Tensors.Nn.Module.FirstFew(badShapes, "; ");
            if (missing.Count > 0) msg += "\n  missing keys: " + MotionWorkbench.Tensors.Nn.Module.FirstFew(missing, ", ");
            if (unexpected.Count > 0) msg += "\n  unexpected keys: " + MotionWorkbench.Tensors.Nn.Module.FirstFew(unexpected, ", ");
            throw new InvalidDataException(msg);
        }
        foreach (var (src, dst) in pending) src.Data.CopyTo(dst.Data);
        return new ImportReport(loaded, droppedKeys, fresh);
    }
}

/// <summary>
/// Imports timm ViT checkpoints (<c>vit_base_patch16_224.augreg_in21k</c> and the Tiny/Small/Large equivalents) with
/// timm's key names. As the reference (timm <c>load_pretrained</c> with num_classes=0, global_pool="avg"): <c>head.*</c>
/// is dropped, the final <c>norm.*</c> is dropped for mean pooling (fc_norm starts fresh unless the checkpoint has
/// <c>fc_norm.*</c>) and loaded for class-token pooling, and <c>pos_embed</c> is resampled from its square grid to the
/// motion grid with antialiased bicubic.
/// </summary>
public static class VitCheckpoint
{
    /// <summary>Loads a .safetensors checkpoint into <paramref name="vit"/>.</summary>
    public static ImportReport Load(VisionTransformer vit, string path) => Load(vit, Safetensors.Read(path).Tensors, path);

    /// <summary>Loads a state dict (timm key names) into <paramref name="vit"/>.</summary>
    public static ImportReport Load(VisionTransformer vit, IReadOnlyDictionary<string, Tensor> checkpoint, string source = "checkpoint")
    {
        var config = vit.Config;
        var map = new NameMap(source);
        map.Map("cls_token", vit.ClassToken, "cls_token");
        map.Map("pos_embed", vit.PositionEmbedding, "pos_embed", t => ResamplePositions(t, config));
        map.Map("patch_embed.proj.weight", vit.PatchEmbed.Proj.Weight, "patch_embed.proj.weight");
        map.Map("patch_embed.proj.bias", vit.PatchEmbed.Proj.Bias, "patch_embed.proj.bias");
        for (int i = 0; i < config.Depth; i++)
        {
            var b = vit.Blocks[i];
            string p = $"blocks.{i}.";
            map.Map(p + "norm1.weight", b.Norm1.Weight, p + "norm1.weight");
            map.Map(p + "norm1.bias", b.Norm1.Bias, p + "norm1.bias");
            map.Map(p + "attn.qkv.weight", b.Attn.Qkv!.Weight, p + "attn.qkv.weight");
            map.Map(p + "attn.qkv.bias", b.Attn.Qkv!.Bias!, p + "attn.qkv.bias");
            map.Map(p + "attn.proj.weight", b.Attn.Out.Weight, p + "attn.proj.weight");
            map.Map(p + "attn.proj.bias", b.Attn.Out.Bias!, p + "attn.proj.bias");
            map.Map(p + "norm2.weight", b.Norm2.Weight, p + "norm2.weight");
            map.Map(p + "norm2.bias", b.Norm2.Bias, p + "norm2.bias");
            map.Map(p + "mlp.fc1.weight", b.Mlp.Fc1.Weight, p + "mlp.fc1.weight");
            map.Map(p + "mlp.fc1.bias", b.Mlp.Fc1.Bias!, p + "mlp.fc1.bias");
            map.Map(p + "mlp.fc2.weight", b.Mlp.Fc2.Weight, p + "mlp.fc2.weight");
            map.Map(p + "mlp.fc2.bias", b.Mlp.Fc2.Bias!, p + "mlp.fc2.bias");
        }
        if (config.Pooling == VitPooling.MeanPatchTokens)
        {
            map.Map("fc_norm.weight", vit.FinalNorm.Weight, "fc_norm.weight", optional: true);
            map.Map("fc_norm.bias", vit.FinalNorm.Bias, "fc_norm.bias", optional: true);
            map.Drop(k => k is "norm.weight" or "norm.bias", "final norm, replaced by a fresh fc_norm for mean pooling as in the reference");
        }
        else
        {
            map.Map("norm.weight", vit.FinalNorm.Weight, "norm.weight");
            map.Map("norm.bias", vit.FinalNorm.Bias, "norm.bias");
        }
        map.Drop(k => k.StartsWith("head.", StringComparison.Ordinal), "classifier head");
        try { return map.Apply(checkpoint); }
        catch (InvalidDataException e) when (checkpoint.TryGetValue("cls_token", out var cls) && cls.Rank == 3)
        {
            int depth = checkpoint.Keys.Count(k => k.StartsWith("blocks.", StringComparison.Ordinal) && k.EndsWith(".norm1.weight", StringComparison.Ordinal));
            int patch = checkpoint.TryGetValue("patch_embed.proj.weight", out var pw) && pw.Rank == 4 ? pw.Shape[3] : 0;
            throw new InvalidDataException($"{e.Message}\n  (the checkpoint is a ViT of width {cls.Shape[2]}, {depth} blocks, patch {patch}; the model has width {config.Width}, {config.Depth} blocks, patch {config.PatchSize})", e);
        }
    }

    private static Tensor ResamplePositions(Tensor t, VitConfig config)
    {
        if (t.Rank != 3 || t.Shape[0] != 1 || t.Shape[2] != config.Width)
            throw new ArgumentException($"the checkpoint has {Tensor.Format(t.Shape)}, the model's pos_embed expects (1, {1 + config.PatchCount}, {config.Width}) (any 1 + n·n positions are resampled)");
        int n = t.Shape[1] - 1;
        if (n == config.PatchCount) return t;
        int side = (int)Math.Round(Math.Sqrt(n));
        if (side * side != n) throw new ArgumentException($"the checkpoint has {Tensor.Format(t.Shape)}: {n} patch positions are not a square grid to resample to {config.GridRows} x {config.GridColumns}");
        return PositionEmbeddingResampler.Resample(t, side, side, config.GridRows, config.GridColumns);
    }
}

/// <summary>
/// Imports Hugging Face DistilBERT / BERT checkpoints (.safetensors). Accepts the <c>distilbert.</c> / <c>bert.</c>
/// prefix; maps BERT's <c>encoder.layer.{i}.attention.self.query</c>... names onto ours; loads the MLM head
/// (<c>vocab_transform</c>/<c>vocab_layer_norm</c>/<c>vocab_projector.bias</c> or <c>cls.predictions.*</c>) when one
/// is given and the checkpoint has it; drops the known heads we do not use (pooler, NSP, classifiers, the tied decoder
/// weight) and fails on anything else.
/// </summary>
public static class TextCheckpoint
{
    /// <summary>Loads a .safetensors checkpoint into <paramref name="encoder"/> (and <paramref name="head"/> when given).</summary>
    public static ImportReport Load(TextEncoder encoder, string path, MlmHead? head = null) => Load(encoder, Safetensors.Read(path).Tensors, path, head);

    /// <summary>Loads a state dict with HF key names.</summary>
    public static ImportReport Load(TextEncoder encoder, IReadOnlyDictionary<string, Tensor> checkpoint, string source = "checkpoint", MlmHead? head = null)
    {
        var config = encoder.Config;
        bool bert = config.Kind == TextEncoderKind.Bert;
        string prefix = bert ? "bert." : "distilbert.";
        var keys = new Dictionary<string, Tensor>();
        foreach (var (k, v) in checkpoint)
        {
            var key = k.StartsWith(prefix, StringComparison.Ordinal) ? k[prefix.Length..] : k;
            // TF-converted BERT checkpoints name LayerNorm parameters gamma/beta
            if (key.EndsWith("LayerNorm.gamma", StringComparison.Ordinal)) key = key[..^5] + "weight";
            else if (key.EndsWith("LayerNorm.beta", StringComparison.Ordinal)) key = key[..^4] + "bias";
            if (!keys.TryAdd(key, v)) throw new InvalidDataException($"{source}: key '{k}' appears both with and without the '{prefix}' prefix");
        }
        var map = new NameMap(source);
        var e = encoder.Embeddings;
        map.Map("embeddings.word_embeddings.weight", e.WordEmbeddings.Weight, "embeddings.word_embeddings.weight");
        map.Map("embeddings.position_embeddings.weight", e.PositionEmbeddings.Weight, "embeddings.position_embeddings.weight");
        if (e.TokenTypeEmbeddings is not null) map.Map("embeddings.token_type_embeddings.weight", e.TokenTypeEmbeddings.Weight, "embeddings.token_type_embeddings.weight");
        map.Map("embeddings.LayerNorm.weight", e.LayerNorm.Weight, "embeddings.LayerNorm.weight");
        map.Map("embeddings.LayerNorm.bias", e.LayerNorm.Bias, "embeddings.LayerNorm.bias");
        for (int i = 0; i < config.Depth; i++)
        {
            var l = encoder.Transformer.Layer[i];
            string ours = $"transformer.layer.{i}.";
            var pairs = bert
                ? new (string Hf, Tensor T, string Ours)[]
                {
                    ($"encoder.layer.{i}.attention.self.query.weight", l.Attention.Q!.Weight, "attention.q_lin.weight"),
                    ($"encoder.layer.{i}.attention.self.query.bias", l.Attention.Q!.Bias!, "attention.q_lin.bias"),
                    ($"encoder.layer.{i}.attention.self.key.weight", l.Attention.K!.Weight, "attention.k_lin.weight"),
                    ($"encoder.layer.{i}.attention.self.key.bias", l.Attention.K!.Bias!, "attention.k_lin.bias"),
                    ($"encoder.layer.{i}.attention.self.value.weight", l.Attention.V!.Weight, "attention.v_lin.weight"),
                    ($"encoder.layer.{i}.attention.self.value.bias", l.Attention.V!.Bias!, "attention.v_lin.bias"),
                    ($"encoder.layer.{i}.attention.output.dense.weight", l.Attention.Out.Weight, "attention.out_lin.weight"),
                    ($"encoder.layer.{i}.attention.output.dense.bias", l.Attention.Out.Bias!, "attention.out_lin.bias"),
                    ($"encoder.layer.{i}.attention.output.LayerNorm.weight", l.AttentionNorm.Weight, "sa_layer_norm.weight"),
                    ($"encoder.layer.{i}.attention.output.LayerNorm.bias", l.AttentionNorm.Bias, "sa_layer_norm.bias"),
                    ($"encoder.layer.{i}.intermediate.dense.weight", l.Ffn.Fc1.Weight, "ffn.lin1.weight"),
                    ($"encoder.layer.{i}.intermediate.dense.bias", l.Ffn.Fc1.Bias!, "ffn.lin1.bias"),
                    ($"encoder.layer.{i}.output.dense.weight", l.Ffn.Fc2.Weight, "ffn.lin2.weight"),
                    ($"encoder.layer.{i}.output.dense.bias", l.Ffn.Fc2.Bias!, "ffn.lin2.bias"),
                    ($"encoder.layer.{i}.output.LayerNorm.weight", l.OutputNorm.Weight, "output_layer_norm.weight"),
                    ($"encoder.layer.{i}.output.LayerNorm.bias", l.OutputNorm.Bias, "output_layer_norm.bias"),
                }
                : new (string Hf, Tensor T, string Ours)[]
                {
                    ("attention.q_lin.weight", l.Attention.Q!.Weight, "attention.q_lin.weight"),
                    ("attention.q_lin.bias", l.Attention.Q!.Bias!, "attention.q_lin.bias"),
                    ("attention.k_lin.weight", l.Attention.K!.Weight, "attention.k_lin.weight"),
                    ("attention.k_lin.bias", l.Attention.K!.Bias!, "attention.k_lin.bias"),
                    ("attention.v_lin.weight", l.Attention.V!.Weight, "attention.v_lin.weight"),
                    ("attention.v_lin.bias", l.Attention.V!.Bias!, "attention.v_lin.bias"),
                    ("attention.out_lin.weight", l.Attention.Out.Weight, "attention.out_lin.weight"),
                    ("attention.out_lin.bias", l.Attention.Out.Bias!, "attention.out_lin.bias"),
                    ("sa_layer_norm.weight", l.AttentionNorm.Weight, "sa_layer_norm.weight"),
                    ("sa_layer_norm.bias", l.AttentionNorm.Bias, "sa_layer_norm.bias"),
                    ("ffn.lin1.weight", l.Ffn.Fc1.Weight, "ffn.lin1.weight"),
                    ("ffn.lin1.bias", l.Ffn.Fc1.Bias!, "ffn.lin1.bias"),
                    ("ffn.lin2.weight", l.Ffn.Fc2.Weight, "ffn.lin2.weight"),
                    ("ffn.lin2.bias", l.Ffn.Fc2.Bias!, "ffn.lin2.bias"),
                    ("output_layer_norm.weight", l.OutputNorm.Weight, "output_layer_norm.weight"),
                    ("output_layer_norm.bias", l.OutputNorm.Bias, "output_layer_norm.bias"),
                };
            foreach (var (hf, t, o) in pairs) map.Map(bert ? hf : $"transformer.layer.{i}." + hf, t, ours + o);
        }

        // MLM head: loaded when we have one and the checkpoint carries it; the decoder weight is tied to the word embeddings
        string[] headKeys = bert
            ? ["cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias", "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias", "cls.predictions.bias"]
            : ["vocab_transform.weight", "vocab_transform.bias", "vocab_layer_norm.weight", "vocab_layer_norm.bias", "vocab_projector.bias"];
        bool checkpointHasHead = headKeys.Any(keys.ContainsKey);
        if (head is not null && checkpointHasHead)
        {
            Tensor[] targets = [head.Transform.Weight, head.Transform.Bias!, head.LayerNorm.Weight, head.LayerNorm.Bias, head.Bias];
            string[] ours = ["mlm.transform.weight", "mlm.transform.bias", "mlm.layer_norm.weight", "mlm.layer_norm.bias", "mlm.bias"];
            for (int i = 0; i < headKeys.Length; i++) map.Map(headKeys[i], targets[i], ours[i]);
        }
        else if (head is not null)
        {
            map.Map(headKeys[0], head.Transform.Weight, "mlm.transform.weight", optional: true);
            map.Map(headKeys[1], head.Transform.Bias!, "mlm.transform.bias", optional: true);
            map.Map(headKeys[2], head.LayerNorm.Weight, "mlm.layer_norm.weight", optional: true);
            map.Map(headKeys[3], head.LayerNorm.Bias, "mlm.layer_norm.bias", optional: true);
            map.Map(headKeys[4], head.Bias, "mlm.bias", optional: true);
        }
        else map.Drop(headKeys.Contains, "MLM head (no head to load it into)");
        var tiedDecoder = bert ? "cls.predictions.decoder.weight" : "vocab_projector.weight";
        if (keys.TryGetValue(tiedDecoder, out var dec) && !dec.Shape.AsSpan().SequenceEqual(e.WordEmbeddings.Weight.Shape))
            throw new InvalidDataException($"{source}: {tiedDecoder} has {Tensor.Format(dec.Shape)}, but it is tied to the word embeddings {Tensor.Format(e.WordEmbeddings.Weight.Shape)}");
        map.Drop(k => k == tiedDecoder || k == "cls.predictions.decoder.bias", "decoder tied to the word embeddings (its bias is the head bias)");
        map.Drop(k => k == "embeddings.position_ids", "buffer, not a parameter");
        if (bert)
        {
            map.Drop(k => k.StartsWith("pooler.", StringComparison.Ordinal), "BERT pooler (unused)");
            map.Drop(k => k.StartsWith("cls.seq_relationship.", StringComparison.Ordinal), "next-sentence head (unused)");
            map.Drop(k => k.StartsWith("classifier.", StringComparison.Ordinal), "classifier head (unused)");
        }
        else
        {
            map.Drop(k => k.StartsWith("pre_classifier.", StringComparison.Ordinal) || k.StartsWith("classifier.", StringComparison.Ordinal), "classifier head (unused)");
        }
        return map.Apply(keys);
    }
}
