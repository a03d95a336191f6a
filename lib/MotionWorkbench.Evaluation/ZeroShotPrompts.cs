namespace MotionWorkbench.Evaluation;

/// <summary>Class prompts for zero-shot classification: the template with <c>{label}</c> replaced by each class label.</summary>
public static class ZeroShotPrompts
{
    public const string DefaultTemplate = "A person {label}";

    public static List<string> Build(IEnumerable<string> labels, string template = DefaultTemplate)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(template);
        if (!template.Contains("{label}", StringComparison.Ordinal))
            throw new ArgumentException($"the prompt template '{template}' has no {{label}} placeholder", nameof(template));
        var prompts = new List<string>();
        int i = 0;
        foreach (var label in labels)
        {
            if (string.IsNullOrWhiteSpace(label)) throw new ArgumentException($"class label {i} is empty", nameof(labels));
            prompts.Add(template.Replace("{label}", label, StringComparison.Ordinal));
            i++;
        }
        return prompts;
    }
}
