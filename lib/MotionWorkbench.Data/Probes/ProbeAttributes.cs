namespace MotionWorkbench.Data.Probes;

/// <summary>
/// The attributes a minimal pair can differ in. Each pair of a probe set names one; its two motions differ in that
/// attribute only and their captions say so.
/// </summary>
public static class ProbeAttributes
{
    /// <summary>The same action with the other arm or leg; the rest of the body is not mirrored.</summary>
    public const string Side = "side";
    /// <summary>The whole motion mirrored left/right (what the dataset's <c>M</c> clips are), captions with left and right swapped.</summary>
    public const string Mirror = "mirror";
    /// <summary>"A, then B" against "B, then A": the same two segments swapped.</summary>
    public const string Order = "order";
    /// <summary>Once against twice, or twice against three times.</summary>
    public const string Count = "count";
    /// <summary>Slowly against quickly: the same action time-scaled.</summary>
    public const string Pace = "pace";
    /// <summary>Walking forward against backward; turning left against right.</summary>
    public const string Direction = "direction";
    /// <summary>The control: a different action entirely.</summary>
    public const string Action = "action";

    /// <summary>Every attribute, in the order tables list them.</summary>
    public static IReadOnlyList<string> All { get; } = [Side, Mirror, Order, Count, Pace, Direction, Action];

    /// <summary>One line on what a pair of the attribute changes.</summary>
    public static string Describe(string attribute) => attribute switch
    {
        Side => "the same action with the other arm or leg (the rest of the body not mirrored)",
        Mirror => "the whole motion mirrored left/right, captions with left and right swapped",
        Order => "\"A, then B\" against \"B, then A\" (the same two segments swapped)",
        Count => "once against twice, twice against three times",
        Pace => "slowly against quickly (the same action time-scaled)",
        Direction => "walking forward against backward, turning left against right",
        Action => "control: a different action entirely",
        _ => attribute,
    };

    /// <summary>Sort key: the known attributes in <see cref="All"/>'s order, then others by name.</summary>
    public static int Rank(string attribute)
    {
        for (int i = 0; i < All.Count; i++)
            if (All[i] == attribute) return i;
        return All.Count;
    }

    /// <summary>Attributes in table order (known ones first, then others alphabetically).</summary>
    public static IReadOnlyList<string> Ordered(IEnumerable<string> attributes) =>
        attributes.Distinct(StringComparer.Ordinal).OrderBy(Rank).ThenBy(a => a, StringComparer.Ordinal).ToList();
}
