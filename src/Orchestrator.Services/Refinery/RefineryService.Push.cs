using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Core.Events;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Rigs;

namespace Orchestrator.Services.Refinery;

/// <summary>
/// <c>push: on</c>: the rig's main follows its origin. Before each round the refinery fetches
/// origin's main and brings the local main to it; a green candidate is pushed to origin before the
/// local main moves, so origin's atomic ref update decides. When origin moved meanwhile the push is
/// refused, the stack is queued again and the next round rebuilds it on the new tip and gates it
/// again. Never forced. A push refused for another reason (protection, credentials) stops the
/// rig's queue with one report and loses nothing: the work stays queued, approvals kept.
/// </summary>
public sealed partial class RefineryService
{
    private const string RemoteStep = "remote";
    private const string PushStep = "push";

    /// <summary>How many times one pass rebuilds on a moved origin before it leaves the rest to the next pass.</summary>
    private const int MaxMovedPerPass = 5;

    /// <summary>Per rig, in this pass: pushes refused because origin moved.</summary>
    private readonly Dictionary<string, int> _moved = new(StringComparer.Ordinal);

    /// <summary>
    /// With <c>push: on</c>, brings the rig's main up to origin's (fetch, then fast-forward). False
    /// when it cannot (origin unreachable, the two have diverged, the checkout cannot move): nothing
    /// may land then, and the failure was reported.
    /// </summary>
    private bool SyncOrigin(Rig rig, IRigIntegration git, IEnumerable<string> waiting, List<RefineryOutcome> outcomes)
    {
        if (!rig.Push && !rig.OpensPullRequests) return true;
        var remote = new RigRemote(git.Path);
        string? theirs;
        try
        {
            if (remote.OriginUrl() is null)
            {
                SetupFailed(rig, RemoteStep, $"rigs/{rig.Name} has no remote '{RigRemote.Origin}' to push to", waiting, outcomes);
                return false;
            }
            theirs = remote.Fetch(rig.DefaultBranch);
        }
        catch (Core.OrcException e)
        {
            SetupFailed(rig, RemoteStep, e.Message, waiting, outcomes);
            return false;
        }
        catch (LibGit2Sharp.LibGit2SharpException e)
        {
            SetupFailed(rig, RemoteStep, e.Message, waiting, outcomes);
            return false;
        }
        SetupWorked(rig, RemoteStep);
        if (theirs is null) return true; // origin has no such branch yet: the first push makes it
        var ours = git.TipOf(rig.DefaultBranch);
        if (ours == theirs || git.IsAncestor(theirs, ours)) return true; // ours is ahead: the next push carries it
        if (!git.IsAncestor(ours, theirs))
        {
            SetupFailed(rig, RemoteStep,
                $"{rig.DefaultBranch} ({ours[..12]}) and {RigRemote.Origin}/{rig.DefaultBranch} ({theirs[..12]}) have diverged; " +
                $"bring rigs/{rig.Name}'s {rig.DefaultBranch} onto {RigRemote.Origin}'s (e.g. git -C rigs/{rig.Name} pull --rebase)", waiting, outcomes);
            return false;
        }
        if (git.CheckoutBlocker(rig.DefaultBranch) is { } blocked)
        {
            SetupFailed(rig, CheckoutStep, blocked, waiting, outcomes);
            return false;
        }
        try { git.FastForward(rig.DefaultBranch, ours, theirs, $"follow {RigRemote.Origin}/{rig.DefaultBranch}"); }
        catch (Core.OrcException e)
        {
            SetupFailed(rig, RemoteStep, e.Message, waiting, outcomes);
            return false;
        }
        logger.LogInformation("refinery {Rig}: {Branch} follows {Origin} to {Tip}", rig.Name, rig.DefaultBranch, RigRemote.Origin, theirs[..12]);
        return true;
    }

    /// <summary>
    /// With <c>push: on</c>, pushes the stack's last candidate as origin's main before the local main
    /// moves. Pushed: true. Otherwise the stack is queued again (approvals kept) and false.
    /// </summary>
    /// <param name="moved">Set when origin moved: the caller goes on with another round, which rebuilds on origin's new tip.</param>
    private bool PushLanding(Rig rig, IRigIntegration git, List<(Submission Sub, string Commit)> stack, List<RefineryOutcome> outcomes, out bool moved)
    {
        moved = false;
        if (!rig.Push) return true;
        var items = string.Join(' ', stack.Select(x => x.Sub.Item));
        PushOutcome pushed;
        try { pushed = new RigRemote(git.Path).Push(stack[^1].Commit, rig.DefaultBranch); }
        catch (Core.OrcException e) { pushed = new PushOutcome(PushResult.Refused, e.Message); }
        if (pushed.Result == PushResult.Pushed)
        {
            SetupWorked(rig, PushStep);
            runtime.Record(SourceOf(rig.Name), EventKinds.Pushed, items,
                $"pushed {stack[^1].Commit[..12]} to {RigRemote.Origin}/{rig.DefaultBranch} ({items})");
            return true;
        }
        foreach (var (s, _) in stack) Save(s with { State = SubmissionStates.Queued, Candidate = null, Onto = null }, "requeue");
        if (pushed.Result == PushResult.Moved)
        {
            moved = _moved.GetValueOrDefault(rig.Name) < MaxMovedPerPass;
            _moved[rig.Name] = _moved.GetValueOrDefault(rig.Name) + 1;
            runtime.Record(SourceOf(rig.Name), EventKinds.Waiting, items,
                $"{RigRemote.Origin}/{rig.DefaultBranch} moved while {items} was gated; rebuilding on its new tip and gating again");
            foreach (var (s, _) in stack) outcomes.Add(new RefineryOutcome(s.Item, "waiting", null, $"{RigRemote.Origin} moved; rebuilt next round"));
            return false;
        }
        SetupFailed(rig, PushStep, $"{RigRemote.Origin} refused the push of {rig.DefaultBranch}: {pushed.Message}", stack.Select(x => x.Sub.Item), outcomes);
        return false;
    }
}
