using System.Security.Cryptography;
using System.Text;

namespace MotionWorkbench.Sparse;

/// <summary>
/// The identity of a vocabulary: the first 16 hex digits of the SHA-256 of its lines (each line's UTF-8 followed by
/// '\n'), so an index and a query agree on what term id j means. Without a vocabulary file, <see cref="OfSize"/>.
/// </summary>
public static class VocabularyHash
{
    public static string Of(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var w in words) sha.AppendData(Encoding.UTF8.GetBytes(w + "\n"));
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    /// <summary>The hash of the single line "size:N" (vectors without a vocabulary file: only the width is known).</summary>
    public static string OfSize(int size) => Of([$"size:{size}"]);

    /// <summary>Reads a vocab.txt (one word per line, line i = term i; a trailing empty line is ignored).</summary>
    public static string[] ReadVocabulary(string path)
    {
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }
}
