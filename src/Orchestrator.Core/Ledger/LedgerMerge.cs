using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Core.Items;

namespace Orchestrator.Core.Ledger;

/// <summary>
/// Merges two versions of a ledger by item id, as git's merge driver for ledger files.
/// Per field: a field changed on one side only takes that change; a field changed on both
/// sides takes the side with the later <c>updated_at</c>. Labels, files, dependencies and comments
/// are unioned (an element one side removed since the base stays removed). A deletion (status
/// <c>tombstone</c>) wins over any edit on the other side. Output stays sorted.
/// </summary>
public static class LedgerMerge
{
    private static readonly HashSet<string> StringSets = new(StringComparer.Ordinal) { "labels", "files" };

    public static LedgerDocument Merge(LedgerDocument? baseLedger, LedgerDocument ours, LedgerDocument theirs)
    {
        var result = new List<WorkItem>();
        var ids = new HashSet<string>(ours.Ids, StringComparer.Ordinal);
        ids.UnionWith(theirs.Ids);
        foreach (var id in ids)
        {
            var b = baseLedger?.Find(id);
            var o = ours.Find(id);
            var t = theirs.Find(id);
            if (o is not null && t is not null)
            {
                result.Add(ReferenceEquals(o, t) || SameContent(o, t) ? o : MergeItem(b, o, t));
            }
            else
            {
                var only = o ?? t!;
                // Present in the base and deleted on the other side, untouched on this one: stays deleted.
                if (b is not null && SameContent(b, only)) continue;
                result.Add(only);
            }
        }
        var errors = new List<LedgerLineError>();
        errors.AddRange(ours.Errors);
        errors.AddRange(theirs.Errors);
        return new LedgerDocument(result, errors);
    }

    private static bool SameLine(WorkItem a, WorkItem b) =>
        a.HasRawLine && b.HasRawLine && a.RawLine.Span.SequenceEqual(b.RawLine.Span);

    /// <summary>True when two items hold the same fields and values, whatever their field order or escaping.</summary>
    public static bool SameContent(WorkItem a, WorkItem b) =>
        SameLine(a, b) || JsonNode.DeepEquals(ToNode(a), ToNode(b));

