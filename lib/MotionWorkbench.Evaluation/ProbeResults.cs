using System.Text.Json.Nodes;

namespace MotionWorkbench.Evaluation;

/// <summary>
/// Accuracy of one direction over a set of pair trials: <see cref="Right"/> trials right, <see cref="Ties"/> ties
/// (counted half), of <see cref="Trials"/>; <see cref="Accuracy"/> in percent with its 95 % Wilson interval
/// [<see cref="Low"/>, <see cref="High"/>] (percent).
/// </summary>
public sealed record ProbeAccuracy(int Right, int Ties, int Trials, double Accuracy, double Low, double High)
{
    public JsonObject ToJson() => new()
    {
        ["accuracy"] = Math.Round(Accuracy, 4),
        ["ci95"] = new JsonArray(Math.Round(Low, 4), Math.Round(High, 4)),
        ["right"] = Right,
        ["ties"] = Ties,
        ["trials"] = Trials,
    };

    public static ProbeAccuracy FromJson(JsonNode node, string where)
    {
        try
        {
            var ci = node["ci95"]!.AsArray();
            return new ProbeAccuracy(node["right"]!.GetValue<int>(), node["ties"]!.GetValue<int>(), node["trials"]!.GetValue<int>(),
                node["accuracy"]!.GetValue<double>(), ci[0]!.GetValue<double>(), ci[1]!.GetValue<double>());
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"{where}: not a probe accuracy ({e.Message})");
        }
    }
}

/// <summary>
/// The probe result of one attribute: the number of pairs, the accuracy in each direction (chance 50 %) and the mean
/// score margin, (s(a, a) + s(b, b) - s(a, b) - s(b, a)) / 2 per pair (positive: the right pairings score higher).
/// </summary>
public sealed record ProbeAttributeResult(string Attribute, int Pairs, ProbeAccuracy TextToMotion, ProbeAccuracy MotionToText, double MeanMargin)
{
    public JsonObject ToJson() => new()
    {
        ["attribute"] = Attribute,
        ["pairs"] = Pairs,
        ["chance"] = ProbeScoring.Chance,
        ["t2m"] = TextToMotion.ToJson(),
        ["m2t"] = MotionToText.ToJson(),
        ["meanMargin"] = Math.Round(MeanMargin, 6),
    };

    public static ProbeAttributeResult FromJson(JsonNode node, string where)
    {
        string attribute = (string?)node["attribute"] ?? throw new InvalidDataException($"{where}: \"attribute\" is missing");
        int pairs = node["pairs"]?.GetValue<int>() ?? throw new InvalidDataException($"{where}: \"pairs\" is missing");
        return new ProbeAttributeResult(attribute, pairs,
            ProbeAccuracy.FromJson(node["t2m"] ?? throw new InvalidDataException($"{where}: \"t2m\" is missing"), $"{where} t2m"),
            ProbeAccuracy.FromJson(node["m2t"] ?? throw new InvalidDataException($"{where}: \"m2t\" is missing"), $"{where} m2t"),
            node["meanMargin"]?.GetValue<double>() ?? throw new InvalidDataException($"{where}: \"meanMargin\" is missing"));
    }
}
