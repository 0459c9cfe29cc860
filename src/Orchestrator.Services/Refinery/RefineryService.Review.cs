using Orchestrator.Adapters.Git;
using Orchestrator.Core;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;

namespace Orchestrator.Services.Refinery;

/// <summary>
/// The review funnel (<c>land: review</c>): a green candidate waits for a person instead of moving
/// main; an approved one lands on the next pass (rebuilt and gated again if main moved meanwhile).
/// </summary>
public sealed partial class RefineryService
{
    /// <summary>How a reason given by <c>orc review reject</c> starts (the feed tags it <c>review</c>).</summary>
    private const string ReviewRejection = "rejected in review by ";

    /// <summary>
    /// A green stack: in auto mode it lands. In review mode the approved submissions at its front
    /// land (they were reviewed, then rebuilt on a moved main) and the rest wait for a person.
    /// </summary>
    private bool Accept(Rig rig, IRigIntegration git, string main, List<(Submission Sub, string Commit)> stack, string tail, List<RefineryOutcome> outcomes)
    {
        if (rig.OpensPullRequests) return OpenPullRequests(rig, git, main, stack, tail, outcomes); // land: pr (RefineryService.PullRequests.cs)
        if (!rig.ReviewsLandings) return Land(rig, git, main, stack, outcomes);
        var approved = stack.TakeWhile(x => x.Sub.ApprovedBy is not null).Count();
        if (approved > 0 && !Land(rig, git, main, stack.Take(approved).ToList(), outcomes))
        {
            foreach (var (s, _) in stack.Skip(approved))
                Save(s with { State = SubmissionStates.Queued, Candidate = null, Onto = null }, "requeue"); // nothing landed: the rest waits too
            return false;
        }
        Hold(rig, stack.Skip(approved).ToList(), tail, outcomes);
        return true;
    }

    /// <summary>Green candidates that wait for a person: state review, one event and one mail to the overseer each.</summary>
    private void Hold(Rig rig, List<(Submission Sub, string Commit)> stack, string tail, List<RefineryOutcome> outcomes)
    {
        if (stack.Count == 0) return;
        var now = Timestamps.Format(runtime.Workspace.Now);
        var verdict = rig.GateArgv.Count == 0 ? "no gate" : "green";
        ledger.Transact("review", t =>
        {
            foreach (var (s, c) in stack)
                t.Touched(runtime.Queue(rig.Name).Write(s.Item, s with
                {
                    State = SubmissionStates.Review, Candidate = c, GateVerdict = verdict, GateTail = tail.Length == 0 ? null : Truncate(tail, 4000),
                        ReviewSince = now,
                }), s.Item);
            return 0;
        });
        var items = ledger.ReadSummary();
        foreach (var (s, c) in stack)
        {
            var title = items.Find(s.Item)?.Title ?? "";
            runtime.Record(SourceOf(rig.Name), EventKinds.Review, s.Item, $"{s.Item} by {s.Agent} is {verdict} as {c[..12]} and waits for review");
            var body = $"{s.Item} ({Clip(title, 100)}) by {s.Agent} is {verdict} as {c[..12]} on {rig.Name}/{rig.DefaultBranch}, and waits for you.\n" +
                $"See it with `orc review show {s.Item}`; land it with `orc review approve {s.Item}`, or return it with `orc review reject {s.Item} --reason TEXT`.";
            Tell(rig, Core.Mail.MailRules.Overseer, $"{s.Item} waits for your review", body, s.Item);
            outcomes.Add(new RefineryOutcome(s.Item, SubmissionStates.Review, c, null));
        }
    }

