using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Knowledge;

namespace Orchestrator.Adapters.Storage;

/// <summary>JSON-lines form of learnings (one object per line, no indentation).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(Learning))]
public partial class LearningJsonContext : JsonSerializerContext;

/// <summary>A line of the learnings file that could not be read: kept as it is, reported with its line number.</summary>
public sealed record LearningLineError(int Line, string Message, string Raw);

public sealed record LearningDocument(List<Learning> Learnings, List<LearningLineError> Errors);

/// <summary>
/// <c>learnings/learnings.jsonl</c>: one learning per line, sorted by id (random ids, so two
/// branches that add learnings touch different lines and git merges them; the file is also marked
/// <c>merge=union</c>). A line that does not parse is reported with its number and written back
/// unchanged at the end, never dropped; an id seen twice (after a merge) is read once, the last wins.
/// Writers hold the workspace write lock; the file is replaced whole, so readers need none.
/// </summary>
public sealed class LearningFile(string path)
{
    public string Path { get; } = path;

    public LearningDocument Load()
    {
        var byId = new Dictionary<string, Learning>(StringComparer.Ordinal);
        var errors = new List<LearningLineError>();
        if (!File.Exists(Path)) return new LearningDocument([], errors);
        var n = 0;
        foreach (var line in File.ReadAllLines(Path, Encoding.UTF8))
        {
            n++;
            if (line.Trim().Length == 0) continue;
            try
            {
                var l = JsonSerializer.Deserialize(line, LearningJsonContext.Default.Learning);
                if (l is null || !LearningRules.IsId(l.Id) || string.IsNullOrWhiteSpace(l.Text)) { errors.Add(new LearningLineError(n,
                    "not a learning (it needs an id ln-XXXXXX and a text)", line)); continue; }
                byId[l.Id] = l with { Tags = l.Tags ?? [] };
            }
            catch (JsonException ex)
            {
                errors.Add(new LearningLineError(n, ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0], line));
            }
        }
        return new LearningDocument(byId.Values.OrderBy(l => l.Id, StringComparer.Ordinal).ToList(), errors);
    }

    /// <summary>Writes the learnings sorted by id, then the unreadable lines as they were. Returns the path.</summary>
    public string Save(LearningDocument doc)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var sb = new StringBuilder();
        foreach (var l in doc.Learnings.OrderBy(l => l.Id, StringComparer.Ordinal))
            sb.Append(JsonSerializer.Serialize(l, LearningJsonContext.Default.Learning)).Append('\n');
        foreach (var e in doc.Errors) sb.Append(e.Raw).Append('\n');
        AtomicFile.Write(Path, Encoding.UTF8.GetBytes(sb.ToString()));
        return Path;
    }
}
