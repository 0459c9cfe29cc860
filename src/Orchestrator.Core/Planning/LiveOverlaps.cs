namespace Orchestrator.Core.Planning;

/// <summary>Two branches that both changed <see cref="Files"/> (sorted); <see cref="A"/> sorts before <see cref="B"/>.</summary>
public sealed record Overlap(string A, string B, IReadOnlyList<string> Files);

/// <summary>While agents run: the files their branches actually changed, compared across branches.</summary>
public static class LiveOverlaps
{
    /// <summary>
    /// The pairs whose changed files intersect, ordered by A then B (ids ordered as in
    /// <see cref="Ledger.IdComparer"/>, ties broken ordinally).
    /// </summary>
    /// <param name="changed">Item id → the files its branch changed against its base.</param>
    public static IReadOnlyList<Overlap> Among(IReadOnlyDictionary<string, IReadOnlyCollection<string>> changed)
    {
        var ids = changed.Keys.Order(PlanOrder.Ids).ToList();
        var sets = ids.ToDictionary(id => id, id => changed[id].ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var overlaps = new List<Overlap>();
        for (var i = 0; i < ids.Count; i++)
            for (var j = i + 1; j < ids.Count; j++)
            {
                var shared = sets[ids[i]].Where(sets[ids[j]].Contains).Order(StringComparer.Ordinal).ToList();
                if (shared.Count > 0) overlaps.Add(new Overlap(ids[i], ids[j], shared));
            }
        return overlaps;
    }
}

/// <summary>The order of ids in plans: <see cref="Ledger.IdComparer"/>, ties (e.g. "x.01" and "x.1") broken ordinally.</summary>
internal sealed class PlanOrder : IComparer<string>
{
    public static readonly PlanOrder Ids = new();

    public int Compare(string? x, string? y)
    {
        var c = Ledger.IdComparer.Instance.Compare(x, y);
        return c != 0 ? c : string.CompareOrdinal(x, y);
    }
}
