using System.Text;
using Orchestrator.Core.Items;

namespace Orchestrator.Core.Ledger;

/// <summary>
/// A compact, derived copy of what queries read from a ledger (the summary fields of every item,
/// its line's position in the file, and the unreadable lines), so that <c>orc ready</c> need not
/// parse the whole JSONL each time. It is only ever a cache: it names the ledger length and
/// modification time it was built from, and a reader that finds a mismatch, or any damage,
/// ignores it and parses the ledger instead.
/// </summary>
public static class LedgerIndex
{
    private const string Magic = "ORC-LEDGER-INDEX-1";
    private const string EndMagic = "END";

    /// <summary>Serialises a summary document read from <paramref name="ledgerBytes"/>; null if it cannot be indexed.</summary>
    public static byte[]? Build(LedgerDocument doc, ReadOnlyMemory<byte> ledgerBytes, long length, long modifiedTicks)
    {
        if (doc.DuplicateIds.Count > 0) return null; // merged items have no single line to point at
        using var ms = new MemoryStream(Math.Max(1024, doc.Count * 96));
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(length);
            w.Write(modifiedTicks);
            w.Write(doc.Count);
            foreach (var i in doc.Items)
            {
                if (!i.HasRawLine || !System.Runtime.InteropServices.MemoryMarshal.TryGetArray(i.RawLine, out var seg)) return null;
                if (!ledgerBytes.Span.Overlaps(i.RawLine.Span)) return null;
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
                w.Write(i.Dependencies.Count);
                foreach (var d in i.Dependencies)
                {
                    w.Write(d.DependsOnId);
                    w.Write(d.Type);
                }
            }
            w.Write(doc.Errors.Count);
            foreach (var e in doc.Errors)
            {
                w.Write(e.LineNumber);
                w.Write(e.RawText);
                w.Write(e.Message);
            }
            w.Write(EndMagic);
        }
        return ms.ToArray();
    }

    /// <summary>
    /// The summary document the index describes, its items' lines sliced from
    /// <paramref name="ledgerBytes"/>; null when the index does not match (stale or damaged).
    /// </summary>
    public static LedgerDocument? Read(byte[] index, ReadOnlyMemory<byte> ledgerBytes, long length, long modifiedTicks)
    {
        try
        {
            var r = new SpanReader(index);
            if (r.String() != Magic || r.Int64() != length || r.Int64() != modifiedTicks || ledgerBytes.Length != length) return null;
            var count = r.Int32();
            if (count < 0 || count > 50_000_000) return null;
            var items = new List<WorkItem>(count);
            for (var k = 0; k < count; k++)
            {
                var offset = r.Int32();
                var len = r.Int32();
                if (offset < 0 || len <= 0 || offset + len > ledgerBytes.Length) return null;
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
                for (var j = 0; j < nl; j++) item.Labels.Add(r.String());
                var nd = r.Int32();
                if (nd > 0)
                {
                    var deps = new List<Dependency>(nd);
                    for (var j = 0; j < nd; j++)
                        deps.Add(new Dependency { IssueId = item.Id, DependsOnId = r.String(), Type = r.Interned() });
                    item.Dependencies = deps;
                }
                item.SetRawLine(ledgerBytes.Slice(offset, len));
                item.MarkSummary();
                items.Add(item);
            }
            var ne = r.Int32();
            var errors = new List<LedgerLineError>(Math.Max(0, ne));
            for (var j = 0; j < ne; j++) errors.Add(new LedgerLineError(r.Int32(), r.String(), r.String()));
            if (r.String() != EndMagic) return null;
            return new LedgerDocument(items, errors);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads what <see cref="BinaryWriter"/> wrote, from a span, sharing the strings statuses and types repeat.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        private static readonly string[] Common =
        [
            Statuses.Open, Statuses.InProgress, Statuses.Blocked, Statuses.Deferred, Statuses.Closed, Statuses.Hooked, Statuses.Pinned, Statuses.Tombstone,
            IssueTypes.Task, IssueTypes.Bug, IssueTypes.Feature, IssueTypes.Epic, IssueTypes.Chore,
            DependencyTypes.Blocks, DependencyTypes.ParentChild, DependencyTypes.Related, DependencyTypes.DiscoveredFrom, DependencyTypes.WaitsFor, DependencyTypes.ConditionalBlocks,
        ];

        private static readonly byte[][] CommonBytes = Common.Select(Encoding.UTF8.GetBytes).ToArray();

        public int Int32() { var v = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_data[_at..]); _at += 4; return v; }

        public long Int64() { var v = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(_data[_at..]); _at += 8; return v; }

        public bool Bool() => _data[_at++] != 0;

        private ReadOnlySpan<byte> Bytes()
        {
            int len = 0, shift = 0;
            byte b;
            do
            {
                b = _data[_at++];
                len |= (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0 && shift < 35);
            var span = _data.Slice(_at, len);
            _at += len;
            return span;
        }

        public string String() => Encoding.UTF8.GetString(Bytes());

        public string? OptionalString() => Bool() ? String() : null;

        public string Interned()
        {
            var b = Bytes();
            for (var i = 0; i < CommonBytes.Length; i++)
                if (b.SequenceEqual(CommonBytes[i])) return Common[i];
            return Encoding.UTF8.GetString(b);
        }
    }

    private static void Opt(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null) w.Write(s);
    }

}