    /// <summary>
    /// Approved submissions, before the queue: one whose candidate was built on main's tip lands as
    /// it was reviewed, and then so may one built on that candidate (a reviewed stack lands in its
    /// order, whichever order it was approved in). One built on anything else (main moved, or on
    /// a candidate not approved) is queued again, first in line, to be rebuilt on main and gated
    /// (and then lands, without a second review): main never takes work nobody approved.
    /// </summary>
    private void LandApproved(Rig rig, IRigIntegration git, List<RefineryOutcome> outcomes)
    {
        var approved = runtime.Queue(rig.Name).All().Where(s => s.State == SubmissionStates.Approved)
            .OrderBy(s => s.ApprovedAt, StringComparer.Ordinal).ToList();
        if (approved.Count == 0) return;
        if (git.CheckoutBlocker(rig.DefaultBranch) is { } blocked)
        {
            SetupFailed(rig, CheckoutStep, blocked, approved.Select(s => s.Item), outcomes);
            return;
        }
        SetupWorked(rig, CheckoutStep);
        if (!SyncOrigin(rig, git, approved.Select(s => s.Item), outcomes)) return;
        while (true)
        {
            var main = git.TipOf(rig.DefaultBranch);
            var s = approved.FirstOrDefault(x => x.Candidate is { } c && x.Onto == main && git.CommitExists(c));
            if (s is null) break;
            approved.Remove(s);
            // Recorded as merging before main moves, as every landing is: a restart then finds it.
            var merging = s with { State = SubmissionStates.Merging, Attempts = s.Attempts + 1 };
            Save(merging, "refinery merging");
            if (!Land(rig, git, main, [(merging, s.Candidate!)], outcomes)) return; // queued again, approval kept; said why
        }
        foreach (var s in approved)
        {
            Save(s with { State = SubmissionStates.Queued, Candidate = null, Onto = null }, "requeue");
            runtime.Record(SourceOf(rig.Name), EventKinds.Waiting, s.Item,
                $"{s.Item} was approved, but its candidate was not built on {rig.DefaultBranch}'s tip ({rig.DefaultBranch} moved, or what it was built on is not approved): rebuilding it on {rig.DefaultBranch} and gating it again");
        }
    }

    /// <summary>Marks a submission waiting for review as approved (under the workspace lock); the refinery lands it on its next pass.</summary>
    public Submission Approve(string item)
    {
        var s = Get(item);
        CheckWaitsForReview(s, "approved");
        var now = Timestamps.Format(runtime.Workspace.Now);
        var actor = runtime.Workspace.Actor;
        var next = ledger.Transact("review approve", t =>
        {
            var current = runtime.Queue(s.Rig).Find(s.Item);
            CheckWaitsForReview(current ?? s with { State = "gone" }, "approved", " now");
            var approved = current! with { State = SubmissionStates.Approved, ApprovedBy = actor, ApprovedAt = now };
            t.Touched(runtime.Queue(s.Rig).Write(s.Item, approved), s.Item);
            if (t.Items.Ledger.Find(s.Item) is { IsClosed: false })
                t.Items.AddComment(s.Item, $"approved in review by {actor}: the refinery of {s.Rig} lands it on its next pass");
            return approved;
        }).Value;
        runtime.Record(actor, EventKinds.Approved, s.Item, $"{s.Item} approved by {actor}; the refinery of {s.Rig} lands it on its next pass");
        return next;
    }

    /// <summary>Returns a submission waiting for review to its worker with the reason, as a red gate does.</summary>
    public Submission RejectReview(string item, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new OrcException("--reason: say why the work goes back (it goes on the item and to the worker)",
            ExitCodes.Usage);
        var s = Get(item);
        CheckWaitsForReview(s, "rejected");
        var rig = runtime.Rigs.Get(s.Rig);
        Reject(rig, s, RejectionCause.Review, ReviewRejection + runtime.Workspace.Actor + ": " + TerminalText.Line(reason).Trim(), null, [], expected: SubmissionStates.Review);
        return runtime.Queue(s.Rig).Find(s.Item)!;
    }

    private static void CheckWaitsForReview(Submission s, string verb, string when = "")
    {
        if (s.State != SubmissionStates.Review)
            throw new OrcException($"{s.Item} is {s.State}{when}, not waiting for review; only a submission in 'orc review list' can be {verb}");
    }
}
