using System.Text;
using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace MotionWorkbench.Notebooks.Export;

/// <summary>Markdown to HTML with Markdig (advanced extensions), collecting headings for the table of contents.</summary>
internal sealed class MarkdownRenderer
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();
    private readonly HashSet<string> usedIds = new(StringComparer.Ordinal);

    public sealed record Heading(int Level, string Text, string Id);

    public List<Heading> Headings { get; } = [];

    public string Render(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            string text = PlainText(heading.Inline);
            string baseId = heading.GetAttributes().Id ?? "section";
            if (string.IsNullOrEmpty(baseId)) baseId = "section";
            string id = baseId;
            for (int k = 2; !usedIds.Add(id); k++) id = $"{baseId}-{k}";
            heading.GetAttributes().Id = id;
            Headings.Add(new Heading(heading.Level, text, id));
        }
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return writer.ToString();
    }

    private static string PlainText(ContainerInline? inline)
    {
        var sb = new StringBuilder();
        if (inline is null) return "";
        foreach (var child in inline.Descendants())
        {
            if (child is LiteralInline literal) sb.Append(literal.Content.ToString());
            else if (child is CodeInline code) sb.Append(code.Content);
        }
        return sb.ToString();
    }
}
