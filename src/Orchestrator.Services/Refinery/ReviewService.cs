using Orchestrator.Adapters.Git;
using Orchestrator.Core;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Planning;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Refinery;

/// <summary>
/// A submission waiting for review: its item's title, how many open items it unblocks, and how long
/// it has waited; in an open convoy, the convoy and how many of its items are still open (this one
/// included): 1 means approving it lands the convoy.
/// </summary>
public sealed record ReviewEntry(Submission Submission, string Title, int Unblocks, TimeSpan Waited, string? Convoy = null, int ConvoyLeft = 0);

/// <summary>
/// Everything a person needs to decide on one candidate: the item, the gate, the diff against the
/// main it was built on, and the item's declared files against the files the diff touches.
/// </summary>
public sealed record ReviewDetail(
    ReviewEntry Entry, WorkItem? Item, CandidateChanges Changes,
    IReadOnlyList<string> Declared, IReadOnlyList<string> Undeclared, IReadOnlyList<string> Untouched);

/// <summary>The review funnel's reading side (<c>orc review list</c>, <c>show</c>); approving and rejecting are the refinery's.</summary>
public sealed class ReviewService(RuntimeContext runtime, LedgerService ledger, RefineryService refinery)
{
    /// <summary>
    /// What waits for review in every rig, what unblocks most work first: the most open items
    /// depending on it, then the convoy nearest to landing (fewest open items left), then the longest waiting.
    /// </summary>
    public List<ReviewEntry> List()
    {
        var waiting = runtime.Rigs.All().SelectMany(r => runtime.Queue(r.Name).All()).Where(s => s.State == SubmissionStates.Review).ToList();
        if (waiting.Count == 0) return [];
        var doc = ledger.ReadSummary();
        var convoys = OpenConvoys();
        return waiting.Select(s => Entry(s, doc, convoys))
            .OrderByDescending(e => e.Unblocks).ThenBy(e => e.Convoy is null ? int.MaxValue : e.ConvoyLeft)
            .ThenBy(e => e.Submission.ReviewSince ?? e.Submission.SubmittedAt, StringComparer.Ordinal)
            .ThenBy(e => e.Submission.Item, StringComparer.Ordinal).ToList();
    }

    private List<Core.Convoys.Convoy> OpenConvoys() =>
        new Adapters.Storage.RecordStore<Core.Convoys.Convoy>(runtime.Workspace.Paths.ConvoysDir, Adapters.Storage.OrcJsonContext.Default.Convoy)
            .All().Where(c => c.IsOpen).ToList();

    /// <summary>One submission waiting for review, in full.</summary>
    public ReviewDetail Show(string item)
    {
        var s = refinery.Get(item);
        if (s.State != SubmissionStates.Review || s.Candidate is null || s.Onto is null)
            throw new OrcException($"{s.Item} is {s.State}, not waiting for review (see 'orc review list', and 'orc mq show {s.Item}')");
        var doc = ledger.Read();
        var work = doc.Find(s.Item);
        var changes = CandidateChanges.Of(runtime.Workspace.Paths.RigDir(s.Rig), s.Onto, s.Candidate);
        var touched = changes.Files.SelectMany(f => f.OldPath is { } old ? new[] { f.Path, old } : [f.Path]).ToHashSet(StringComparer.Ordinal);
        var declared = work?.Files ?? [];
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var untouched = new List<string>();
        foreach (var claim in declared)
        {
            IReadOnlyList<string> hits;
            try { hits = FileClaims.Expand(claim, touched); }
            catch (OrcException) { hits = []; }
            if (hits.Count == 0) untouched.Add(claim);
            covered.UnionWith(hits);
        }
        var undeclared = changes.Files.Select(f => f.Path).Where(p => !covered.Contains(p)).ToList();
        return new ReviewDetail(Entry(s, doc, OpenConvoys()), work, changes, declared, undeclared, untouched);
    }

    private ReviewEntry Entry(Submission s, Core.Ledger.LedgerDocument doc, List<Core.Convoys.Convoy> convoys)
    {
        // The convoy this approval brings nearest to landing, if it is in several.
        var convoy = convoys.Where(c => c.Items.Contains(s.Item, StringComparer.Ordinal))
            .Select(c => (c.Name, Left: c.Items.Count(i => doc.Find(i) is { IsClosed: false })))
            .OrderBy(c => c.Left).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        var unblocks = doc.Items.Count(i => !i.IsClosed && i.DependencyList.Any(d => d.DependsOnId == s.Item && DependencyTypes.IsBlocking(d.Type)));
        var since = DateTimeOffset.TryParse(s.ReviewSince ?? s.SubmittedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var t) ? t : runtime.Workspace.Now;
        var waited = runtime.Workspace.Now - since;
        return new ReviewEntry(s, doc.Find(s.Item)?.Title ?? "", unblocks, waited < TimeSpan.Zero ? TimeSpan.Zero : waited, convoy.Name, convoy.Left);
    }
}
