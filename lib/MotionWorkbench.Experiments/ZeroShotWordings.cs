using System.Text.RegularExpressions;
using MotionWorkbench.Data;

namespace MotionWorkbench.Experiments;

/// <summary>
/// Zero-shot prompts in wordings the training captions never use (notebook 08): a paraphrase of each synthetic action
/// label (synonyms such as "strolls" for walk, "applauds" for clap) whose every content word is outside the synthetic
/// caption generator's phrases (only function words such as "a", "the", "with" are shared), in a template that is not a
/// caption's either. A model whose text tower learnt only the training
/// captions has never seen these words (its vocabulary maps them to word pieces or [UNK]); a pretrained tower has.
/// <see cref="SeenWords"/> checks each prompt's words against a split's captions, so the claim is tested on the data.
/// </summary>
public static partial class ZeroShotWordings
{
    /// <summary>The seen template (the paper's) and the unseen one.</summary>
    public const string SeenTemplate = "A person {label}", UnseenTemplate = "Footage of somebody who {label}";

    /// <summary>The synthetic action labels (SyntheticMotions.ActionLabels) in words the caption generator never uses.</summary>
    public static IReadOnlyDictionary<string, string> Unseen { get; } = new Dictionary<string, string>
    {
        ["walk"] = "strolls", ["walk backwards"] = "retreats in reverse", ["jog"] = "trots", ["run"] = "dashes",
        ["step sideways"] = "sidles laterally", ["turn"] = "pivots", ["spin"] = "whirls", ["jump"] = "springs into the air",
        ["hop"] = "bounces on a single limb", ["jumping jacks"] = "exercises by spreading every limb", ["kick"] = "punts",
        ["stomp"] = "tramples", ["lunge"] = "strides far and dips", ["punch"] = "strikes with knuckles",
        ["wave"] = "greets by gesturing", ["raise arm"] = "reaches skyward", ["clap"] = "applauds", ["throw"] = "hurls an object",
        ["squat"] = "flexes hips downward", ["crouch"] = "hunkers", ["bow"] = "inclines the torso politely",
        ["sit down"] = "perches on a stool", ["stand up"] = "arises from sitting",
    };

    /// <summary>The unseen prompt of a synthetic action label (<see cref="UnseenTemplate"/> with its <see cref="Unseen"/> wording).</summary>
    public static string UnseenPrompt(string label) => Unseen.TryGetValue(label, out var wording)
        ? UnseenTemplate.Replace("{label}", wording, StringComparison.Ordinal)
        : throw new ArgumentException($"no unseen wording for the label '{label}' (labels: {string.Join(", ", Unseen.Keys)})", nameof(label));

    /// <summary>
    /// The words of <paramref name="prompt"/> that are in <paramref name="captionWords"/> (<see cref="CaptionWords"/>;
    /// lower-cased whole words, "a", "the" and other function words included, so an empty list means no word was seen).
    /// </summary>
    public static IReadOnlyList<string> SeenWords(string prompt, IReadOnlySet<string> captionWords) =>
        [.. Words(prompt).Where(captionWords.Contains).Distinct()];

    /// <summary>Every lower-cased word of the captions of <paramref name="split"/>.</summary>
    public static IReadOnlySet<string> CaptionWords(MotionDataset dataset, string split)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var clip in dataset.ClipsOf(split))
            foreach (var caption in clip.Captions) words.UnionWith(Words(caption.Text));
        return words;
    }

    private static IEnumerable<string> Words(string text) => WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    [GeneratedRegex("[a-z]+")]
    private static partial Regex WordPattern();
}
