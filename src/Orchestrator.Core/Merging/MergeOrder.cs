namespace Orchestrator.Core.Merging;

/// <summary>
/// The order the refinery takes submissions in: deliberately, not by finish time. A submission
/// whose item depends on another item still in the queue waits for it; the rest go by priority
/// (P0 first), then by age (oldest submission first), then by item id.
/// </summary>
public static class MergeOrder
{
    public sealed record Waiting(Submission Submission, string WaitsFor);

    /// <param name="queued">Submissions in state queued.</param>
    /// <param name="dependenciesOf">The items an item depends on (blocking dependencies only).</param>
    /// <param name="elsewhere">
    /// Items whose submissions are open but not queued: waiting for review, approved, or in a pull
    /// request. Not landed yet, so what depends on them waits too.
    /// </param>
    public static (List<Submission> Ready, List<Waiting> Waiting) Plan(IEnumerable<Submission> queued, Func<string, IEnumerable<string>> dependenciesOf,
        IEnumerable<string>? elsewhere = null)
    {
        var all = queued.ToList();
        var inQueue = all.Select(s => s.Item).Concat(elsewhere ?? []).ToHashSet(StringComparer.Ordinal);
        var ready = new List<Submission>();
        var waiting = new List<Waiting>();
        foreach (var s in all)
        {
            var blocker = dependenciesOf(s.Item).FirstOrDefault(d => d != s.Item && inQueue.Contains(d));
            if (blocker is null) ready.Add(s);
            else waiting.Add(new Waiting(s, blocker));
        }
        ready.Sort(Compare);
        return (ready, waiting);
    }

    public static int Compare(Submission a, Submission b)
    {
        var c = a.Priority.CompareTo(b.Priority);
        if (c != 0) return c;
        c = string.CompareOrdinal(a.SubmittedAt, b.SubmittedAt);
        return c != 0 ? c : Ledger.IdComparer.Instance.Compare(a.Item, b.Item);
    }
}

/// <summary>
/// Finding the submission that breaks a batch: the gate is run on prefixes of the stack (the
/// first k submissions), halving the range each time, so one culprit in n costs about log2(n)
/// gate runs instead of n.
/// </summary>
public static class Bisection
{
    /// <summary>
    /// Given that the whole stack of <paramref name="count"/> is red, returns the index of the
    /// first submission whose prefix is red, and the longest prefix known green (it may be 0).
    /// </summary>
    /// <param name="prefixIsGreen">Runs the gate on the first k submissions (1 ≤ k &lt; count).</param>
    public static (int Culprit, int GreenPrefix) FirstBad(int count, Func<int, bool> prefixIsGreen)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int green = 0, red = count; // prefix of length green passes (0 trivially); prefix of length red fails
        while (red - green > 1)
        {
            var mid = green + (red - green) / 2;
            if (prefixIsGreen(mid)) green = mid;
            else red = mid;
        }
        return (red - 1, green);
    }
}
