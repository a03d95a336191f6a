using System.CommandLine;
using System.Text.Json;
using MotionWorkbench.Text;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw tokenize --vocab vocab.txt [--max-length 512] [--json] "text" ...</c>: the WordPiece pieces and ids
/// ([CLS] ... [SEP]) of each text, as bert-base-uncased / distilbert-base-uncased would produce them.
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var vocab = new Option<string>("--vocab") { Description = "WordPiece vocab.txt (one token a line; id = 0-based line number), e.g. ../shared/data/vocab/bert-base-uncased-vocab.txt" };
        var maxLength = new Option<int>("--max-length") { Description = "Truncate each encoding to this many ids, [CLS] and [SEP] included", DefaultValueFactory = _ => 512 };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of {text, tokens, ids}" };
        var texts = new Argument<string[]>("text") { Description = "The texts to tokenise", Arity = ArgumentArity.OneOrMore };
        var command = new Command("tokenize", "Tokenise text with a BERT WordPiece vocabulary (lower-cased, accents stripped) and print pieces and ids.");
        command.Options.Add(vocab);
        command.Options.Add(maxLength);
        command.Options.Add(json);
        command.Arguments.Add(texts);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(vocab);
            if (string.IsNullOrWhiteSpace(path))
            {
                Console.Error.WriteLine("mw tokenize: --vocab PATH is required (e.g. ../shared/data/vocab/bert-base-uncased-vocab.txt)");
                return 2;
            }
            try
            {
                var tokenizer = BertTokenizer.FromVocabularyFile(path, parse.GetValue(maxLength));
                var inputs = parse.GetValue(texts) ?? [];
                if (parse.GetValue(json)) PrintJson(tokenizer, inputs);
                else PrintPlain(tokenizer, inputs);
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
            {
                return CliErrors.Report("mw tokenize", e);
            }
        });
        return command;
    }

    private static void PrintPlain(BertTokenizer tokenizer, string[] inputs)
    {
        foreach (var text in inputs)
        {
            var ids = tokenizer.Encode(text);
            Console.WriteLine($"text:   {text}");
            Console.WriteLine($"tokens: {string.Join(' ', tokenizer.IdsToTokens(ids))}");
            Console.WriteLine($"ids:    {string.Join(' ', ids)}");
        }
    }

    private static void PrintJson(BertTokenizer tokenizer, string[] inputs)
    {
        using var stdout = Console.OpenStandardOutput();
        using var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        writer.WriteStartArray();
        foreach (var text in inputs)
        {
            var ids = tokenizer.Encode(text);
            writer.WriteStartObject();
            writer.WriteString("text", text);
            writer.WriteStartArray("tokens");
            foreach (var t in tokenizer.IdsToTokens(ids)) writer.WriteStringValue(t);
            writer.WriteEndArray();
            writer.WriteStartArray("ids");
            foreach (var id in ids) writer.WriteNumberValue(id);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.Flush();
        stdout.WriteByte((byte)'\n');
    }
}
