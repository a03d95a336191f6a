using System.Reflection;

namespace MotionWorkbench.Pretrained;

/// <summary>
/// Where the store looks for the restored packages: <c>$NUGET_PACKAGES</c> when set, then the NuGet cache the build of
/// this library restored into (its <c>$(NuGetPackageRoot)</c>, baked into the assembly at build time), then
/// <c>~/.nuget/packages</c>; the first that holds the package's file wins.
/// </summary>
public static class NuGetCache
{
    /// <summary>The build-time <c>$(NuGetPackageRoot)</c> (null when the build had none).</summary>
    public static string? BuildTimeRoot =>
        typeof(NuGetCache).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "MotionWorkbench.NuGetPackageRoot")?.Value is { Length: > 0 } root ? root : null;

    /// <summary>The folders searched, in order, without duplicates (see the type's summary).</summary>
    public static IReadOnlyList<string> DefaultRoots()
    {
        var roots = new List<string>();
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env) roots.Add(env);
        if (BuildTimeRoot is { } baked) roots.Add(baked);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) roots.Add(Path.Combine(home, ".nuget", "packages"));
        return roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The package file of <paramref name="source"/> in the first root that has it; a missing package is an error naming
    /// the package, every place looked at and the command that restores it.
    /// </summary>
    public static string Locate(PretrainedSource source, IReadOnlyList<string> roots)
    {
        var tried = new List<string>();
        foreach (var root in roots)
        {
            var path = Path.Combine(root, source.PackageFolder, source.PackageFile.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(path)) return path;
            tried.Add(path);
        }
        throw new FileNotFoundException(
            $"'{source.Name}': the NuGet package {source.PackageId} {source.PackageVersion} is not in the NuGet cache (looked for {string.Join(", ", tried.DefaultIfEmpty("nothing: no NuGet cache folder is known"))}); "
            + "`dotnet restore lib/MotionWorkbench.Pretrained` (or any `dotnet build` of the workbench, environment/mw included) restores it "
            + "(set NUGET_PACKAGES if your NuGet cache is elsewhere)");
    }
}
