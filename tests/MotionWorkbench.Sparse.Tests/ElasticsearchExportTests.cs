using System.Text.Json;
using MotionWorkbench.Sparse;

namespace MotionWorkbench.Sparse.Tests;

public class ElasticsearchExportTests
{
    private static readonly string[] Vocab = ["[PAD]", "walk", "##ing", ".", "e.g", "say \"hi\"", "100%", "saute\u0301", "jump", "run", "turn", "left"];

    private static (SparseIndex, SparseVector[]) Make()
    {
        var items = Synthetic.Vectors(57, Vocab.Length, 6, 3, levels: 0);
        var ids = items.Select((_, i) => $"M{i:000}\"x").ToArray();
        return (SparseIndex.Build(items, Vocab.Length, VocabularyHash.Of(Vocab), ids, new IndexBuildOptions()), items);
    }

    [Theory]
    [InlineData(ExportFormat.Elasticsearch)]
    [InlineData(ExportFormat.OpenSearch)]
    public void Export_files_parse_and_reproduce_the_scoring(ExportFormat format)
    {
        var (index, _) = Make();
        string dir = Synthetic.TempDir();
        try
        {
            var query = SparseVector.FromPairs([(1, 0.7f), (3, 0.4f), (4, 1.3f), (5, 0.2f), (7, 0.9f)]);
            var files = ElasticsearchExport.Export(index, Vocab, dir, format, query, k: 10, docsPerFile: 20);
            Assert.Equal(["mapping.json", "bulk-0000.ndjson", "bulk-0001.ndjson", "bulk-0002.ndjson", "query.json"], files.Select(Path.GetFileName));

            using var mapping = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "mapping.json")));
            var props = mapping.RootElement.GetProperty("mappings").GetProperty("properties");
            Assert.Equal(format == ExportFormat.Elasticsearch ? "sparse_vector" : "rank_features", props.GetProperty("terms").GetProperty("type").GetString());
            Assert.Equal("keyword", props.GetProperty("id").GetProperty("type").GetString());

            var docs = new List<(string Id, Dictionary<string, double> Terms)>();
            foreach (var f in files.Where(f => f.EndsWith(".ndjson", StringComparison.Ordinal)))
            {
                var lines = File.ReadAllLines(f);
                Assert.Equal(0, lines.Length % 2);
                for (int i = 0; i < lines.Length; i += 2)
                {
                    using var action = JsonDocument.Parse(lines[i]);
                    using var doc = JsonDocument.Parse(lines[i + 1]);
                    string id = action.RootElement.GetProperty("index").GetProperty("_id").GetString()!;
                    Assert.Equal(id, doc.RootElement.GetProperty("id").GetString());
                    var terms = doc.RootElement.GetProperty("terms").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
                    Assert.All(terms.Keys, k => Assert.DoesNotContain('.', k));
                    Assert.All(terms.Values, v => Assert.True(v > 0));
                    docs.Add((id, terms));
                }
            }
            Assert.Equal(index.ItemCount, docs.Count);
            Assert.Equal(index.Ids, docs.Select(d => d.Id));
            Assert.Equal(index.PostingCount, docs.Sum(d => d.Terms.Count));

            using var q = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "query.json")));
            Assert.Equal(10, q.RootElement.GetProperty("size").GetInt32());
            Dictionary<string, double> weights;
            if (format == ExportFormat.Elasticsearch)
            {
                var sv = q.RootElement.GetProperty("query").GetProperty("sparse_vector");
                Assert.Equal("terms", sv.GetProperty("field").GetString());
                weights = sv.GetProperty("query_vector").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            }
            else
            {
                weights = q.RootElement.GetProperty("query").GetProperty("bool").GetProperty("should").EnumerateArray().ToDictionary(
                    c => c.GetProperty("rank_feature").GetProperty("field").GetString()!["terms.".Length..],
                    c =>
                    {
                        Assert.Equal(JsonValueKind.Object, c.GetProperty("rank_feature").GetProperty("linear").ValueKind);
                        return c.GetProperty("rank_feature").GetProperty("boost").GetDouble();
                    });
            }
            Assert.Equal(["walk", "%2E", "e%2Eg", "say \"hi\"", "saute\u0301"], weights.Keys);
            Assert.Equal(".", ElasticsearchExport.Unescape("%2E"));

            // The cluster's score (sum of query weight x stored weight) ranks like our index.
            var ranked = docs.Select(d => (d.Id, Score: d.Terms.Sum(t => weights.TryGetValue(t.Key, out var w) ? w * t.Value : 0)))
                .Where(x => x.Score > 0).OrderByDescending(x => Math.Round(x.Score, 9)).ThenBy(x => Array.IndexOf(index.Ids!.ToArray(), x.Id)).Take(10).ToArray();
            var hits = index.Search(query, 10);
            Assert.Equal(hits.Select(h => h.Id), ranked.Select(r => r.Id));
            for (int i = 0; i < hits.Length; i++) Assert.True(Math.Abs(hits[i].Dot - ranked[i].Score) < 1e-9);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Feature_names_escape_dots_and_percent_and_fall_back_to_ids()
    {
        Assert.Equal("%2E", ElasticsearchExport.FeatureName(3, Vocab));
        Assert.Equal("100%25", ElasticsearchExport.FeatureName(6, Vocab));
        Assert.Equal("100%", ElasticsearchExport.Unescape("100%25"));
        Assert.Equal("##ing", ElasticsearchExport.FeatureName(2, Vocab));
        Assert.Equal("t7", ElasticsearchExport.FeatureName(7, null));
    }

    [Fact]
    public void Wrong_vocabulary_is_refused()
    {
        var (index, _) = Make();
        string dir = Synthetic.TempDir();
        try
        {
            var other = Vocab.Reverse().ToArray();
            var e = Assert.Throws<ArgumentException>(() => ElasticsearchExport.Export(index, other, dir, ExportFormat.Elasticsearch));
            Assert.Contains("index built over vocabulary", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
