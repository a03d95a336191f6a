namespace MotionWorkbench.Experiments;

/// <summary>
/// The published figures (Yu, Tanaka, Fujiwara, CVPR 2024, "Motion Patches"; source: shared/docs/paper-numbers.md) to show
/// beside a run's numbers. Rows are keyed by a short label; values follow <see cref="Columns.Full"/> (12) or
/// <see cref="Columns.Short"/> (8), with null where the paper gives no number. Never used to compute anything.
/// </summary>
public static class Published
{
    public const string Source = "paper: Yu et al., CVPR 2024 (ViT-B/16 ImageNet-21k + DistilBERT unless stated)";

    /// <summary>Table 2 (HumanML3D) and Table 3 (KIT-ML), full columns; key "protocol|method", protocol "all" or "small-batches".</summary>
    /// <summary>Where the Lex rows come from.</summary>
    public const string LexSource = "published: Lyu et al., Lex, ICLR 2025, Tables 1-2 (\"All\" protocol)";

    /// <summary>Lex Table 1 (HumanML3D, "All"): t2m R@1/2/3/5/10/MedR then m2t R@1/2/3/5/10/MedR.</summary>
    public static IReadOnlyDictionary<string, double?[]> LexTable1 { get; } = new Dictionary<string, double?[]>
    {
        ["† MotionPatch"] = [9.13, 12.86, 16.78, 23.83, 34.71, 22.50, 10.03, 11.89, 17.13, 23.44, 33.38, 24.50],
        ["Lex"] = [11.80, 17.11, 23.25, 30.81, 43.36, 14.00, 12.39, 15.55, 22.17, 29.25, 40.34, 17.00],
    };

    /// <summary>Lex Table 2 (KIT-ML, "All"), columns as <see cref="LexTable1"/>.</summary>
    public static IReadOnlyDictionary<string, double?[]> LexTable2 { get; } = new Dictionary<string, double?[]>
    {
        ["† MotionPatch"] = [10.82, 18.48, 26.38, 31.02, 46.51, 12.50, 11.53, 15.11, 24.92, 30.18, 40.52, 15.00],
        ["Lex"] = [15.13, 23.74, 31.61, 36.81, 54.12, 8.00, 15.01, 19.47, 30.06, 35.63, 47.53, 10.50],
    };

    /// <summary>Where the Lex Table 3 rows come from.</summary>
    public const string LexCaptioningSource = "published: Lyu et al., Lex, ICLR 2025, Table 3 (motion-to-text captioning; TM2T and MotionGPT rows as printed there)";

    /// <summary>
    /// Lex Table 3 (motion-to-text captioning), columns <see cref="Columns.Captioning"/> (BLEU@1, BLEU@4, ROUGE, CIDEr,
    /// BERTScore, all on the printed 0-100 scale); key "dataset|method", dataset "HumanML3D" or "KIT-ML", method "TM2T",
    /// "MotionGPT" (HumanML3D only) or "Lex".
    /// </summary>
    public static IReadOnlyDictionary<string, double?[]> LexTable3 { get; } = new Dictionary<string, double?[]>
    {
        ["HumanML3D|TM2T"] = [48.9, 7.00, 38.1, 16.8, 32.2],
        ["HumanML3D|MotionGPT"] = [48.2, 12.47, 37.4, 29.2, 32.4],
        ["HumanML3D|Lex"] = [49.7, 13.62, 39.2, 53.1, 33.1],
        ["KIT-ML|TM2T"] = [35.1, 6.2, 28.7, 28.9, 30.4],
        ["KIT-ML|Lex"] = [43.4, 8.9, 35.2, 65.3, 31.2],
    };

    public static IReadOnlyDictionary<string, double?[]> Table2 { get; } = new Dictionary<string, double?[]>
    {
        ["all|TEMOS"] = [2.12, 4.09, 5.87, 8.26, 13.52, 173.0, 3.86, 4.54, 6.94, 9.38, 14.00, 183.25],
        ["all|T2M"] = [1.80, 3.42, 4.79, 7.12, 12.47, 81.00, 2.92, 3.74, 6.00, 8.36, 12.95, 81.50],
        ["all|TMR"] = [8.92, 12.04, 16.33, 22.06, 33.37, 25.00, 9.44, 11.84, 16.90, 22.92, 32.21, 26.00],
        ["all|MP (scratch)"] = [8.46, 12.76, 16.22, 23.56, 35.27, 23.00, 9.63, 11.78, 16.58, 22.87, 33.57, 25.00],
        ["all|MP"] = [10.80, 14.98, 20.00, 26.72, 38.02, 19.00, 11.25, 13.86, 19.98, 26.86, 37.40, 20.50],
        ["small-batches|TMR"] = [67.45, 80.98, 86.22, 91.56, 95.46, 1.03, 68.59, 81.73, 86.75, 91.10, 95.39, 1.02],
        ["small-batches|MP (scratch)"] = [67.61, 82.40, 86.79, 91.75, 95.97, 1.01, 67.11, 80.04, 85.86, 91.86, 95.98, 1.00],
        ["small-batches|MP"] = [71.61, 85.81, 90.02, 94.35, 97.69, 1.00, 72.11, 85.26, 90.21, 94.44, 97.76, 1.00],
    };

