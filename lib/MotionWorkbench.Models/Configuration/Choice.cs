using System.Text.Json;
using System.Text.Json.Serialization;

namespace MotionWorkbench.Models;

/// <summary>
/// A setting that takes one of a few names (<c>model.architecture</c>, <c>model.lexVocabulary</c>, <c>train.engine</c>),
/// typed once at the configuration boundary. A value keeps its name as written (in a <c>config.json</c>, a
/// <c>--set</c> or a <c>with</c> expression), so an unknown one reaches the run's validation, which lists every problem
/// at once; <see cref="Choice.Check{T}"/> is the one validator and <see cref="Choice.Parse{T}"/> the one parser.
/// In JSON a value is its name (<see cref="ChoiceJsonConverter{T}"/>), so configuration files keep today's strings.
/// </summary>
public interface IChoice<TSelf> where TSelf : struct, IChoice<TSelf>
{
    /// <summary>The name as the configuration writes it ("vit", "torch").</summary>
    string Name { get; }

    /// <summary>The setting's key, for messages (<c>model.architecture</c>).</summary>
    static abstract string Setting { get; }

    /// <summary>What the setting must be, for messages ("one of vit, raw, ...", "'mw' (the own engine) or 'torch' (TorchSharp)").</summary>
    static abstract string MustBe { get; }

    /// <summary>The known values, in the order messages list them.</summary>
    static abstract IReadOnlyList<TSelf> Known { get; }

    /// <summary>The value of a name, known or not (<see cref="Choice.Check{T}"/> names an unknown one).</summary>
    static abstract TSelf Of(string name);
}

/// <summary>The validator and the parser of every <see cref="IChoice{TSelf}"/>.</summary>
public static class Choice
{
    /// <summary>Whether <paramref name="value"/> is one of <typeparamref name="T"/>'s known values.</summary>
    public static bool IsKnown<T>(T value) where T : struct, IChoice<T> => T.Known.Contains(value);

    /// <summary>Null when <paramref name="value"/> is known; else the message naming the setting, what it must be and the value.</summary>
    public static string? Check<T>(T value) where T : struct, IChoice<T> =>
        IsKnown(value) ? null : $"{T.Setting} must be {T.MustBe}, got '{value.Name}'";

    /// <summary>The value of <paramref name="name"/>; throws <see cref="ArgumentException"/> with <see cref="Check{T}"/>'s message when it is unknown.</summary>
    public static T Parse<T>(string name) where T : struct, IChoice<T>
    {
        var value = T.Of(name);
        return Check(value) is string error ? throw new ArgumentException(error) : value;
    }

    /// <summary>The known names, comma-separated ("vit, raw, interaction").</summary>
    public static string Names<T>() where T : struct, IChoice<T> => string.Join(", ", T.Known.Select(k => k.Name));

    /// <summary>Whether <paramref name="type"/> is a choice (the <c>--set</c> parser passes its text through as the name).</summary>
    public static bool IsChoiceType(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IChoice<>));
}

/// <summary>Reads and writes a choice as its name (a JSON string), so <c>config.json</c> files keep today's format.</summary>
public sealed class ChoiceJsonConverter<T> : JsonConverter<T> where T : struct, IChoice<T>
{
    public override bool HandleNull => true;

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => T.Of(reader.GetString()!),
        JsonTokenType.Null => T.Of(""),
        _ => throw new JsonException($"{T.Setting} must be a string ({T.MustBe}), got a JSON {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}
