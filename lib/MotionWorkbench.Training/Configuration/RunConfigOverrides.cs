using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>The typed <c>--set key=value</c> overrides of a <see cref="RunConfig"/> and the list of settable keys.</summary>
public sealed partial record RunConfig
{
    /// <summary>Every settable key (e.g. <c>train.epochs</c>) with its type name.</summary>
    public static IReadOnlyList<(string Key, string Type)> Keys()
    {
        var keys = new List<(string, string)>();
        foreach (var (section, type) in Sections())
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                keys.Add(($"{section}.{Camel(p.Name)}", TypeName(p.PropertyType)));
        keys.Add(("name", "string"));
        return keys;
    }

    /// <summary>
    /// Applies <c>key=value</c> overrides, each parsed against the property's type. Keys are <c>section.property</c>
    /// (case-insensitive; the section may be left out when the property name is unique). Throws naming the key and the
    /// expected type for unknown keys and bad values. Setting <c>model.textKind</c> to a pretrained tower also fills the
    /// text settings its weights fix (<see cref="ModelSpec.WithTextKind"/>) that no other override sets, whatever the
    /// order; one that is set and contradicts the weights is named by <see cref="Validate"/>.
    /// </summary>
    public RunConfig WithOverrides(IEnumerable<string> assignments)
    {
        var root = JsonSerializer.SerializeToNode(this, Json)!.AsObject();
        var modelSettings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"override '{assignment}' is not key=value (e.g. train.epochs=3)");
            string key = assignment[..eq].Trim(), text = assignment[(eq + 1)..].Trim();
            var (section, property) = Resolve(key);
            var value = Parse(key, property.PropertyType, text);
            if (section is null) root[Camel(property.Name)] = value;
            else root[section]!.AsObject()[Camel(property.Name)] = value;
            if (section == "model") modelSettings.Add(property.Name);
        }
        var config = root.Deserialize<RunConfig>(Json)!;
        return modelSettings.Contains(nameof(ModelSpec.TextKind))
            ? config with { Model = config.Model.WithTextKind(config.Model.TextKind, keep: modelSettings) }
            : config;
    }

    private static IEnumerable<(string Section, Type Type)> Sections() =>
        [("model", typeof(ModelSpec)), ("data", typeof(DataSpec)), ("train", typeof(TrainSpec))];

    private static (string? Section, PropertyInfo Property) Resolve(string key)
    {
        var parts = key.Split('.');
        if (parts.Length == 1 && parts[0].Equals("name", StringComparison.OrdinalIgnoreCase))
            return (null, typeof(RunConfig).GetProperty(nameof(Name))!);
        var candidates = new List<(string, PropertyInfo)>();
        foreach (var (section, type) in Sections())
        {
            if (parts.Length == 2 && !parts[0].Equals(section, StringComparison.OrdinalIgnoreCase)) continue;
            if (parts.Length > 2) break;
            var p = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => p.CanWrite && p.Name.Equals(parts[^1], StringComparison.OrdinalIgnoreCase));
            if (p is not null) candidates.Add((section, p));
        }
        if (candidates.Count == 1) return candidates[0];
        if (candidates.Count > 1) throw new ArgumentException($"override key '{key}' is ambiguous: say {string.Join(" or ", candidates.Select(c => $"{c.Item1}.{Camel(c.Item2.Name)}"))}");
        var known = Keys().Select(k => k.Key).ToList();
        var near = known.Where(k => k.Contains(parts[^1], StringComparison.OrdinalIgnoreCase) || parts[^1].Contains(k.Split('.')[^1], StringComparison.OrdinalIgnoreCase)).ToList();
        throw new ArgumentException($"unknown configuration key '{key}'" + (near.Count > 0 ? $" (did you mean {string.Join(", ", near)}?)" : "") +
            $"; known keys: {string.Join(", ", known)}");
    }

    private static JsonNode? Parse(string key, Type type, string text)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null || !type.IsValueType)
        {
            if (text is "null" or "") return null;
            type = underlying ?? type;
        }
        string expected = TypeName(type);
        try
        {
            if (type == typeof(string) || Choice.IsChoiceType(type)) return JsonValue.Create(text); // a choice keeps its name; Validate names an unknown one
            if (type == typeof(int)) return JsonValue.Create(int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture));
            if (type == typeof(float))
            {
                float f = float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (!float.IsFinite(f)) throw new FormatException();
                return JsonValue.Create(f);
            }
            if (type == typeof(bool))
                return text.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" => JsonValue.Create(true),
                    "false" or "0" or "no" => JsonValue.Create(false),
                    _ => throw new FormatException(),
                };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"override {key}={text}: '{text}' is not a valid {expected}");
        }
        throw new ArgumentException($"override {key}: properties of type {expected} cannot be set from the command line");
    }

    private static string TypeName(Type t)
    {
        var u = Nullable.GetUnderlyingType(t);
        if (u is not null) return TypeName(u) + " or null";
        return t == typeof(int) ? "integer" : t == typeof(float) ? "number" : t == typeof(bool) ? "boolean (true/false)" : t == typeof(string) || Choice.IsChoiceType(t) ? "string" : t.Name;
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
