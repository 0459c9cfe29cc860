using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Items;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>One agent as <c>orc agents</c> shows it: its hook and what its tmux window shows now.</summary>
public sealed record AgentView(Hook Hook, string State, long? LastActivityUnix, bool WindowAlive, int? ExitStatus = null);

/// <summary>The user's verbs on agents: list, nudge, peek, kill, resume, up, down, cleanup.</summary>
public sealed class AgentService(RuntimeContext runtime, LedgerService ledger, SlingService sling)
{
    public List<AgentView> List()
    {
        // Windows first, hooks second: an agent completes its hook before it exits, so a dead pane
        // is always seen together with the hook state it left behind.
        if (!runtime.Hooks.All().Any(h => h.State != HookStates.Archived)) return [];
        var windows = TmuxServer.ByTarget(runtime.Tmux.ListWindows());
        var hooks = runtime.Hooks.All().Where(h => h.State != HookStates.Archived).ToList();
        var views = new List<AgentView>();
        IReadOnlyList<Core.Rigs.Rig> rigs;
        try { rigs = runtime.Rigs.All(); } catch (OrcException) { rigs = []; } // a broken rig file: the default stuck time
        var now = runtime.Workspace.Now;
        foreach (var h in hooks)
        {
            windows.TryGetValue((h.Rig, h.Agent), out var w);
            views.Add(new AgentView(h, AgentLook.StateOf(runtime, h, w, rigs, now), w?.ActivityUnix, w is { PaneDead: false },
                w is { PaneDead: true } ? w.ExitStatus : null));
        }
        return views;
    }

    public Hook Get(string agent) =>
        runtime.Hooks.Find(Names.Validate(agent, "agent")) ?? throw new OrcException($"no agent '{agent}' (see 'orc agents')", ExitCodes.NotFound);

    /// <summary>Types a message into an agent's pane as literal text (control characters made visible), then Enter.</summary>
    public bool Nudge(string agent, string text)
    {
        var h = Get(agent);
        if (string.IsNullOrWhiteSpace(text)) throw new OrcException("nudge: the message is empty", ExitCodes.Usage);
        if (text.Length > 4000) throw new OrcException($"nudge: the message is {text.Length:N0} characters; the limit is 4,000", ExitCodes.Usage);
        return runtime.Tmux.SendText(h.Rig, h.Agent, TerminalText.Line(text));
    }

    /// <summary>The last lines of an agent's pane, safe to print.</summary>
    public string Peek(string agent, int lines)
    {
        var h = Get(agent);
        var text = TerminalText.Block(runtime.Tmux.CapturePane(h.Rig, h.Agent, Math.Clamp(lines, 1, 2000)));
        // An empty screen below the output is noise: keep one blank line of any run.
        var kept = new List<string>();
        foreach (var line in text.Split('\n'))
            if (line.Trim().Length > 0 || (kept.Count > 0 && kept[^1].Trim().Length > 0)) kept.Add(line.TrimEnd());
        return string.Join('\n', kept).Trim('\n');
    }

    /// <summary>Stops an agent; its worktree and hook stay (suspended) for <c>orc resume</c>.</summary>
    public Hook Kill(string agent)
    {
        var h = Get(agent);
        runtime.Tmux.KillWindow(h.Rig, h.Agent);
        return h.State == HookStates.Active ? Move(h, HookStates.Suspended, HookReasons.Killed) : h;
    }