    public static IReadOnlyDictionary<string, double?[]> Table3 { get; } = new Dictionary<string, double?[]>
    {
        ["all|TMR"] = [10.05, 13.87, 20.74, 30.03, 44.66, 14.00, 11.83, 13.74, 22.14, 29.39, 38.55, 16.00],
        ["all|MP (scratch)"] = [10.41, 17.01, 24.43, 31.55, 46.50, 13.00, 12.13, 14.83, 22.54, 30.83, 40.12, 15.00],
        ["all|MP"] = [14.02, 21.08, 28.91, 34.10, 50.00, 10.50, 13.61, 17.26, 27.54, 33.33, 44.77, 13.00],
        ["small-batches|TMR"] = [50.00, 69.14, 78.02, 87.97, 94.87, 1.50, 51.21, 69.53, 78.64, 89.00, 95.31, 1.50],
        ["small-batches|MP"] = [53.55, 71.30, 79.82, 88.92, 96.29, 1.36, 54.54, 72.15, 79.68, 89.35, 96.11, 1.31],
    };

    /// <summary>Table 4 (ablation, "All"), short columns; key "dataset|pretrained|patches", e.g. "HumanML3D|no|yes".</summary>
    public static IReadOnlyDictionary<string, double?[]> Table4 { get; } = new Dictionary<string, double?[]>
    {
        ["HumanML3D|yes|yes"] = [10.80, 26.72, 38.02, 19.00, 11.25, 26.86, 37.40, 20.50],
        ["HumanML3D|no|yes"] = [8.46, 23.56, 35.37, 23.00, 9.63, 22.87, 33.57, 25.00],
        ["HumanML3D|yes|no"] = [8.36, 22.84, 33.62, 24.00, 8.81, 21.67, 31.35, 29.00],
        ["HumanML3D|no|no"] = [8.58, 21.54, 32.87, 25.00, 8.46, 21.96, 30.79, 30.00],
        ["KIT-ML|yes|yes"] = [14.02, 34.10, 50.00, 10.50, 13.61, 33.33, 44.77, 13.00],
        ["KIT-ML|no|yes"] = [10.41, 31.55, 46.50, 13.00, 12.13, 30.83, 40.12, 15.00],
        ["KIT-ML|yes|no"] = [9.54, 31.72, 45.86, 14.00, 11.01, 27.31, 37.41, 18.00],
        ["KIT-ML|no|no"] = [9.87, 30.37, 44.21, 16.00, 10.14, 26.86, 36.43, 21.00],
    };

    /// <summary>Table 5 (evaluated on KIT-ML), short columns; key: "target only", "zero-shot", "fine-tuned".</summary>
    public static IReadOnlyDictionary<string, double?[]> Table5 { get; } = new Dictionary<string, double?[]>
    {
        ["target only"] = [14.02, 34.10, 50.00, 10.50, 13.61, 33.33, 44.77, 13.00],
        ["zero-shot"] = [7.35, 20.98, 34.33, 23.50, 7.90, 17.71, 25.88, 31.00],
        ["fine-tuned"] = [15.28, 38.71, 52.65, 9.00, 16.51, 35.78, 47.47, 11.00],
    };

    /// <summary>Table 6 (BABEL-60 zero-shot classification): top-1, top-5; key: method.</summary>
    public static IReadOnlyDictionary<string, double?[]> Table6 { get; } = new Dictionary<string, double?[]>
    {
        ["2s-AGCN (supervised)"] = [41.14, 73.18],
        ["MotionCLIP (supervised)"] = [40.90, 57.71],
        ["TMR (zero-shot)"] = [30.13, 41.52],
        ["MP (zero-shot)"] = [41.33, 68.97],
    };

