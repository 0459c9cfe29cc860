using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Orchestrator.Core.Items;

namespace Orchestrator.Core.Ledger;

/// <summary>
/// A compact, derived copy of what queries read from a ledger: the summary fields of every item,
/// its line's position in the file, the unreadable lines, and the answers that depend on the
/// ledger's content alone (<see cref="LedgerAnswers"/>: cycles, readiness but for defer dates).
/// It is only ever a cache: it names the fingerprint (length and 64-bit hash) of the exact bytes it
/// was built from, and carries a checksum of itself; a reader that finds either wrong ignores it and
/// parses the ledger instead. Items are read from it one by one, on first use.
/// </summary>
/// <remarks>
/// Layout (little-endian; strings as <see cref="BinaryWriter"/> writes them):
/// magic, ledger length (i64), ledger hash (u64), item count (i32); the item records; the errors;
/// the cycles; the ready candidates (item ordinals); a table of each record's offset (i32 each);
/// and a trailer: where the errors begin (i32), where the table begins (i32), and the XxHash3 of
/// everything before the checksum (u64).
/// </remarks>
public static class LedgerIndex
{
    private const string Magic = "ORC-LEDGER-INDEX-2";
    private const int TrailerLength = 16;

    /// <summary>What identifies the ledger's content: an index is valid for these bytes only.</summary>
    public static ulong Fingerprint(ReadOnlySpan<byte> ledger) => XxHash3.HashToUInt64(ledger);

    /// <summary>
    /// Serialises a summary document read from <paramref name="ledgerBytes"/> (a whole array) with
    /// its <paramref name="answers"/>; null if it cannot be indexed.
    /// </summary>
    public static byte[]? Build(LedgerDocument doc, LedgerAnswers answers, ReadOnlyMemory<byte> ledgerBytes, ulong fingerprint)
    {
        if (doc.DuplicateIds.Count > 0) return null; // merged items have no single line to point at
        if (!MemoryMarshal.TryGetArray(ledgerBytes, out var whole) || whole.Offset != 0) return null;
        var positions = new int[doc.Count];
        var ordinals = new Dictionary<WorkItem, int>(doc.Count, ReferenceEqualityComparer.Instance);
        using var ms = new MemoryStream(Math.Max(1024, doc.Count * 112));
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write((long)ledgerBytes.Length);
            w.Write(fingerprint);
            w.Write(doc.Count);
            var k = 0;
            foreach (var i in doc.Items)
            {
                if (!i.HasRawLine || !MemoryMarshal.TryGetArray(i.RawLine, out var seg) || seg.Array != whole.Array) return null;
                positions[k] = checked((int)ms.Position);
                ordinals[i] = k++;
                w.Write(seg.Offset);
                w.Write(seg.Count);
                w.Write(i.Id);
                w.Write(i.Title);
                w.Write(i.Status);
                w.Write(i.Priority);
                w.Write(i.IssueType);
                Opt(w, i.Assignee);
                Opt(w, i.CreatedAt);
                Opt(w, i.DeferUntil);
                w.Write(i.Labels.Count);
                foreach (var l in i.Labels) w.Write(l);
                w.Write(i.DependencyList.Count);
                foreach (var d in i.DependencyList)
                {
                    w.Write(d.DependsOnId);
                    w.Write(d.Type);
                }
            }
            var errorsAt = checked((int)ms.Position);
            w.Write(doc.Errors.Count);
            foreach (var e in doc.Errors)
            {
                w.Write(e.LineNumber);
                w.Write(e.RawText);
                w.Write(e.Message);
            }
            w.Write(answers.Cycles.Count);
            foreach (var cycle in answers.Cycles)
            {
                w.Write(cycle.Count);
                foreach (var id in cycle) w.Write(id);
            }
            w.Write(answers.ReadyCandidates.Count);
            foreach (var item in answers.ReadyCandidates)
            {
                if (!ordinals.TryGetValue(item, out var ordinal)) return null; // not one of this document's items
                w.Write(ordinal);
            }
            var positionsAt = checked((int)ms.Position);
            foreach (var p in positions) w.Write(p);
            w.Write(errorsAt);
            w.Write(positionsAt);
        }
        var length = checked((int)ms.Length);
        var bytes = new byte[length + 8];
        ms.Position = 0;
        ms.ReadExactly(bytes, 0, length);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(length), XxHash3.HashToUInt64(bytes.AsSpan(0, length)));
        return bytes;
    }

    /// <summary>
    /// The summary document the index describes, its items' lines sliced from
    /// <paramref name="ledgerBytes"/> and made on first use, with the answers it keeps; null when
    /// the index is not for these bytes or is damaged.
    /// </summary>
    public static LedgerDocument? Read(byte[] index, ReadOnlyMemory<byte> ledgerBytes, ulong fingerprint)
    {
        try
        {
            if (index.Length < TrailerLength + Magic.Length) return null;
            var body = index.AsSpan(0, index.Length - 8);
            if (BinaryPrimitives.ReadUInt64LittleEndian(index.AsSpan(body.Length)) != XxHash3.HashToUInt64(body)) return null;
            var r = new IndexReader(index, 0);
            if (r.String() != Magic || r.Int64() != ledgerBytes.Length || r.UInt64() != fingerprint) return null;
            var count = r.Int32();
            var errorsAt = BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(index.Length - TrailerLength));
            var positionsAt = BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(index.Length - TrailerLength + 4));
            if (count < 0 || positionsAt < r.Position || (long)positionsAt + 4L * count != index.Length - TrailerLength || errorsAt < r.Position
                || errorsAt > positionsAt)
                return null;

            r = new IndexReader(index, errorsAt);
            var ne = r.Int32();
            if (ne < 0 || ne > index.Length) return null;
            var errors = new List<LedgerLineError>(ne);
            for (var j = 0; j < ne; j++) errors.Add(new LedgerLineError(r.Int32(), r.String(), r.String()));
            var nc = r.Int32();
            if (nc < 0 || nc > index.Length) return null;
            var cycles = new List<IReadOnlyList<string>>(nc);
            for (var j = 0; j < nc; j++)
            {
                var len = r.Int32();
                if (len < 0 || len > index.Length) return null;
                var cycle = new List<string>(len);
                for (var m = 0; m < len; m++) cycle.Add(r.String());
                cycles.Add(cycle);
            }
            var nr = r.Int32();
            if (nr < 0 || nr > count) return null;
            var ready = new int[nr];
            for (var j = 0; j < nr; j++)
                if ((ready[j] = r.Int32()) is < 0 || ready[j] >= count) return null;
            if (r.Position != positionsAt) return null;
            var headerEnd = new IndexReader(index, 0);
            headerEnd.String();
            var recordsAt = headerEnd.Position + 8 + 8 + 4;
            for (var k = 0; k < count; k++)
            {
                // Every record starts among the records and names a line inside the ledger: items made later cannot fail.
                var at = BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(positionsAt + 4 * k));
                if (at < recordsAt || at > errorsAt - 8) return null;
                var offset = BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(at));
                var len = BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(at + 4));
                if (offset < 0 || len <= 0 || offset > ledgerBytes.Length - len) return null;
            }

            var items = new IndexedItems(index, positionsAt, count, ledgerBytes);
            var answers = new LedgerAnswers(cycles, () => Array.ConvertAll(ready, items.At));
            return new LedgerDocument(items, errors, answers);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentException or FormatException or OverflowException)
        {
            return null;
        }
    }

    private static void Opt(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null) w.Write(s);
    }
}