    /// <summary>
    /// <c>orc unsling ITEM|AGENT</c>: takes work back from an agent. Its window is stopped, the item
    /// goes back to ready, and the hook ends (a crew member is free for the next item). The worktree
    /// and branch stay, unless <paramref name="removeWorktree"/>: then the worktree goes (the branch
    /// and its commits stay) and the polecat is gone for good; uncommitted changes are refused
    /// unless <paramref name="force"/>, which names what is lost.
    /// </summary>
    public string Unsling(string target, bool removeWorktree, bool force)
    {
        var hooks = runtime.Hooks.All().Where(x => x.State != HookStates.Archived).ToList();
        var h = hooks.FirstOrDefault(x => x.Agent == target) ?? hooks.FirstOrDefault(x => x.Item == target && x.HoldsWork)
            ?? throw new OrcException($"no agent, and no item held by an agent, named '{TerminalText.Line(target)}' (see 'orc agents')", ExitCodes.NotFound);
        if (h.Role == Roles.Mayor) throw new OrcException("the mayor is stopped with 'orc mayor stop', not unslung");
        if (!h.HoldsWork && !(removeWorktree && h.State == HookStates.Completed && h.Role == Roles.Polecat))
            throw new OrcException($"agent {h.Agent} holds no work (its hook is {h.State})");
        var dirty = Directory.Exists(h.Worktree) ? RigRepository.Uncommitted(h.Worktree) : [];
        if (removeWorktree && dirty.Count > 0 && !force)
            throw new OrcException($"{h.Agent}'s worktree has uncommitted changes ({string.Join(", ", dirty.Take(8).Select(TerminalText.Line))}{(dirty.Count > 8 ? $" and {dirty.Count - 8} more" : "")}); commit them, keep the worktree (no --remove-worktree), or --force to lose them");
        var commits = Directory.Exists(h.Worktree) ? RigRepository.CommitsSince(h.Worktree, h.BaseCommit).Count : 0;
        runtime.Tmux.KillWindow(h.Rig, h.Agent);
        var actor = runtime.Workspace.Actor;
        ledger.Transact("unsling", t =>
        {
            var current = runtime.Hooks.Find(h.Agent) ?? h;
            if (current.Item is { } id && t.Items.Ledger.Find(id) is { IsClosed: false } item && item.Assignee == h.Agent)
            {
                t.Items.Update(id, new UpdateItemRequest { Status = Statuses.Open, Assignee = "" });
                t.Items.AddComment(id, $"{TerminalText.Line(actor)} took this back from {h.Agent} (orc unsling); " +
                    (commits > 0 ? $"its branch {current.Branch} keeps {Plural.Of(commits, "commit")}" : "it had committed nothing"));
            }
            var next = current.Role == Roles.Crew ? current.Unhooked(Now, "unslung")
                : current.MoveTo(removeWorktree ? HookStates.Archived : HookStates.Completed, Now, removeWorktree ? "unslung, worktree removed" : "unslung");
            t.Touched(runtime.Hooks.Write(h.Agent, next), h.Agent);
            return 0;
        });
        // Its folder may be gone already (deleted by hand): git's record of it goes then too.
        if (removeWorktree && h.Role != Roles.Crew && RigRepository.IsRepository(runtime.Workspace.Paths.RigDir(h.Rig)))
            new RigRepository(runtime.Workspace.Paths.RigDir(h.Rig)).RemoveWorktree(h.Agent, h.Worktree, deleteBranch: null);
        runtime.Record(actor, Core.Events.EventKinds.Released, h.Item ?? h.Agent,
            $"{actor} unslung {h.Item} from {h.Agent}{(removeWorktree ? "; its worktree was removed" : "")}");
        var lost = removeWorktree && dirty.Count > 0 ? $"; lost uncommitted changes in {string.Join(", ", dirty.Take(8).Select(TerminalText.Line))}" : "";
        return $"took {h.Item} back from {h.Agent}: the item is ready again" +
            (commits > 0 ? $"; branch {h.Branch} keeps its {Plural.Of(commits, "commit")}" : "") +
            (removeWorktree && h.Role != Roles.Crew ? $"; {h.Agent}'s worktree is removed" : $"; the worktree {h.Worktree} is kept") + lost;
    }

