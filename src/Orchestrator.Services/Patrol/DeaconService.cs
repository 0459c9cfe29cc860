using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Processes;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Patrol;

/// <summary>
/// The deacon: the workspace's patrol. Each pass it cleans the worktrees of merged work (never a
/// dirty one, never a crew member's), removes tmux windows no agent stands behind, returns items hooked by agents that
/// no longer exist to ready, restarts refineries and witnesses whose heartbeat went stale, has
/// dogs checkpoint the dirty worktrees of dead agents to a safety ref, and compacts old events.
/// </summary>
public sealed class DeaconService(RuntimeContext runtime, LedgerService ledger, AgentService agents, ServiceLauncher launcher,
    Convoys.ConvoyService convoys, Planning.PlanService plans, Mail.MailService mail, SlingService sling,
    Witness.WitnessService witness, MayorService mayor, Refinery.ReviewerService reviewers, ILogger<DeaconService> logger)
{
    public const string Source = "deacon";

    /// <summary>Events older than this are dropped from the feed (they stay in git history).</summary>
    public TimeSpan KeepEvents { get; init; } = TimeSpan.FromDays(14);

    /// <param name="supervise">Whether to restart stale refineries and witnesses.</param>
    public List<string> Pass(bool supervise = true)
    {
        var did = new List<string>();
        var hooks = runtime.Hooks.All();
        var rigs = runtime.Rigs.All().Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var windows = runtime.Tmux.ListWindows();

        // 0. The review funnel's assistive pass (rigs with review_agent): reviewers that are done are
        // stopped and cleaned up, candidates waiting for review without one get theirs.
        try { did.AddRange(reviewers.Pass()); }
        catch (OrcException ex) { logger.LogWarning("deacon: the review step failed: {Message}", ex.Message); }
        hooks = runtime.Hooks.All();

        // 1. Worktrees of work that has landed.
        var merged = hooks.Where(h => h.State == HookStates.Completed && h.Role != Roles.Reviewer && h.Item is { } id
            && runtime.Queue(h.Rig).Find(id) is { State: SubmissionStates.Merged }).Select(h => h.Agent).ToHashSet();
        if (merged.Count > 0)
        {
            var (cleaned, refused) = agents.Cleanup(h => merged.Contains(h.Agent));
            foreach (var a in cleaned) { did.Add("cleaned " + a); runtime.Record(Source, EventKinds.Cleaned, a,
                $"removed {a}'s worktree: its work has landed"); }
            foreach (var r in refused) runtime.Record(Source, EventKinds.Flagged, null, "not cleaned: " + r);
        }

        // 2. Windows with no agent behind them (dead panes of finished or unknown agents) in the rigs' sessions.
        hooks = runtime.Hooks.All();
        var holders = hooks.Where(h => h.State != HookStates.Archived).ToDictionary(h => (h.Rig, h.Agent), h => h);
        foreach (var w in windows.Where(w => rigs.Contains(w.Session)))
        {
            holders.TryGetValue((w.Session, w.Window), out var h);
            // A dead pane of an agent that holds nothing (finished, or a crew member at rest) is closed; its worktree is not touched here.
            var orphan = h is null ? w.PaneDead : w.PaneDead && h.State is HookStates.Completed or HookStates.Idle;
            if (!orphan) continue;
            runtime.Tmux.KillWindow(w.Session, w.Window);
            did.Add($"closed window {w.Session}:{w.Window}");
            runtime.Record(Source, EventKinds.Cleaned, w.Window, $"closed the dead window {w.Session}:{w.Window} (no agent holds work there)");
        }

        // 3. Items hooked by agents that no longer exist go back to ready.
        var live = hooks.Where(h => h.HoldsWork || h.State == HookStates.Completed).Select(h => h.Agent).ToHashSet(StringComparer.Ordinal);
        var orphans = ledger.ReadSummary().Items.Where(i => i.Status == Statuses.Hooked
            && (i.Assignee is null || !live.Contains(i.Assignee))).Select(i => (i.Id, i.Assignee)).ToList();
        if (orphans.Count > 0)
        {
            ledger.Transact("deacon release", t =>
            {
                // Re-read under the lock: a sling since the snapshot may have hooked one of these.
                var holdersNow = runtime.Hooks.All().Where(h => h.HoldsWork
                    || h.State == HookStates.Completed).Select(h => h.Agent).ToHashSet(StringComparer.Ordinal);
                foreach (var (id, who) in orphans)
                {
                    var item = t.Items.Ledger.Find(id);
                    if (item?.Assignee is { } holder && holdersNow.Contains(holder)) continue;
                    if (item is not { Status: Statuses.Hooked } || (item.Assignee is { } a && live.Contains(a))) continue;
                    t.Items.Update(id, new UpdateItemRequest { Status = Statuses.Open, Assignee = "" });
                    t.Items.AddComment(id,
                        $"the deacon returned this to ready: it was hooked by {TerminalText.Line(who ?? "nobody")}, who has no hook any more");
                }
                return 0;
            });
            foreach (var (id, who) in orphans) { did.Add("released " + id); runtime.Record(Source, EventKinds.Released, id,
                $"{id} was hooked by {TerminalText.Line(who ?? "nobody")}, who no longer exists; back to ready"); }
        }

        // 4. Refineries and witnesses whose heartbeat went stale.
        if (supervise)
            did.AddRange(launcher.EnsureAll(Source, s => s.Supervisor == Source));

        // 4b. Items queued for a free polecat slot: slung, oldest first, while their rig has room;
        // then the next waves of launched convoys (whether or not an 'orc convoy launch' still runs).
        did.AddRange(Dispatch());
        did.AddRange(convoys.Advance());

        // 5. Dirty worktrees of dead agents: a dog commits them to a safety ref.
        var liveWindows = windows.Where(w => !w.PaneDead).Select(w => (w.Session, w.Window)).ToHashSet();
        foreach (var h in hooks.Where(h => h.HoldsWork && !liveWindows.Contains((h.Rig, h.Agent)) && Directory.Exists(h.Worktree)))
        {
            if (RigRepository.Uncommitted(h.Worktree).Count == 0) continue;
            var report = Dog(["dog", "checkpoint", h.Agent]);
            did.Add($"checkpoint {h.Agent}: {report}");
        }

        // 6. Convoys whose items are all closed land; overlaps between branches in flight are told to the overseer.
        foreach (var c in convoys.CheckLanded()) did.Add("convoy landed: " + c.Name);
        foreach (var o in plans.NewOverlaps())
        {
            did.Add($"overlap {o.A} × {o.B}");
            try
            {
                mail.Send(Source, mail.Supervisors(), $"{o.A} and {o.B} changed the same files",
                    $"The branches of {o.A} and {o.B} both changed:\n{string.Join("\n", o.Files.Take(20).Select(f => "  " + f))}\n\n" +
                    (o.Predicted ? "The plan predicted this conflict." : "The plan did NOT predict this: the items' declared files do not cover it.") +
                    "\nOne of them will conflict in the merge queue. Decide now: let one land first and return the other, or tell one agent to leave those files alone.\nSee 'orc plan " + o.A + " " + o.B + "'.",
                    TimeSpan.Zero, item: o.A);
            }
            catch (OrcException ex) { logger.LogWarning("deacon: overlap mail failed: {Message}", ex.Message); }
        }

        // 6b. The workspace's own agent, the mayor, watched as a rig's witness watches its agents;
        // then the mail that came while it was busy, now that it is idle.
        try
        {
            if (witness.PassMayor(mayor) is { Action: { } action } o) did.Add($"{o.Agent}: {o.State}, {action}");
        }
        catch (OrcException ex) { logger.LogWarning("deacon: watching the mayor failed: {Message}", ex.Message); }
        foreach (var a in mail.DeliverPending(ServiceLauncher.Session)) did.Add("told " + a + " about mail");

        // 7. Old events.
        var dropped = runtime.Events.Compact(Timestamps.Format(runtime.Workspace.Now - KeepEvents));
        if (dropped > 0) did.Add($"compacted {dropped} old events");
        ledger.Transact("deacon", t => { t.Touched(runtime.Workspace.Paths.EventsFile); return 0; });
        return did;
    }

    /// <summary>
    /// Slings the items queued over capacity (<c>dispatch/</c>), oldest first per rig, until the
    /// rig is full again. An entry that can no longer go (its item closed, hooked by hand, its rig
    /// gone) is dropped, with the reason in the feed.
    /// </summary>
    public List<string> Dispatch()
    {
        var did = new List<string>();
        var full = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in runtime.Dispatch.All().OrderBy(e => e.QueuedAt, StringComparer.Ordinal).ThenBy(e => e.Item, StringComparer.Ordinal))
        {
            if (full.Contains(e.Rig)) continue;
            try
            {
                var h = sling.Sling(new SlingService.Request(e.Item, e.Rig, e.Agent, e.Profile));
                did.Add($"slung queued {e.Item} to {h.Agent}");
            }
            catch (AtCapacityException) { full.Add(e.Rig); }
            catch (OrcException ex)
            {
                ledger.Transact("dispatch drop", t => { t.Touched(runtime.Dispatch.Delete(e.Item), e.Item); return 0; });
                runtime.Record(Source, EventKinds.Released, e.Item, $"dropped {e.Item} from the dispatch queue: {TerminalText.Line(ex.Message)}");
                did.Add($"dropped queued {e.Item}");
            }
        }
        return did;
    }

    /// <summary>Runs a dog (a short-lived orc process for one task) and returns its report (its last line of output).</summary>
    private string Dog(string[] args)
    {
        var argv = runtime.SelfArgv.Concat(args).ToList();
        try
        {
            var r = ChildProcess.Run(argv, runtime.Workspace.Paths.Root, new Dictionary<string, string?> { ["ORC_WORKSPACE"] = runtime.Workspace.Paths.Root },
                DogTimeout);
            if (r.TimedOut)
            {
                logger.LogWarning("dog {Args} did not finish within {Minutes} min", string.Join(' ', args), DogTimeout.TotalMinutes);
                return $"failed: did not finish within {DogTimeout.TotalMinutes:0} min";
            }
            var text = (r.Out + r.Err).Trim().Split('\n').LastOrDefault() ?? "";
            return r.ExitCode == 0 ? text : $"failed (exit {r.ExitCode}): {text}";
        }
        catch (ProgramNotFoundException ex)
        {
            logger.LogWarning(ex, "dog {Args} failed", string.Join(' ', args));
            return "failed: " + ex.Message;
        }
    }

    private static readonly TimeSpan DogTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The checkpoint dog: commits everything in a dead agent's worktree (tracked changes and new
    /// files) to <c>refs/orc/checkpoints/AGENT</c> in the rig's repository (<see cref="WorktreeCheckpoint"/>),
    /// so the worktree, its index and its branch are left exactly as they were.
    /// </summary>
    public string Checkpoint(string agent)
    {
        var h = agents.Get(agent);
        if (!Directory.Exists(h.Worktree)) throw new OrcException($"{agent}: its worktree {h.Worktree} is gone");
        var index = Path.Combine(runtime.Workspace.Paths.TmpDir, $"checkpoint-{agent}-{Environment.ProcessId}.index");
        Directory.CreateDirectory(runtime.Workspace.Paths.TmpDir);
        try
        {
            var refName = $"refs/orc/checkpoints/{agent}";
            var commit = WorktreeCheckpoint.Save(h.Worktree, refName,
                $"checkpoint of {agent}'s uncommitted work on {h.Item} ({Timestamps.Format(runtime.Workspace.Now)})",
                index, ("orc deacon", "deacon@orc.local"));
            runtime.Record(Source, EventKinds.Checkpoint, agent, $"saved {agent}'s uncommitted work to {refName} ({commit[..12]})");
            return $"saved to {refName} at {commit[..12]}";
        }
        finally
        {
            try { File.Delete(index); } catch (IOException) { }
        }
    }
}
