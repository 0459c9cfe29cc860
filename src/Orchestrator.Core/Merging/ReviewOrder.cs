using System.Globalization;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Core.Merging;

/// <summary>
/// A submission waiting for review: its item's title, how many open items it unblocks, and how long
/// it has waited; in an open convoy, the convoy and how many of its items are still open (this one
/// included): 1 means approving it lands the convoy.
/// </summary>
public sealed record ReviewWait(Submission Submission, string Title, int Unblocks, TimeSpan Waited, string? Convoy = null, int ConvoyLeft = 0);

/// <summary>
/// What waits for a person's review (<c>land: review</c>), in the order a person should take it:
/// what unblocks the most open items first, then the convoy nearest to landing (fewest open items
/// left), then the longest waiting, then by item. Pure: <c>orc review list</c> and the TUI share it.
/// </summary>
public static class ReviewOrder
{
    /// <summary>The submissions in state <c>review</c> among <paramref name="submissions"/>, in review order.</summary>
    /// <param name="convoys">The workspace's convoys (closed and landed ones are passed over).</param>
    public static List<ReviewWait> Of(IEnumerable<Submission> submissions, LedgerDocument ledger, IEnumerable<Convoy> convoys, DateTimeOffset now)
    {
        var open = convoys.Where(c => c.IsOpen).ToList();
        return submissions.Where(s => s.State == SubmissionStates.Review).Select(s => Entry(s, ledger, open, now))
            .OrderByDescending(e => e.Unblocks).ThenBy(e => e.Convoy is null ? int.MaxValue : e.ConvoyLeft)
            .ThenBy(e => e.Submission.ReviewSince ?? e.Submission.SubmittedAt, StringComparer.Ordinal)
            .ThenBy(e => e.Submission.Item, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// One submission's title, the open items that wait on it, the open convoy it brings nearest to
    /// landing, and its wait (since it began waiting for review, else since it was submitted).
    /// </summary>
    public static ReviewWait Entry(Submission s, LedgerDocument ledger, IEnumerable<Convoy> convoys, DateTimeOffset now)
    {
        var unblocks = ledger.Items.Count(i => !i.IsClosed && i.DependencyList.Any(d => d.DependsOnId == s.Item && DependencyTypes.IsBlocking(d.Type)));
        var since = DateTimeOffset.TryParse(s.ReviewSince ?? s.SubmittedAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : now;
        var waited = now - since;
        var convoy = convoys.Where(c => c.IsOpen && c.Items.Contains(s.Item, StringComparer.Ordinal))
            .Select(c => (c.Name, Left: c.Items.Count(i => ledger.Find(i) is { IsClosed: false })))
            .OrderBy(c => c.Left).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        return new ReviewWait(s, ledger.Find(s.Item)?.Title ?? "", unblocks, waited < TimeSpan.Zero ? TimeSpan.Zero : waited, convoy.Name, convoy.Left);
    }

    /// <summary>A wait as people say it: 45s, 12m, 3h05m, 2d04h.</summary>
    public static string Waited(TimeSpan t) => Text.Durations.Short(t);
}