    /// <summary>Restarts an agent that holds a hook but has no live window, in its worktree.</summary>
    public Hook Resume(string agent)
    {
        var h = Get(agent);
        if (!h.HoldsWork) throw new OrcException($"agent {h.Agent} holds no work (its hook is {h.State})");
        var w = runtime.Tmux.FindWindow(h.Rig, h.Agent);
        if (w is { PaneDead: false }) throw new OrcException($"agent {h.Agent} is already running");
        if (!Directory.Exists(h.Worktree)) throw new OrcException($"agent {h.Agent}: its worktree {h.Worktree} is gone; cannot resume");
        if (HookRules.WhyNotRestart(h, h.Item is { } id ? ledger.Read().Find(id) : null) is { } why)
            throw new OrcException($"agent {h.Agent} is not resumed: {TerminalText.Line(why)}; its worktree is kept ('orc cleanup' removes it once merged)");
        var rig = runtime.Rigs.Get(h.Rig);
        // A suspended polecat holds no slot: it takes one again, under the lock, before it starts.
        var before = h.State;
        var next = ledger.Transact("resume", t =>
        {
            var current = runtime.Hooks.Find(h.Agent)!;
            if (current.Role == Roles.Polecat && current.State != HookStates.Active && sling.Busy(runtime.Hooks.All(), rig.Name) >= rig.MaxPolecats)
                throw new AtCapacityException($"agent {h.Agent} is not resumed: rig {rig.Name} has no free polecat slot (max_polecats {rig.MaxPolecats}); try again when one finishes");
            var moved = current.MoveTo(HookStates.Active, Now,
                current.State == HookStates.Active ? HookReasons.Restarted : "resumed") with { Restarts = current.Restarts + 1 };
            t.Touched(runtime.Hooks.Write(h.Agent, moved), h.Agent);
            return moved;
        }).Value;
        try { sling.Start(next, runtime.Profiles.Get(h.Profile), rig, firstStart: false); }
        catch
        {
            // Not started: the hook goes back to how it was (its slot is free again).
            if (before != HookStates.Active)
                ledger.Transact("resume undo", t => { t.Touched(runtime.Hooks.Write(h.Agent, next.MoveTo(before, Now, "resume failed")), h.Agent); return 0; });
            throw;
        }
        return next;
    }

    /// <summary>
    /// Brings back every agent that holds a hook but has no live window, except those the user
    /// stopped with <c>orc kill</c> and those whose item is closed or no longer theirs (listed in
    /// <paramref name="left"/> with the reason). Returns those restarted.
    /// </summary>
    public List<Hook> Up(List<string>? left = null)
    {
        var windows = runtime.Tmux.ListWindows().Where(w => !w.PaneDead).Select(w => (w.Session, w.Window)).ToHashSet();
        var items = ledger.Read();
        var restarted = new List<Hook>();
        foreach (var h in runtime.Hooks.All().Where(h => h.HoldsWork && !windows.Contains((h.Rig, h.Agent))))
        {
            if (h.Role == Roles.Reviewer) continue; // a reviewer is not resumed: the deacon notes its pass did not finish and cleans it up
            if (HookRules.KilledByUser(h)) { left?.Add($"{h.Agent}: stopped with 'orc kill' ('orc resume {h.Agent}' starts it)"); continue; }
            if (HookRules.Escalated(h)) { left?.Add($"{h.Agent}: waits for a person (escalated: {TerminalText.Line(h.Note ?? "")}; 'orc resume {h.Agent}' when it can go on)"); continue; }
            if (HookRules.WhyNotRestart(h, h.Item is { } id ? items.Find(id) : null) is { } why) { left?.Add($"{h.Agent}: {why}"); continue; }
            try { restarted.Add(Resume(h.Agent)); }
            catch (AtCapacityException ex) { left?.Add($"{h.Agent}: {ex.Message}"); }
        }
        return restarted;
    }

