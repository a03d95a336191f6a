using System.Globalization;

namespace MotionWorkbench.Notebooks.Apps;

/// <summary>
/// The command line of an exported notebook app: <c>--name value</c> or <c>--name=value</c> for each parameter of the
/// notebook's parameters cell, <c>--html FILE</c> for the report, <c>--help</c>. Unknown, repeated or valueless options are
/// errors; values are typed later, by the parameter's declared type (<see cref="TryConvert{T}"/>).
/// </summary>
public sealed class AppArguments
{
    private AppArguments(Dictionary<string, string> values, string? report, bool help, List<string> errors)
    {
        Values = values;
        Report = report;
        Help = help;
        Errors = errors;
    }

    /// <summary>Parameter name to the text given for it, in command-line order.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }
    public string? Report { get; }
    public bool Help { get; }
    public IReadOnlyList<string> Errors { get; }

    public static AppArguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> parameters)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<string>();
        string? report = null;
        bool help = false;
        string Known() => parameters.Count == 0
            ? "this notebook has no parameters cell; the only option is --html REPORT.html"
            : $"the options are {string.Join(", ", parameters.Select(p => "--" + p))} and --html REPORT.html";
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h" or "-?") { help = true; continue; }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                errors.Add($"'{arg}' is not an option ({Known()})");
                continue;
            }
            string name = arg[2..];
            string? value = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            else if (i + 1 < args.Count) value = args[++i];
            if (name != "html" && !parameters.Contains(name))
            {
                errors.Add($"--{name} is not a parameter of this notebook ({Known()})");
                continue;
            }
            if (value is null)
            {
                errors.Add($"--{name} needs a value (--{name} VALUE or --{name}=VALUE)");
                continue;
            }
            if (name == "html")
            {
                if (report is not null) errors.Add("--html is given twice");
                report = value;
            }
            else if (!values.TryAdd(name, value)) errors.Add($"--{name} is given twice");
        }
        return new AppArguments(values, report, help, errors);
    }

    /// <summary>
    /// <paramref name="text"/> as a <typeparamref name="T"/>, the type the parameters cell declared: strings as they are,
    /// numbers in invariant culture, booleans, enum member names, and the nullable forms of these; null with an error otherwise.
    /// </summary>
    public static bool TryConvert<T>(string text, out T? value, out string? error)
    {
        var type = typeof(T);
        var target = Nullable.GetUnderlyingType(type) ?? type;
        object? parsed = null;
        if (target == typeof(string)) parsed = text;
        else if (target == typeof(bool)) parsed = bool.TryParse(text, out var b) ? b : null;
        else if (target == typeof(int)) parsed = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;
        else if (target == typeof(long)) parsed = long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null;
        else if (target == typeof(double)) parsed = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;
        else if (target == typeof(float)) parsed = float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && float.IsFinite(f) ? f : null;
        else if (target == typeof(decimal)) parsed = decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : null;
        else if (target.IsEnum) parsed = Enum.TryParse(target, text, ignoreCase: false, out var e) && Enum.IsDefined(target, e!) ? e : null;
        else
        {
            value = default;
            error = $"a {type.Name} parameter cannot be set from the command line (strings, numbers, booleans and enums can)";
            return false;
        }
        if (parsed is null)
        {
            value = default;
            error = target.IsEnum ? $"not a {target.Name} ({string.Join(", ", Enum.GetNames(target))})" : $"not a {Describe(target)}";
            return false;
        }
        value = (T)parsed;
        error = null;
        return true;
    }

    private static string Describe(Type t) => t == typeof(bool) ? "bool (true or false)"
        : t == typeof(int) || t == typeof(long) ? "whole number"
        : "number";
}
