using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace MotionWorkbench.Pretrained;

/// <summary>
/// Reads the manifest resources embedded in a .NET assembly without loading it: the metadata's ManifestResource table
/// gives each resource's name and its offset into the CLI resources section (the CLR header's Resources directory),
/// where the resource is a 4-byte little-endian length followed by its bytes.
/// </summary>
public static class ManifestResources
{
    /// <summary>The names of the embedded (not linked) resources of <paramref name="assemblyPath"/>.</summary>
    public static IReadOnlyList<string> Names(string assemblyPath) =>
        WithReader(assemblyPath, (pe, md) => md.ManifestResources.Select(h => md.GetManifestResource(h))
            .Where(r => r.Implementation.IsNil).Select(r => md.GetString(r.Name)).ToList());

    /// <summary>The bytes of the embedded resource <paramref name="resourceName"/>.</summary>
    public static byte[] Read(string assemblyPath, string resourceName) => WithReader(assemblyPath, (pe, md) =>
    {
        foreach (var handle in md.ManifestResources)
        {
            var resource = md.GetManifestResource(handle);
            if (md.GetString(resource.Name) != resourceName) continue;
            if (!resource.Implementation.IsNil) throw new InvalidDataException($"{assemblyPath}: resource '{resourceName}' lives in another file, not embedded in the assembly");
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var block = pe.GetSectionData(directory.RelativeVirtualAddress);
            if (directory.Size <= 0 || block.Length < directory.Size)
                throw new InvalidDataException($"{assemblyPath}: the CLI resources section ({directory.Size} bytes at RVA {directory.RelativeVirtualAddress}) is not in the file (a truncated or corrupt assembly)");
            var section = block.GetReader(0, directory.Size);
            long offset = resource.Offset;
            if (offset < 0 || offset + 4 > directory.Size)
                throw new InvalidDataException($"{assemblyPath}: resource '{resourceName}' starts at {offset}, beyond the {directory.Size}-byte resources section (a corrupt assembly)");
            section.Offset = (int)offset;
            int length = section.ReadInt32();
            if (length < 0 || offset + 4 + length > directory.Size)
                throw new InvalidDataException($"{assemblyPath}: resource '{resourceName}' claims {length} bytes, more than the resources section holds after offset {offset} (a truncated or corrupt assembly)");
            return section.ReadBytes(length);
        }
        var names = Names(assemblyPath);
        throw new InvalidDataException($"{assemblyPath}: no embedded resource '{resourceName}' (it has: {(names.Count == 0 ? "none" : string.Join(", ", names))})");
    });

    private static T WithReader<T>(string assemblyPath, Func<PEReader, MetadataReader, T> body)
    {
        FileStream stream;
        try { stream = File.OpenRead(assemblyPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidDataException($"{assemblyPath}: cannot open the assembly: {e.Message}", e); }
        using (stream)
        {
            try
            {
                using var pe = new PEReader(stream, PEStreamOptions.PrefetchEntireImage);
                if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null) throw new InvalidDataException($"{assemblyPath}: not a .NET assembly (no CLI header)");
                return body(pe, pe.GetMetadataReader());
            }
            catch (BadImageFormatException e) { throw new InvalidDataException($"{assemblyPath}: not a readable .NET assembly: {e.Message}", e); }
        }
    }
}