    /// <summary>Table 7 (InterHuman), short columns; key: method.</summary>
    public static IReadOnlyDictionary<string, double?[]> Table7 { get; } = new Dictionary<string, double?[]>
    {
        ["TMR"] = [5.38, 15.64, 24.40, 34.00, 5.13, 15.26, 25.65, 33.00],
        ["MP"] = [9.51, 21.27, 32.41, 27.00, 8.26, 22.65, 32.66, 24.00],
    };

    /// <summary>Table 8 (ViT backbones, HumanML3D "All"), short columns (m2t R@5 and MedR not published); key: Tiny/Small/Base/Large.</summary>
    public static IReadOnlyDictionary<string, double?[]> Table8 { get; } = new Dictionary<string, double?[]>
    {
        ["Tiny"] = [9.54, 23.77, 36.10, 20, 10.52, null, 33.09, null],
        ["Small"] = [9.63, 24.64, 36.85, 19, 10.30, null, 33.77, null],
        ["Base"] = [10.80, 26.72, 38.02, 18, 11.25, null, 37.40, null],
        ["Large"] = [10.47, 27.29, 38.84, 19, 11.33, null, 37.42, null],
    };

    /// <summary>Table 10 (patch size, HumanML3D "All"), short columns (only t2m R@1 and R@10 published); key: 8, 16, 32.</summary>
    public static IReadOnlyDictionary<int, double?[]> Table10 { get; } = new Dictionary<int, double?[]>
    {
        [8] = [9.80, null, 38.15, null, null, null, null, null],
        [16] = [10.80, null, 38.02, null, null, null, null, null],
        [32] = [10.13, null, 38.00, null, null, null, null, null],
    };

    /// <summary>
    /// Table 11 (training data; KIT-ML test), short columns (t2m R@1, R@10 only); key: "target only" (KIT-ML only),
    /// "both" (HumanML3D + KIT-ML), "both + fine-tune" (then fine-tuned on KIT-ML). The HumanML3D test side is <see cref="Table11HumanML3D"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, double?[]> Table11 { get; } = new Dictionary<string, double?[]>
    {
        ["target only"] = [14.02, null, 50.00, null, null, null, null, null],
        ["both"] = [12.53, null, 50.96, null, null, null, null, null],
        ["both + fine-tune"] = [17.17, null, 54.50, null, null, null, null, null],
    };

    /// <summary>
    /// Table 11 (training data; HumanML3D test), short columns (t2m R@1, R@10 only); key: "target only" (HumanML3D only),
    /// "both" (HumanML3D + KIT-ML), "both + fine-tune" (then fine-tuned on HumanML3D).
    /// </summary>
    public static IReadOnlyDictionary<string, double?[]> Table11HumanML3D { get; } = new Dictionary<string, double?[]>
    {
        ["target only"] = [10.80, null, 38.02, null, null, null, null, null],
        ["both"] = [9.99, null, 38.64, null, null, null, null, null],
        ["both + fine-tune"] = [10.40, null, 38.91, null, null, null, null, null],
    };

    /// <summary>Looks a row up, throwing with the known keys when it is missing.</summary>
    public static double?[] Row<TKey>(IReadOnlyDictionary<TKey, double?[]> table, TKey key) where TKey : notnull =>
        table.TryGetValue(key, out var row) ? row
            : throw new KeyNotFoundException($"no published row '{key}' (known: {string.Join(", ", table.Keys)})");
}

/// <summary>The metric columns of the retrieval tables.</summary>
public static class Columns
{
    /// <summary>Tables 2 and 3: R@1/2/3/5/10 and MedR in both directions.</summary>
    public static IReadOnlyList<string> Full { get; } =
        ["t2m R@1", "t2m R@2", "t2m R@3", "t2m R@5", "t2m R@10", "t2m MedR", "m2t R@1", "m2t R@2", "m2t R@3", "m2t R@5", "m2t R@10", "m2t MedR"];

    /// <summary>Tables 4, 5, 7, 8, 10, 11: R@1/5/10 and MedR in both directions.</summary>
    public static IReadOnlyList<string> Short { get; } =
        ["t2m R@1", "t2m R@5", "t2m R@10", "t2m MedR", "m2t R@1", "m2t R@5", "m2t R@10", "m2t MedR"];

    public static IReadOnlyList<string> LowerIsBetter { get; } = ["t2m MedR", "m2t MedR"];

    /// <summary>Lex Table 3 (captioning): BLEU@1, BLEU@4, ROUGE(-L), CIDEr(-D), BERTScore; all higher is better.</summary>
    public static IReadOnlyList<string> Captioning { get; } = ["BLEU@1", "BLEU@4", "ROUGE", "CIDEr", "BERTScore"];
}
