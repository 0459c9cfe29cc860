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
