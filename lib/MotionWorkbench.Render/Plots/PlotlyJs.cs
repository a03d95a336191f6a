namespace MotionWorkbench.Render.Plots;

/// <summary>
/// Where the plotly.js bundle is: installed by <c>environment/plotly.sh</c> (npm) into <c>environment/plotly/</c>, which
/// is git-ignored. Figures inline it so each output is self-sufficient offline; when it is missing they are drawn as static SVG.
/// </summary>
public static class PlotlyJs
{
    /// <summary>Bundles tried, in order, under a repository's <c>environment/plotly/node_modules/</c>.</summary>
    public static readonly string[] CandidateFiles =
    [
        "plotly.js-cartesian-dist-min/plotly-cartesian.min.js",
        "plotly.js-dist-min/plotly.min.js",
    ];

    private static readonly Lock Gate = new();
    private static string? bundlePath;
    private static bool searched;
    private static string? cachedSource;
    private static string? cachedSourcePath;

    /// <summary>
    /// The bundle file. Set it explicitly (the notebook runner does); otherwise it is looked for once, upward from the
    /// current directory and from this assembly's folder, as <c>environment/plotly/node_modules/...</c>.
    /// </summary>
    public static string? BundlePath
    {
        get
        {
            lock (Gate)
            {
                if (bundlePath is null && !searched)
                {
                    searched = true;
                    bundlePath = Find(Environment.CurrentDirectory) ?? Find(AppContext.BaseDirectory)
                        ?? Find(Path.GetDirectoryName(typeof(PlotlyJs).Assembly.Location) ?? "");
                }
                return bundlePath;
            }
        }
        set
        {
            lock (Gate)
            {
                if (value is not null && !File.Exists(value)) throw new FileNotFoundException($"plotly.js bundle '{value}' does not exist (run environment/plotly.sh)", value);
                bundlePath = value;
                searched = true;
            }
        }
    }

    /// <summary>The bundle's text, or null when it is not installed.</summary>
    public static string? Source
    {
        get
        {
            var path = BundlePath;
            if (path is null) return null;
            lock (Gate)
            {
                if (cachedSourcePath != path)
                {
                    cachedSource = File.ReadAllText(path);
                    cachedSourcePath = path;
                }
                return cachedSource;
            }
        }
    }

    /// <summary>Looks upward from <paramref name="startDirectory"/> for <c>environment/plotly/node_modules/&lt;bundle&gt;</c>.</summary>
    public static string? Find(string startDirectory)
    {
        if (string.IsNullOrEmpty(startDirectory) || !Directory.Exists(startDirectory)) return null;
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in CandidateFiles)
            {
                var path = Path.Combine(dir.FullName, "environment", "plotly", "node_modules", candidate);
                if (File.Exists(path)) return path;
            }
        }
        return null;
    }

    /// <summary>The note under a figure drawn as static SVG (<see cref="SvgFigure"/>) because plotly.js is not available.</summary>
    public const string StaticNote =
        "Static figure: plotly.js is not installed, so this is an SVG drawing of the same data (run environment/plotly.sh, then re-run or re-export, for interactive figures).";
}