    /// <summary>How long <see cref="Down"/> waits for the windows' processes to end once hung up on.</summary>
    public static readonly TimeSpan DownWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Stops the workspace's tmux server (only its own) and its agents; active hooks are suspended
    /// (work kept). Then waits (at most <see cref="DownWait"/>) for the windows' processes to end:
    /// hung up on, services finish their pass and write a last heartbeat or commit, so that once
    /// this returns nothing of theirs writes in the workspace any more ('orc down &amp;&amp; rm -rf DIR').
    /// Returns how many windows ran. With <paramref name="force"/> the server is not asked (one
    /// that is stopped or hung cannot answer): its process is killed; the count is then null.
    /// </summary>
    public (int? Windows, List<int> Killed) Down(bool force = false)
    {
        int? running = null;
        List<int> killed = [];
        List<int> pids = [];
        if (force) killed = runtime.Tmux.KillServerProcess();
        else
        {
            var windows = runtime.Tmux.ListWindows();
            running = windows.Count;
            pids = [.. windows.Where(w => !w.PaneDead && w.PanePid > 0).Select(w => w.PanePid)];
            runtime.Tmux.KillServer();
        }
        foreach (var h in runtime.Hooks.All().Where(h => h.State == HookStates.Active))
            Move(h, HookStates.Suspended, force ? "orc down --force" : "orc down");
        var deadline = DateTime.UtcNow + DownWait;
        foreach (var pid in pids)
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                var left = deadline - DateTime.UtcNow;
                if (left > TimeSpan.Zero) p.WaitForExit(left);
            }
            catch (ArgumentException) { } // already gone
            catch (InvalidOperationException) { }
        }
        return (running, killed);
    }

    /// <summary>
    /// Removes the worktrees of completed hooks; refuses dirty ones. Returns (cleaned, refused with reason).
    /// A crew member's (or the mayor's) worktree is never removed here: it outlives its items
    /// (only 'orc crew remove' removes it).
    /// </summary>
    public (List<string> Cleaned, List<string> Refused) Cleanup(Func<Hook, bool>? which = null)
    {
        var cleaned = new List<string>();
        var refused = new List<string>();
        foreach (var h in runtime.Hooks.All().Where(h => h.State == HookStates.Completed && !Roles.IsPersistent(h.Role) && (which is null || which(h))))
        {
            if (runtime.Tmux.FindWindow(h.Rig, h.Agent) is { PaneDead: false }) { refused.Add($"{h.Agent}: still running"); continue; }
            if (!runtime.Rigs.Exists(h.Rig))
            {
                // Left by an orc whose 'rig remove' did not end its rig's hooks: nothing can work on it again.
                // Without the rig's repository git cannot tell what its folder holds, so the folder stays for a person.
                Move(h, HookStates.Archived, $"cleaned up: rig {h.Rig} no longer exists");
                if (Directory.Exists(h.Worktree)) refused.Add($"{h.Worktree}: its hook is ended (rig {h.Rig} no longer exists), but git cannot tell what the folder holds; look, then remove it");
                else cleaned.Add(h.Agent);
                continue;
            }
            if (Directory.Exists(h.Worktree))
            {
                var dirty = RigRepository.Uncommitted(h.Worktree);
                if (dirty.Count > 0) { refused.Add($"{h.Agent}: uncommitted changes in {h.Worktree} ({string.Join(", ", dirty.Take(5).Select(TerminalText.Line))})"); continue; }
                // The branch goes too once its work has landed (the squash is on main); otherwise it stays with its commits.
                var landed = h.Item is { } id && runtime.Queue(h.Rig).Find(id) is { State: Core.Merging.SubmissionStates.Merged } s && s.Branch == h.Branch;
                new RigRepository(runtime.Workspace.Paths.RigDir(h.Rig)).RemoveWorktree(h.Agent, h.Worktree, deleteBranch: landed ? h.Branch : null);
            }
            else if (RigRepository.IsRepository(runtime.Workspace.Paths.RigDir(h.Rig)))
                // deleted by hand: git's record of it goes too
                new RigRepository(runtime.Workspace.Paths.RigDir(h.Rig)).RemoveWorktree(h.Agent, h.Worktree, deleteBranch: null);
            runtime.Tmux.KillWindow(h.Rig, h.Agent);
            Move(h, HookStates.Archived, "cleaned up");
            cleaned.Add(h.Agent);
        }
        return (cleaned, refused);
    }

    private string Now => Timestamps.Format(runtime.Workspace.Now);

    private Hook Move(Hook h, string state, string why) =>
        ledger.Transact(why, t =>
        {
            var next = (runtime.Hooks.Find(h.Agent) ?? h).MoveTo(state, Now, why);
            t.Touched(runtime.Hooks.Write(h.Agent, next), h.Agent);
            return next;
        }).Value;
}
