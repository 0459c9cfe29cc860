using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Events;

namespace Orchestrator.Adapters.Storage;

/// <summary>JSON-lines form of events (one object per line, no indentation).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OrcEvent))]
public partial class OrcEventJsonContext : JsonSerializerContext;

/// <summary>
/// The workspace's event feed, <c>events/events.jsonl</c>: appended by every part of orc (each
/// line written whole with one appending write, then fsynced), committed with the next workspace
/// commit, compacted by the deacon. A line that does not parse is skipped by readers.
/// </summary>
public sealed class EventLog(string path, string lockPath)
{
    public string Path { get; } = path;

    public void Append(OrcEvent e)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        // Appenders and the compactor share a lock, so compaction never drops a new line.
        using var l = FileLock.Acquire(lockPath, TimeSpan.FromSeconds(30), "append an event");
        AtomicFile.Append(Path, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(e, OrcEventJsonContext.Default.OrcEvent) + "\n"));
    }

    /// <summary>Events from byte <paramref name="offset"/> on (whole lines only); returns where the next read starts.</summary>
    public (List<OrcEvent> Events, long Next) ReadFrom(long offset)
    {
        var list = new List<OrcEvent>();
        if (!File.Exists(Path)) return (list, 0);
        using var fs = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (offset > fs.Length) offset = 0; // compacted since: start again
        fs.Seek(offset, SeekOrigin.Begin);
        var bytes = new byte[fs.Length - offset];
        fs.ReadExactly(bytes);
        var end = Array.LastIndexOf(bytes, (byte)'\n');
        if (end < 0) return (list, offset);
        var start = 0;
        for (var i = 0; i <= end; i++)
        {
            if (bytes[i] != '\n') continue;
            if (i > start && Parse(bytes.AsSpan(start, i - start)) is { } e) list.Add(e);
            start = i + 1;
        }
        return (list, offset + end + 1);
    }

    public List<OrcEvent> Tail(int count)
    {
        var all = ReadFrom(0).Events;
        return all.Count <= count ? all : all.GetRange(all.Count - count, count);
    }

    private static OrcEvent? Parse(ReadOnlySpan<byte> line)
    {
        try { return JsonSerializer.Deserialize(line, OrcEventJsonContext.Default.OrcEvent); }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// True when <paramref name="current"/> is what orc itself makes of the log whose committed
    /// content is <paramref name="committed"/> (null: none yet): event lines appended after it, and
    /// older lines dropped from its start by <see cref="Compact"/>. A line changed or removed in
    /// the middle, a line that is not an event, or a copy of a committed line is someone else's edit.
    /// </summary>
    public static bool IsOwnChange(byte[]? committed, byte[] current)
    {
        var before = Lines(committed ?? []);
        var now = Lines(current);
        if (before is null || now is null) return false; // a line cut short
        // The fewest lines dropped from the start such that what is left of the committed log
        // begins the current one; the rest of the current log is what was appended since.
        for (var dropped = 0; dropped <= before.Count; dropped++)
        {
            var kept = before.Count - dropped;
            if (kept > now.Count || !before.Skip(dropped).SequenceEqual(now.Take(kept), StringComparer.Ordinal)) continue;
            var old = before.ToHashSet(StringComparer.Ordinal);
            return now.Skip(kept).All(l => !old.Contains(l) && Parse(Encoding.UTF8.GetBytes(l)) is not null);
        }
        return false;
    }

    /// <summary>The lines of a log (each ended by a newline), or null when its last line has none.</summary>
    private static List<string>? Lines(byte[] content)
    {
        if (content.Length == 0) return [];
        if (content[^1] != '\n') return null;
        return [.. Encoding.UTF8.GetString(content, 0, content.Length - 1).Split('\n')];
    }

    /// <summary>Keeps only events at or after <paramref name="keepFrom"/> (RFC 3339, compared as text); returns how many were dropped.</summary>
    public int Compact(string keepFrom)
    {
        using var l = FileLock.Acquire(lockPath, TimeSpan.FromSeconds(30), "compact events");
        var all = ReadFrom(0).Events;
        var kept = all.Where(e => string.CompareOrdinal(e.At, keepFrom) >= 0).ToList();
        if (kept.Count == all.Count) return 0;
        var sb = new StringBuilder();
        foreach (var e in kept) sb.Append(JsonSerializer.Serialize(e, OrcEventJsonContext.Default.OrcEvent)).Append('\n');
        AtomicFile.Write(Path, Encoding.UTF8.GetBytes(sb.ToString()));
        return all.Count - kept.Count;
    }
}