/// <summary>The items of a checked index, each decoded from its record when first asked for, once.</summary>
internal sealed class IndexedItems(byte[] index, int positionsAt, int count, ReadOnlyMemory<byte> ledger)
{
    private readonly WorkItem?[] _made = new WorkItem?[count];

    public int Count => count;

    public WorkItem At(int ordinal)
    {
        if (Volatile.Read(ref _made[ordinal]) is { } made) return made;
        var item = Decode(BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(positionsAt + 4 * ordinal)));
        return Interlocked.CompareExchange(ref _made[ordinal], item, null) ?? item;
    }

    private WorkItem Decode(int position)
    {
        var r = new IndexReader(index, position);
        var offset = r.Int32();
        var len = r.Int32(); // both checked by LedgerIndex.Read
        var item = new WorkItem
        {
            Id = r.String(),
            Title = r.String(),
            Status = r.Interned(),
            Priority = r.Int32(),
            IssueType = r.Interned(),
            Assignee = r.OptionalString(),
            CreatedAt = r.OptionalString(),
            DeferUntil = r.OptionalString(),
        };
        var nl = r.Int32();
        if (nl > 0)
        {
            var labels = new List<string>(nl);
            for (var j = 0; j < nl; j++) labels.Add(r.String());
            item.Labels = labels;
        }
        var nd = r.Int32();
        if (nd > 0)
        {
            var deps = new List<Dependency>(nd);
            for (var j = 0; j < nd; j++)
                deps.Add(new Dependency { IssueId = item.Id, DependsOnId = r.String(), Type = r.Interned() });
            item.Dependencies = deps;
        }
        item.SetRawLine(ledger.Slice(offset, len));
        item.MarkSummary();
        return item;
    }
}

/// <summary>Reads what <see cref="BinaryWriter"/> wrote, sharing the strings statuses and types repeat.</summary>
internal ref struct IndexReader(ReadOnlySpan<byte> data, int position)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; } = position;

    public int Int32() { var v = BinaryPrimitives.ReadInt32LittleEndian(_data[Position..]); Position += 4; return v; }

    public long Int64() { var v = BinaryPrimitives.ReadInt64LittleEndian(_data[Position..]); Position += 8; return v; }

    public ulong UInt64() { var v = BinaryPrimitives.ReadUInt64LittleEndian(_data[Position..]); Position += 8; return v; }

    public bool Bool() => _data[Position++] != 0;

    private ReadOnlySpan<byte> Bytes()
    {
        int len = 0, shift = 0;
        byte b;
        do
        {
            b = _data[Position++];
            len |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0 && shift < 35);
        var span = _data.Slice(Position, len);
        Position += len;
        return span;
    }

    public string String() => Encoding.UTF8.GetString(Bytes());

    public string? OptionalString() => Bool() ? String() : null;

    public string Interned()
    {
        var b = Bytes();
        for (var i = 0; i < KnownWords.Bytes.Length; i++)
            if (b.SequenceEqual(KnownWords.Bytes[i])) return KnownWords.Strings[i];
        return Encoding.UTF8.GetString(b);
    }
}

/// <summary>The values that repeat on every line (statuses, types, dependency types): readers share one string for each.</summary>
internal static class KnownWords
{
    public static readonly string[] Strings =
    [
        Statuses.Open, Statuses.InProgress, Statuses.Blocked, Statuses.Deferred, Statuses.Closed, Statuses.Hooked, Statuses.Pinned, Statuses.Tombstone,
        IssueTypes.Task, IssueTypes.Bug, IssueTypes.Feature, IssueTypes.Epic, IssueTypes.Chore,
        DependencyTypes.Blocks, DependencyTypes.ParentChild, DependencyTypes.Related, DependencyTypes.DiscoveredFrom, DependencyTypes.WaitsFor,
            DependencyTypes.ConditionalBlocks,
    ];

    public static readonly byte[][] Bytes = Strings.Select(Encoding.UTF8.GetBytes).ToArray();
}
