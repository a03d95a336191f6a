using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using MotionWorkbench.IO;

namespace MotionWorkbench.Sparse;

/// <summary>Target search engine of <see cref="ElasticsearchExport"/>.</summary>
public enum ExportFormat
{
    /// <summary>Elasticsearch 8.x/9.x: a <c>sparse_vector</c> field, queried with the <c>sparse_vector</c> query and a <c>query_vector</c>.</summary>
    Elasticsearch,

    /// <summary>OpenSearch 2.x: a <c>rank_features</c> field, queried with <c>bool.should</c> of linear <c>rank_feature</c> clauses.</summary>
    OpenSearch,
}

/// <summary>
/// Writes an index for an existing search cluster: <c>mapping.json</c> (the index body of <c>PUT /NAME</c>),
/// <c>bulk-NNNN.ndjson</c> (bodies of <c>POST /NAME/_bulk</c>: an <c>{"index":{"_id":...}}</c> line, then
/// <c>{"id":..., "terms":{"word": weight}}</c>) and <c>query.json</c> (the body of <c>POST /NAME/_search</c> that scores
/// like <see cref="SparseIndex.Search"/>: the dot product of the quantised weights, here as impact / scale).
/// Feature names are the vocabulary words, except that '%' and '.' are written %25 and %2E: both engines read a '.'
/// in a field name as an object path, so "." or "e.g" would not be one feature. Without a vocabulary a term is "t{id}".
/// Stored feature values keep about 9 significant bits in both engines, so cluster scores match ours to ~0.4 %.
/// </summary>
public static class ElasticsearchExport
{
    private static readonly JsonWriterOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };
    private static readonly JsonWriterOptions Pretty = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    /// <summary>The field name of term <paramref name="term"/>: the escaped vocabulary word, or t{id}.</summary>
    public static string FeatureName(int term, IReadOnlyList<string>? vocabulary)
    {
        if (vocabulary is null || term >= vocabulary.Count || vocabulary[term].Length == 0) return "t" + term.ToString(CultureInfo.InvariantCulture);
        var w = vocabulary[term];
        return w.Contains('%') || w.Contains('.') ? w.Replace("%", "%25", StringComparison.Ordinal).Replace(".", "%2E", StringComparison.Ordinal) : w;
    }

    /// <summary>Writes mapping.json, bulk-0000.ndjson... and query.json into <paramref name="folder"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Export(SparseIndex index, IReadOnlyList<string>? vocabulary, string folder, ExportFormat format,
        SparseVector? exampleQuery = null, int k = 10, int docsPerFile = 10_000, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (vocabulary is not null && vocabulary.Count != index.VocabularySize)
            throw new ArgumentException($"vocabulary has {vocabulary.Count} words, the index {index.VocabularySize} terms");
        if (vocabulary is not null && VocabularyHash.Of(vocabulary) != index.VocabularyHash)
            throw new ArgumentException($"index built over vocabulary {index.VocabularyHash}, export vocabulary {VocabularyHash.Of(vocabulary)}");
        if (docsPerFile < 1) throw new ArgumentOutOfRangeException(nameof(docsPerFile));
        var names = new string[index.VocabularySize];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int t = 0; t < names.Length; t++)
        {
            names[t] = FeatureName(t, vocabulary);
            if (!seen.TryAdd(names[t], t)) names[t] = $"{names[t]}#{t}"; // duplicate words in a vocabulary: keep features distinct
        }
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        string mapping = Path.Combine(folder, "mapping.json");
        AtomicFile.WriteAllBytes(mapping, Mapping(format));
        written.Add(mapping);

        var (offsets, terms, impacts) = index.ItemMajor();
        double scale = index.Scale;
        for (int start = 0, file = 0; start < index.ItemCount; start += docsPerFile, file++)
        {
            int end = Math.Min(index.ItemCount, start + docsPerFile);
            string path = Path.Combine(folder, $"bulk-{file:0000}.ndjson");
            AtomicFile.Write(path, s =>
            {
                var buffered = new BufferedStream(s, 1 << 16); // not disposed: that would close the atomic writer's stream
                for (int i = start; i < end; i++)
                {
                    string id = index.Ids?[i] ?? i.ToString(CultureInfo.InvariantCulture);
                    using (var w = new Utf8JsonWriter(buffered, Json))
                    {
                        w.WriteStartObject();
                        w.WriteStartObject("index");
                        w.WriteString("_id", id);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    buffered.WriteByte((byte)'\n');
                    using (var w = new Utf8JsonWriter(buffered, Json))
                    {
                        w.WriteStartObject();
                        w.WriteString("id", id);
                        w.WriteStartObject("terms");
                        for (int j = offsets[i]; j < offsets[i + 1]; j++) w.WriteNumber(names[terms[j]], impacts[j] / scale);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    buffered.WriteByte((byte)'\n');
                }
                buffered.Flush();
            });
            written.Add(path);
            progress?.Invoke(end);
        }

        if (exampleQuery is null && index.ItemCount > 0)
        {
            // No query given: item 0's own weights, so the example returns item 0 first.
            exampleQuery = new SparseVector(terms[offsets[0]..offsets[1]], impacts[offsets[0]..offsets[1]].Select(x => (float)(x / scale)).ToArray());
        }
        string query = Path.Combine(folder, "query.json");
        AtomicFile.WriteAllBytes(query, QueryBody(index, exampleQuery ?? new SparseVector([], []), names, format, k));
        written.Add(query);
        return written;
    }

    /// <summary>The index body (settings + mappings) for <c>PUT /NAME</c>.</summary>
    public static byte[] Mapping(ExportFormat format)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Pretty))
        {
            w.WriteStartObject();
            w.WriteStartObject("mappings");
            w.WriteStartObject("properties");
            w.WriteStartObject("id");
            w.WriteString("type", "keyword");
            w.WriteEndObject();
            w.WriteStartObject("terms");
            w.WriteString("type", format == ExportFormat.Elasticsearch ? "sparse_vector" : "rank_features");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>The search body reproducing the index's scoring for <paramref name="query"/> (quantised the index's way).</summary>
    public static byte[] QueryBody(SparseIndex index, SparseVector query, IReadOnlyList<string> names, ExportFormat format, int k)
    {
        var (qt, qw) = index.QuantiseQuery(query);
        double scale = index.Scale;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Pretty))
        {
            w.WriteStartObject();
            w.WriteNumber("size", k);
            w.WriteStartObject("query");
            if (format == ExportFormat.Elasticsearch)
            {
                w.WriteStartObject("sparse_vector");
                w.WriteString("field", "terms");
                w.WriteStartObject("query_vector");
                for (int i = 0; i < qt.Length; i++) w.WriteNumber(names[qt[i]], qw[i] / scale);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            else
            {
                w.WriteStartObject("bool");
                w.WriteStartArray("should");
                for (int i = 0; i < qt.Length; i++)
                {
                    w.WriteStartObject();
                    w.WriteStartObject("rank_feature");
                    w.WriteString("field", "terms." + names[qt[i]]);
                    w.WriteStartObject("linear");
                    w.WriteEndObject();
                    w.WriteNumber("boost", qw[i] / scale);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>Inverse of <see cref="FeatureName"/> for a vocabulary word (%2E -> '.', %25 -> '%').</summary>
    public static string Unescape(string feature) =>
        feature.Replace("%2E", ".", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);
}
