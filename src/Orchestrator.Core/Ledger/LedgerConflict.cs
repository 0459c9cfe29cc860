namespace Orchestrator.Core.Ledger;

/// <summary>
/// A ledger file that a merge without orc's merge driver left with conflict markers (a fresh
/// clone's first <c>git pull</c> before any orc write registered the driver): its blocks
/// (<c>&lt;&lt;&lt;&lt;&lt;&lt;&lt;</c> ours, optionally <c>|||||||</c> base as diff3 writes it,
/// <c>=======</c> theirs, <c>&gt;&gt;&gt;&gt;&gt;&gt;&gt;</c>) are split back into the two
/// sides' files, so they can be merged by item id with the driver's own rules
/// (<see cref="LedgerMerge"/>) against their base: the base from the blocks when every block has
/// one, else the one git keeps (the caller's). Linear in the file's size.
/// </summary>
public static class LedgerConflict
{
    /// <summary>
    /// The two sides (and the base when the blocks carried one) as whole ledger files, with the
    /// line number in the conflicted file of each of their lines (so errors name the file's lines).
    /// </summary>
    public sealed record Sides(byte[] Ours, byte[]? Base, byte[] Theirs, int Blocks, int[] OursLines, int[] TheirsLines);

    private enum Part { Outside, Ours, Base, Theirs }

    /// <summary>
    /// The sides of a file with complete conflict blocks; null when it has none, or when its
    /// markers do not form complete blocks (then they stay bad lines, quarantined as any other).
    /// </summary>
    public static Sides? Split(ReadOnlySpan<byte> data)
    {
        if (data.IndexOf("<<<<<<<"u8) < 0) return null;
        using var ours = new MemoryStream(data.Length);
        using var theirs = new MemoryStream(data.Length);
        using var common = new MemoryStream(data.Length);
        var part = Part.Outside;
        int blocks = 0, withBase = 0, number = 0;
        List<int> oursLines = [], theirsLines = [];
        var rest = data;
        while (!rest.IsEmpty)
        {
            number++;
            var nl = rest.IndexOf((byte)'\n');
            var line = nl < 0 ? rest : rest[..(nl + 1)];
            rest = nl < 0 ? [] : rest[(nl + 1)..];
            var marker = Marker(line);
            switch (part, marker)
            {
                case (Part.Outside, '<'): part = Part.Ours; blocks++; continue;
                case (Part.Ours, '|'): part = Part.Base; withBase++; continue;
                case (Part.Ours or Part.Base, '='): part = Part.Theirs; continue;
                case (Part.Theirs, '>'): part = Part.Outside; continue;
                case (_, '\0'): break;
                default: return null; // a marker out of place: not a block git wrote
            }
            var text = WithNewline(line);
            switch (part)
            {
                case Part.Outside: ours.Write(text); theirs.Write(text); common.Write(text); oursLines.Add(number); theirsLines.Add(number); break;
                case Part.Ours: ours.Write(text); oursLines.Add(number); break;
                case Part.Base: common.Write(text); break;
                case Part.Theirs: theirs.Write(text); theirsLines.Add(number); break;
            }
        }
        if (part != Part.Outside || blocks == 0) return null;
        return new Sides(ours.ToArray(), withBase == blocks ? common.ToArray() : null, theirs.ToArray(), blocks, [.. oursLines], [.. theirsLines]);
    }

    /// <summary>The ledger the two sides make, merged by item id against <paramref name="gitBase"/> when the blocks had no base of their own.</summary>
    public static LedgerDocument Resolve(Sides sides, ReadOnlyMemory<byte>? gitBase)
    {
        var baseBytes = sides.Base ?? (gitBase is { } g ? g.ToArray() : null);
        var baseLedger = baseBytes is null ? null : LedgerDocument.Parse(baseBytes);
        var ours = Side(sides.Ours, sides.OursLines);
        var theirs = Side(sides.Theirs, sides.TheirsLines);
        var merged = LedgerMerge.Merge(baseLedger, ours, theirs);
        // A bad line outside the blocks is in both sides: keep it once, in the file's order.
        var errors = merged.Errors.DistinctBy(e => e.LineNumber).OrderBy(e => e.LineNumber).ToList();
        var result = new LedgerDocument(merged.Items, errors) { ResolvedConflicts = sides.Blocks, ResolvedWithBase = baseLedger is not null };
        result.DuplicateIds.AddRange(ours.DuplicateIds.Union(theirs.DuplicateIds, StringComparer.Ordinal));
        return result;
    }

    /// <summary>One side's ledger, its errors numbered as the conflicted file's lines.</summary>
    private static LedgerDocument Side(byte[] bytes, int[] lines)
    {
        var (items, errors) = LedgerCodec.ReadLines(bytes);
        var doc = new LedgerDocument(items,
            errors.Select(e => e with { LineNumber = e.LineNumber - 1 < lines.Length ? lines[e.LineNumber - 1] : e.LineNumber }));
        return doc;
    }

    /// <summary>'&lt;', '|', '=' or '&gt;' for a marker line (seven of the character, then the end of the line or a space), else '\0'.</summary>
    private static char Marker(ReadOnlySpan<byte> line)
    {
        if (line.Length < 7) return '\0';
        var c = line[0];
        if (c is not ((byte)'<' or (byte)'|' or (byte)'=' or (byte)'>')) return '\0';
        for (var i = 1; i < 7; i++) if (line[i] != c) return '\0';
        var after = line[7..];
        if (after.IsEmpty || after[0] is (byte)'\n' or (byte)'\r') return (char)c;
        // '=======' stands alone; the others name their side after a space.
        return c != (byte)'=' && after[0] == (byte)' ' ? (char)c : '\0';
    }

    private static byte[] WithNewline(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\n' ? line.ToArray() : [.. line, (byte)'\n'];
}
