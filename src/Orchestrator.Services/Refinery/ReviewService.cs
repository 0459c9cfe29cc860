using Orchestrator.Adapters.Git;
using Orchestrator.Core;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Planning;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Refinery;

/// <summary>
/// Everything a person needs to decide on one candidate: the item, the gate, the diff against the
/// main it was built on, and the item's declared files against the files the diff touches.
/// </summary>
public sealed record ReviewDetail(
    ReviewWait Entry, WorkItem? Item, CandidateChanges Changes,
    IReadOnlyList<string> Declared, IReadOnlyList<string> Undeclared, IReadOnlyList<string> Untouched);

/// <summary>The review funnel's reading side (<c>orc review list</c>, <c>show</c>); approving and rejecting are the refinery's.</summary>
public sealed class ReviewService(RuntimeContext runtime, LedgerService ledger, RefineryService refinery)
{
    /// <summary>What waits for review in every rig, in <see cref="ReviewOrder"/>: what unblocks most work first.</summary>
    public List<ReviewWait> List()
    {
        var waiting = runtime.Rigs.All().SelectMany(r => runtime.Queue(r.Name).All()).Where(s => s.State == SubmissionStates.Review).ToList();
        if (waiting.Count == 0) return [];
        return ReviewOrder.Of(waiting, ledger.ReadSummary(), Convoys(), runtime.Workspace.Now);
    }

    private List<Core.Convoys.Convoy> Convoys() =>
        new Adapters.Storage.RecordStore<Core.Convoys.Convoy>(runtime.Workspace.Paths.ConvoysDir, Adapters.Storage.OrcJsonContext.Default.Convoy).All();

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
        return new ReviewDetail(ReviewOrder.Entry(s, doc, Convoys(), runtime.Workspace.Now), work, changes, declared, undeclared, untouched);
    }
}
