namespace MotionWorkbench.Data.Import;

/// <summary>
/// Captions and class names for the Bandai-Namco-Research-Motiondataset labels (content x style): three paraphrases
/// per clip from templates, e.g. content "walk-turn-left" + style "elderly" -&gt; "an elderly person walks and turns left".
/// </summary>
public static class BandaiLabels
{
    // content -> (class name for zero-shot classification, three verb phrases)
    private static readonly Dictionary<string, (string Class, string[] Phrases)> Contents = new(StringComparer.Ordinal)
    {
        ["walk"] = ("walk", ["walks forward", "walks", "walks straight ahead"]),
        ["walk-back"] = ("walk backwards", ["walks backwards", "walks backward", "steps backwards"]),
        ["walk-left"] = ("walk to the left", ["walks to the left", "walks leftward", "moves to the left on foot"]),
        ["walk-right"] = ("walk to the right", ["walks to the right", "walks rightward", "moves to the right on foot"]),
        ["walk-turn-left"] = ("walk and turn left", ["walks and turns left", "walks forward and turns to the left", "walks, turning left"]),
        ["walk-turn-right"] = ("walk and turn right", ["walks and turns right", "walks forward and turns to the right", "walks, turning right"]),
        ["run"] = ("run", ["runs", "runs forward", "runs ahead"]),
        ["dash"] = ("dash", ["dashes forward", "sprints", "runs fast"]),
        ["bow"] = ("bow", ["bows", "takes a bow", "bends forward in a bow"]),
        ["bye"] = ("wave goodbye", ["waves goodbye", "says bye with a wave", "waves a hand to say bye"]),
        ["byebye"] = ("wave goodbye with both hands", ["waves goodbye with both hands", "waves both hands to say bye-bye", "says bye-bye waving both arms"]),
        ["guide"] = ("guide", ["gestures to guide someone", "shows the way with a hand", "guides someone with a gesture"]),
        ["respond"] = ("respond", ["responds with a gesture", "reacts in response to someone", "answers with a gesture"]),
        ["call"] = ("call someone", ["calls someone over", "beckons someone", "calls out to someone with a gesture"]),
        ["punch"] = ("punch", ["punches", "throws a punch", "punches forward"]),
        ["kick"] = ("kick", ["kicks", "does a kick", "kicks forward"]),
        ["slash"] = ("slash", ["slashes with a sword", "makes a slashing motion", "swings an arm as if slashing"]),
        ["dance-short"] = ("dance", ["dances briefly", "does a short dance", "dances a few moves"]),
        ["dance-long"] = ("dance", ["dances", "performs a long dance", "dances for a while"]),
        ["wave-both-hands"] = ("wave both hands", ["waves both hands", "waves with both hands", "waves both arms"]),
        ["wave-left-hand"] = ("wave the left hand", ["waves the left hand", "waves with the left hand", "raises the left hand and waves"]),
        ["wave-right-hand"] = ("wave the right hand", ["waves the right hand", "waves with the right hand", "raises the right hand and waves"]),
        ["raise-up-both-hands"] = ("raise both hands", ["raises both hands", "lifts both arms up", "puts both hands up"]),
        ["raise-up-left-hand"] = ("raise the left hand", ["raises the left hand", "lifts the left arm up", "puts the left hand up"]),
        ["raise-up-right-hand"] = ("raise the right hand", ["raises the right hand", "lifts the right arm up", "puts the right hand up"]),
    };

    // style -> (adjective before "person", manner after the verb, look)
    private static readonly Dictionary<string, (string Adj, string Manner, string Look)> Styles = new(StringComparer.Ordinal)
    {
        ["normal"] = ("", "", ""),
        ["happy"] = ("happy", "happily", "happy"),
        ["sad"] = ("sad", "sadly", "sad"),
        ["angry"] = ("angry", "angrily", "angry"),
        ["proud"] = ("proud", "proudly", "proud"),
        ["not-confident"] = ("unconfident", "without confidence", "insecure"),
        ["masculinity"] = ("masculine", "in a masculine way", "masculine"),
        ["masculine"] = ("masculine", "in a masculine way", "masculine"),
        ["feminine"] = ("feminine", "in a feminine way", "feminine"),
        ["childish"] = ("childish", "like a child", "childish"),
        ["old"] = ("old", "like an old person", "old"),
        ["elderly"] = ("elderly", "like an elderly person", "old"),
        ["tired"] = ("tired", "wearily", "tired"),
        ["exhausted"] = ("exhausted", "in an exhausted way", "exhausted"),
        ["active"] = ("energetic", "energetically", "energetic"),
        ["musical"] = ("theatrical", "like in a musical", "theatrical"),
        ["giant"] = ("giant", "like a giant", "big and heavy"),
        ["chimpira"] = ("thuggish", "like a street thug", "like a thug"),
        ["youthful"] = ("youthful", "in a youthful way", "young"),
    };

    /// <summary>Strips the "dataset-N_" prefix of a label list entry.</summary>
    public static string Bare(string label)
    {
        int u = label.IndexOf('_');
        return label.StartsWith("dataset-", StringComparison.Ordinal) && u > 0 ? label[(u + 1)..] : label;
    }

    public static bool KnowsContent(string content) => Contents.ContainsKey(Bare(content));

    public static string ClassOf(string content) =>
        Contents.TryGetValue(Bare(content), out var c) ? c.Class : Bare(content).Replace('-', ' ');

    public static string StyleName(string style) => Bare(style).Replace('-', ' ');

    public static string[] Captions(string content, string style)
    {
        string c = Bare(content), s = Bare(style);
        var phrases = Contents.TryGetValue(c, out var cc) ? cc.Phrases : [c.Replace('-', ' '), c.Replace('-', ' '), c.Replace('-', ' ')];
        var (adj, manner, look) = Styles.TryGetValue(s, out var ss) ? ss : (s.Replace('-', ' '), "in a " + s.Replace('-', ' ') + " way", s.Replace('-', ' '));
        string Article(string w) => "aeiou".Contains(w[0]) ? "an" : "a";
        string c0 = adj.Length > 0 ? $"{Article(adj)} {adj} person {phrases[0]}." : $"a person {phrases[0]}.";
        string c1 = manner.Length > 0 ? $"someone {phrases[1]} {manner}." : $"someone {phrases[1]} normally.";
        string c2 = look.Length > 0 ? $"a person {phrases[2]}, looking {look}." : $"a person {phrases[2]} in a neutral style.";
        return [c0, c1, c2];
    }
}