    /// <summary>Merges one item's versions (base may be null: a two-way merge).</summary>
    public static WorkItem MergeItem(WorkItem? baseItem, WorkItem ours, WorkItem theirs)
    {
        var b = baseItem is null ? null : ToNode(baseItem);
        var o = ToNode(ours);
        var t = ToNode(theirs);
        // Which side wins a conflict: the later updated_at; at the same instant, the same side
        // whichever way round the merge runs (the larger value), so the merge is commutative.
        var order = Timestamps.Compare(ours.UpdatedAt, theirs.UpdatedAt);
        bool OursWins(JsonNode? ov, JsonNode? tv) => order != 0 ? order > 0 : string.CompareOrdinal(Text(ov), Text(tv)) >= 0;
        var merged = new JsonObject();
        var keys = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, _) in o) if (known.Add(k)) keys.Add(k);
        foreach (var (k, _) in t) if (known.Add(k)) keys.Add(k);

        foreach (var key in keys)
        {
            var bv = Normal(b?[key]);
            var ov = Normal(o[key]);
            var tv = Normal(t[key]);
            JsonNode? value;
            if (key == "updated_at")
                value = OursWins(ov, tv) ? ov : tv;
            else if (StringSets.Contains(key))
                value = MergeSet(bv, ov, tv, n => n.GetValue<string>(), OursWins);
            else if (key == "dependencies")
                value = MergeSet(bv, ov, tv, n => $"{n["depends_on_id"]}\0{n["type"]}", OursWins);
            else if (key == "comments")
                value = RenumberComments(MergeSet(bv, ov, tv, n => $"{n["created_at"]}\0{n["author"]}\0{n["text"]}", OursWins));
            else if (key == "status" && (IsTombstone(ov) || IsTombstone(tv)))
                value = IsTombstone(ov) ? ov : tv; // a deletion wins: a later edit elsewhere cannot bring the item back
            else
                value = Pick(bv, ov, tv, OursWins);
            if (value is not null) merged[key] = value.DeepClone();
        }
        var item = LedgerCodec.ParseItem(Write(merged));
        item.MarkDirty();
        return item;
    }

    private static bool IsTombstone(JsonNode? status) =>
        status is JsonValue v && v.TryGetValue<string>(out var s) && s == Statuses.Tombstone;

    private static JsonNode? Pick(JsonNode? b, JsonNode? o, JsonNode? t, Func<JsonNode?, JsonNode?, bool> oursWins)
    {
        if (JsonNode.DeepEquals(o, t)) return o;
        if (JsonNode.DeepEquals(o, b)) return t;
        if (JsonNode.DeepEquals(t, b)) return o;
        return oursWins(o, t) ? o : t;
    }

    private static string Text(JsonNode? n) => n?.ToJsonString() ?? "";

    private static JsonArray? MergeSet(JsonNode? b, JsonNode? o, JsonNode? t, Func<JsonNode, string> key, Func<JsonNode?, JsonNode?, bool> oursWins)
    {
        var baseKeys = new HashSet<string>(Elements(b).Select(key), StringComparer.Ordinal);
        // Each side's elements by key (the first of a key), so the merge is linear in their number.
        var ours = Keyed(o, key);
        var theirs = Keyed(t, key);
        var result = new JsonArray();
        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, e) in ours.List.Concat(theirs.List))
        {
            if (!added.Add(k)) continue;
            var inOurs = ours.First.TryGetValue(k, out var oe);
            var inTheirs = theirs.First.TryGetValue(k, out var te);
            var removedByOne = baseKeys.Contains(k) && (!inOurs || !inTheirs);
            if (removedByOne) continue;
            var chosen = inOurs && inTheirs ? (oursWins(oe, te) ? oe! : te!) : e;
            result.Add(chosen.DeepClone());
        }
        return result.Count == 0 ? null : result;
    }

    private static (List<(string Key, JsonNode Element)> List, Dictionary<string, JsonNode> First) Keyed(JsonNode? n, Func<JsonNode, string> key)
    {
        var list = Elements(n).Select(e => (key(e), e)).ToList();
        var first = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var (k, e) in list) first.TryAdd(k, e);
        return (list, first);
    }

    private static JsonArray? RenumberComments(JsonArray? merged)
    {
        if (merged is null) return null;
        // Oldest first (then author, text, id), whichever side each came from: when both sides
        // added a comment with the same number, the same one keeps it whichever way round the merge runs.
        var comments = new JsonArray(merged.Where(c => c is not null).Select(c => c!.DeepClone())
            .OrderBy(c => Timestamps.TryParse(c["created_at"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null,
                out var t) ? t : DateTimeOffset.MinValue)
            .ThenBy(c => Text(c["author"]), StringComparer.Ordinal)
            .ThenBy(c => Text(c["text"]), StringComparer.Ordinal)
            .ThenBy(c => Text(c["id"]), StringComparer.Ordinal)
            .ToArray());
        var used = new HashSet<long>();
        long max = 0;
        foreach (var c in comments)
            if (c?["id"] is JsonValue v && v.TryGetValue<long>(out var id)) max = Math.Max(max, id);
        foreach (var c in comments)
        {
            if (c is not JsonObject obj) continue;
            if (obj["id"] is JsonValue v && v.TryGetValue<long>(out var id) && used.Add(id)) continue;
            obj["id"] = ++max;
            used.Add(max);
        }
        return comments;
    }

    private static IEnumerable<JsonNode> Elements(JsonNode? n) =>
        n is JsonArray a ? a.Where(x => x is not null).Select(x => x!) : [];

    /// <summary>Missing, null, "" and [] all mean "not set".</summary>
    private static JsonNode? Normal(JsonNode? n) => n switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0 => null,
        JsonArray a when a.Count == 0 => null,
        _ => n,
    };

    private static JsonObject ToNode(WorkItem item) =>
        JsonNode.Parse(LedgerCodec.ToJsonLine(item))!.AsObject();

    private static string Write(JsonObject node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            node.WriteTo(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
