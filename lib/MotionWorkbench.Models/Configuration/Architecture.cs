using System.Text.Json.Serialization;

namespace MotionWorkbench.Models;

/// <summary>
/// <c>model.architecture</c> (and <c>model.lexMotionEncoder</c>, which names the motion encoder under the lexical heads):
/// "vit" (a ViT over motion patches), "resnet" (a BasicBlock ResNet over the motion-patch image, torchvision's layout;
/// ImageNet weights with train.initMotionEncoder = resnet18-imagenet), "raw" (the "no patches" baseline of Table 4: a
/// transformer over the z-scored frames), "interaction" (Table 7: one shared patch encoder per person of an InterHuman
/// pair), "bag" (bag-of-patches + bag-of-words: seconds to train), "lex" (lexical heads over the text vocabulary, Lex) or
/// "caption" (a caption decoder over the patch encoder's tokens). <c>model.lexMotionEncoder</c> names the motion encoder
/// under Lex's heads (vit, raw or resnet) and <c>model.motionEncoder</c> that of "interaction" and "caption" (vit or
/// resnet). A value converts from its name (<c>Architecture = "raw"</c>); see <see cref="IChoice{TSelf}"/>.
/// </summary>
[JsonConverter(typeof(ChoiceJsonConverter<Architecture>))]
public readonly record struct Architecture : IChoice<Architecture>
{
    private readonly string? name;

    private Architecture(string name) => this.name = name;

    public string Name => name ?? "";

    public static Architecture Vit { get; } = new("vit");
    public static Architecture Resnet { get; } = new("resnet");
    public static Architecture Raw { get; } = new("raw");
    public static Architecture Interaction { get; } = new("interaction");
    public static Architecture Bag { get; } = new("bag");
    public static Architecture Lex { get; } = new("lex");
    public static Architecture Caption { get; } = new("caption");

    public static string Setting => "model.architecture";
    public static string MustBe => $"one of {Choice.Names<Architecture>()}";
    public static IReadOnlyList<Architecture> Known { get; } = [Vit, Raw, Interaction, Bag, Lex, Caption, Resnet];

    /// <summary>The motion encoders a Lex model can have (<c>model.lexMotionEncoder</c>).</summary>
    public static IReadOnlyList<Architecture> LexMotionEncoders { get; } = [Vit, Raw, Resnet];

    /// <summary>The motion-patch encoders the two-person and caption models can have (<c>model.motionEncoder</c>).</summary>
    public static IReadOnlyList<Architecture> PatchEncoders { get; } = [Vit, Resnet];

    /// <summary>Whether this names one of the <see cref="PatchEncoders"/>.</summary>
    public bool IsPatchEncoder => PatchEncoders.Contains(this);

    public static Architecture Of(string name) => new(name);

    public static implicit operator Architecture(string name) => new(name);

    public override string ToString() => Name;
}
