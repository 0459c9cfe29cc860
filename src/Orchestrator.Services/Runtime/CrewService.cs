using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>
/// Crew: named, persistent workers of a rig. Each has one worktree (worktrees/RIG/NAME) that
/// outlives its work items, a hook that rests idle between items, and a tmux window in the rig's
/// session like a polecat's. Work is given to it like to a polecat (<see cref="Assign"/>): a fresh
/// branch from the rig's default branch, checked out in the same worktree; <c>orc done</c> submits
/// it to the merge queue, and once it lands the crew member is free for the next item. Nothing
/// but <see cref="Remove"/> removes its worktree, and that refuses uncommitted work.
/// </summary>
public sealed class CrewService(RuntimeContext runtime, LedgerService ledger, SlingService sling, AgentService agents, ILogger<CrewService> logger)
{
    /// <summary>
    /// The branch a crew member's worktree rests on before its first item: crew/NAME/home (beside
    /// its items' branches crew/NAME/ITEM; an item id always has a '-', so none is called home).
    /// </summary>
    public static string RestingBranch(string name) => $"crew/{name}/home";

    /// <summary>The branch of one item worked by a crew member.</summary>
    public static string ItemBranch(string name, string item) => $"crew/{name}/{item}";

    /// <summary>An agent name (see <see cref="Names"/>) that is not a mailbox of its own (overseer, mayor).</summary>
    public static string ValidateName(string? name, string what)
    {
        var n = Names.Validate(name, what);
        if (n is MailRules.Overseer or MailRules.Mayor)
            throw new OrcException($"{what}: '{n}' is reserved (it is a mailbox of its own); choose another name", ExitCodes.Usage);
        return n;
    }

    public sealed record AddRequest(string Name, string Rig, string? Profile);

    /// <summary>Adds a crew member: its worktree on branch crew/NAME/home at the tip of the rig's default branch, and its idle hook, committed.</summary>
    public Hook Add(AddRequest r)
    {
        var name = ValidateName(r.Name, "NAME");
        var rig = runtime.Rigs.Get(Names.Validate(r.Rig, "--rig"));
        var profile = runtime.Profiles.Get(r.Profile ?? rig.Profile ?? runtime.Workspace.Config.DefaultProfile ?? "sim");
        if (runtime.Hooks.Find(name) is { State: not HookStates.Archived } existing) throw Taken(name, existing);
        var paths = runtime.Workspace.Paths;
        var worktree = paths.Worktree(rig.Name, name);
        if (Directory.Exists(worktree) || File.Exists(worktree)) throw new OrcException($"{worktree} already exists; remove it or choose another name");
        var branch = RestingBranch(name);
        var repo = new RigRepository(paths.RigDir(rig.Name));
        if (repo.BranchExists(branch) && !repo.IsMerged(branch, rig.DefaultBranch))
            throw new OrcException($"rig {rig.Name} has a branch {branch} with commits not on {rig.DefaultBranch} (left by an earlier crew member?); merge or delete it, or choose another name");
        var now = Timestamps.Format(runtime.Workspace.Now);
        var made = false;
        try
        {
            var hook = ledger.Transact("crew add", t =>
            {
                if (runtime.Hooks.Find(name) is { State: not HookStates.Archived } other) throw Taken(name, other);
                var tip = repo.TipOf(rig.DefaultBranch);
                repo.SetBranch(branch, tip, overwrite: true); // an old resting branch is merged (checked above): nothing is lost
                made = true;
                repo.AddWorktree(name, branch, tip, worktree);
                var h = new Hook
                {
                    Agent = name, Rig = rig.Name, Role = Roles.Crew, Branch = branch, Worktree = worktree, BaseCommit = tip,
                    Profile = profile.Name, State = HookStates.Idle, CreatedAt = now,
                    History = [new HookEvent(now, "", HookStates.Idle, $"crew member added by {runtime.Workspace.Actor}")],
                };
                t.Touched(runtime.Hooks.Write(name, h), name);
                runtime.Record(runtime.Workspace.Actor, EventKinds.Added, name,
                    $"crew member {name} added to rig {rig.Name} ({profile.Name}), worktree {paths.Relative(worktree)}");
                return h;
            }).Value;
            return hook;
        }
        catch
        {
            if (made)
            {
                try { repo.RemoveWorktree(name, worktree, deleteBranch: branch); }
                catch (Exception e) when (e is OrcException or IOException or LibGit2Sharp.LibGit2SharpException) { logger.LogWarning(e,
                    "crew add undo: worktree"); }
            }
            throw;
        }
    }

    private static OrcException Taken(string name, Hook existing) =>
        existing.Role == Roles.Crew
            ? new OrcException($"crew {name} exists already (rig {existing.Rig}; see 'orc crew list')")
            : new OrcException($"'{name}' is the name of a {existing.Role} now ({existing.Item ?? "no item"}); choose another name");

    /// <summary>Every crew member, with what its window shows.</summary>
    public List<AgentView> List() => agents.List().Where(v => v.Hook.Role == Roles.Crew).ToList();

    /// <summary>A crew member's hook, or a clear error for a bad or unknown name.</summary>
    public Hook Get(string name)
    {
        var n = Names.Validate(name, "NAME");
        if (runtime.Hooks.Find(n) is { Role: Roles.Crew, State: not HookStates.Archived } h) return h;
        var crew = runtime.Hooks.All().Where(x => x.Role == Roles.Crew && x.State != HookStates.Archived).Select(x => x.Agent).ToList();
        throw new OrcException($"no crew member '{n}' (crew: {(crew.Count == 0 ? "none" : string.Join(", ", crew))}; add one with 'orc crew add {n} --rig RIG')", ExitCodes.NotFound);
    }

    /// <summary>A crew member's hook when its agent runs (its window is alive); an error saying how to start it otherwise.</summary>
    public Hook Running(string name)
    {
        var h = Get(name);
        if (runtime.Tmux.FindWindow(h.Rig,
            h.Agent) is not { PaneDead: false }) throw new OrcException($"crew {h.Agent} is not running (start it with 'orc crew start {h.Agent}')");
        return h;
    }

    /// <summary>
    /// Starts a crew member's agent in its window (in its worktree). Already running: nothing
    /// changes (false). Holding a suspended item: resumed on it.
    /// </summary>
    public (Hook Hook, bool Started) Start(string name)
    {
        TmuxServer.CheckVersion();
        var h = Get(name);
        var profile = Startable(h.Profile);
        if (!Directory.Exists(h.Worktree)) throw new OrcException($"crew {h.Agent}: its worktree {h.Worktree} is gone; remove the crew member and add it again");
        using var gate = runtime.StartGate(h.Agent);
        if (runtime.Tmux.FindWindow(h.Rig, h.Agent) is { PaneDead: false }) return (h, false);
        h = Get(name);
        if (h.HoldsWork) return (agents.Resume(h.Agent), true);
        sling.Start(h, profile, runtime.Rigs.Get(h.Rig), firstStart: true);
        runtime.Record(runtime.Workspace.Actor, EventKinds.Started, h.Agent, $"crew member {h.Agent} started on rig {h.Rig} ({profile.Name})");
        return (h, true);
    }

    /// <summary>Stops a crew member's agent; its worktree and hook stay (an item it holds is suspended). False when it was not running.</summary>
    public (Hook Hook, bool Stopped) Stop(string name)
    {
        var h = Get(name);
        var running = runtime.Tmux.FindWindow(h.Rig, h.Agent) is { PaneDead: false };
        var after = agents.Kill(h.Agent);
        if (running) runtime.Record(runtime.Workspace.Actor, EventKinds.Stopped, h.Agent, $"crew member {h.Agent} stopped by {runtime.Workspace.Actor}");
        return (after, running);
    }

    /// <summary>
    /// Gives up the item a crew member holds (it goes back to ready if it was still hooked); the
    /// crew member is idle again, its worktree as it is. Returns the item; null when it held nothing.
    /// </summary>
    public string? Release(string name)
    {
        var h = Get(name);
        if (h.State == HookStates.Idle) return null;
        var item = h.Item;
        ledger.Transact("crew release", t =>
        {
            var current = runtime.Hooks.Find(h.Agent) ?? h;
            if (current.State == HookStates.Idle) return 0;
            if (current.Item is { } id && t.Items.Ledger.Find(id) is { Status: Statuses.Hooked } it && it.Assignee == current.Agent)
            {
                t.Items.Update(id, new UpdateItemRequest { Status = Statuses.Open, Assignee = "" });
                t.Items.AddComment(id,
                    $"crew member {current.Agent} was released from this by {runtime.Workspace.Actor}; back to ready (its branch {current.Branch} is kept)");
            }
            t.Touched(runtime.Hooks.Write(current.Agent, current.Unhooked(Timestamps.Format(runtime.Workspace.Now), $"released by {runtime.Workspace.Actor}")),
                current.Agent);
            runtime.Record(runtime.Workspace.Actor, EventKinds.Released, current.Item, $"crew member {current.Agent} released from {current.Item}");
            return 0;
        });
        return item;
    }

    /// <summary>
    /// Removes a crew member: its worktree (refused while it holds work, runs, or has uncommitted
    /// changes, which are listed), its resting branch when merged, and its hook (archived). The
    /// branches of its items stay, as polecats' do.
    /// </summary>
    public Hook Remove(string name)
    {
        var h = Get(name);
        Removable(h);
        var repo = new RigRepository(runtime.Workspace.Paths.RigDir(h.Rig));
        var archived = ledger.Transact("crew remove", t =>
        {
            var current = Get(name);
            Removable(current); // again under the lock: work may have been given to it since
            repo.RemoveWorktree(current.Agent, current.Worktree, deleteBranch: null);
            try { runtime.Tmux.KillWindow(current.Rig, current.Agent); } catch (OrcException) { } // a dead pane
            var next = current.MoveTo(HookStates.Archived, Timestamps.Format(runtime.Workspace.Now), $"crew member removed by {runtime.Workspace.Actor}");
            t.Touched(runtime.Hooks.Write(current.Agent, next), current.Agent);
            runtime.Record(runtime.Workspace.Actor, EventKinds.Removed, current.Agent,
                $"crew member {current.Agent} removed from rig {current.Rig}; its worktree is gone, its branches are kept");
            return next;
        }).Value;
        var rig = runtime.Rigs.Find(h.Rig);
        var resting = RestingBranch(h.Agent);
        try
        {
            if (rig is not null && repo.IsMerged(resting, rig.DefaultBranch)) repo.DeleteBranch(resting);
        }
        catch (OrcException e) { logger.LogWarning("crew remove {Name}: {Message}", h.Agent, e.Message); }
        return archived;
    }

    private void Removable(Hook h)
    {
        if (h.HoldsWork) throw new OrcException($"crew {h.Agent} holds {h.Item} (hook {h.State}); let it finish ('orc done') or release it first ('orc crew release {h.Agent}')");
        if (runtime.Tmux.FindWindow(h.Rig,
            h.Agent) is { PaneDead: false }) throw new OrcException($"crew {h.Agent} is running; stop it first ('orc crew stop {h.Agent}')");
        if (!Directory.Exists(h.Worktree)) return;
        var dirty = RigRepository.Uncommitted(h.Worktree);
        if (dirty.Count > 0)
            throw new OrcException($"crew {h.Agent} not removed: uncommitted changes in {h.Worktree}: {string.Join(", ", dirty.Take(8).Select(TerminalText.Line))}" +
                $"{(dirty.Count > 8 ? $" and {dirty.Count - 8} more" : "")}; commit them (or remove them) first");
    }

    /// <summary>
    /// Hooks a work item onto a crew member, like a polecat: a fresh branch crew/NAME/ITEM from the
    /// tip of the rig's default branch is checked out in the crew member's own worktree (refused if
    /// that has uncommitted changes, or while the crew member holds another item), the hook holds
    /// the item, and the agent is told: started in its window, or, when it is running, given the
    /// prompt at its pane. If anything fails, the worktree, hook and item are put back as they were.
    /// </summary>
    public Hook Assign(string itemId, string crewName, string? rigName = null, string? profileName = null)
    {
        TmuxServer.CheckVersion();
        var crew = Get(crewName);
        var rig = runtime.Rigs.Get(crew.Rig);
        if (rigName is not null && Names.Validate(rigName, "--rig") != rig.Name)
            throw new OrcException($"--rig {rigName}: crew {crew.Agent} works on rig {rig.Name}", ExitCodes.Usage);
        if (profileName is not null && profileName != crew.Profile)
            throw new OrcException($"--profile {TerminalText.Line(profileName)}: crew {crew.Agent} runs profile {crew.Profile} (chosen at 'orc crew add')",
                ExitCodes.Usage);
        var profile = Startable(crew.Profile);
        var item = ledger.Read().Get(itemId);
        if (item.Status is Statuses.Hooked) throw new OrcException($"{item.Id} is already hooked by {TerminalText.Line(item.Assignee ?? "an agent")}");
        if (item.IsClosed) throw new OrcException($"{item.Id} is {item.Status}; reopen it first");
        if (item.IssueType == IssueTypes.Epic) throw new OrcException($"{item.Id} is an epic; sling its children instead");
        if (runtime.Rigs.All().FirstOrDefault(x => item.Id.StartsWith(x.Prefix + "-", StringComparison.Ordinal)) is { } owner && owner.Name != rig.Name)
            throw new OrcException($"{item.Id} belongs to rig {owner.Name}; crew {crew.Agent} works on rig {rig.Name}");
        if (Holding(crew) is { } holding) throw new OrcException($"crew {crew.Agent} {holding}");
        if (!Directory.Exists(crew.Worktree)) throw new OrcException($"crew {crew.Agent}: its worktree {crew.Worktree} is gone; remove the crew member and add it again");
        Clean(crew);

        var repo = new RigRepository(runtime.Workspace.Paths.RigDir(rig.Name));
        var branch = ItemBranch(crew.Agent, item.Id);
        var previous = RigRepository.BranchOf(crew.Worktree);
        var created = false;
        var switched = false;
        var now = Timestamps.Format(runtime.Workspace.Now);
        Hook hook;
        try
        {
            hook = ledger.Transact("sling", t =>
            {
                var current = Get(crew.Agent);
                if (Holding(current) is { } h) throw new OrcException($"crew {current.Agent} {h}");
                var it = t.Items.Ledger.Get(item.Id);
                if (it.Status == Statuses.Hooked) throw new OrcException($"{item.Id} was just hooked by {TerminalText.Line(it.Assignee ?? "another agent")}");
                Clean(current);
                var baseCommit = repo.TipOf(rig.DefaultBranch);
                if (!repo.BranchExists(branch)) { repo.SetBranch(branch, baseCommit, overwrite: false); created = true; }
                RigRepository.Checkout(current.Worktree, branch);
                switched = true;
                var rested = current.State == HookStates.Idle ? current : current.Unhooked(now, $"{current.Item} landed");
                var next = rested.MoveTo(HookStates.Active, now, $"slung {item.Id}") with
                {
                    Item = item.Id, Branch = branch, BaseCommit = baseCommit, SubmittedCommit = null, Note = null, Restarts = 0,
                };
                t.Touched(runtime.Hooks.Write(current.Agent, next), current.Agent);
                t.Items.Update(item.Id, new UpdateItemRequest { Status = Statuses.Hooked, Assignee = current.Agent });
                return next;
            }).Value;
        }
        catch
        {
            // Only what this call changed is undone (another sling may have just given it work).
            if (switched || created) PutBack(repo, crew.Worktree, switched ? previous : null, created ? branch : null);
            throw;
        }

        try
        {
            using (runtime.StartGate(hook.Agent))
            {
                if (runtime.Tmux.FindWindow(hook.Rig, hook.Agent) is { PaneDead: false })
                {
                    // Running (a persistent agent at its prompt): the new work comes as a prompt typed into its pane.
                    if (!runtime.Tmux.SendText(hook.Rig, hook.Agent, SlingService.FirstPrompt(hook, firstStart: true)))
                        logger.LogWarning("crew {Agent}: its pane did not change after the prompt for {Item}", hook.Agent, item.Id);
                }
                else sling.Start(hook, profile, rig, firstStart: true);
            }
        }
        catch (Exception ex) when (ex is OrcException or IOException)
        {
            logger.LogError(ex, "sling of {Item} to crew {Agent} failed while starting; rolling back", item.Id, hook.Agent);
            ledger.Transact("sling undo", t =>
            {
                var current = runtime.Hooks.Find(hook.Agent) ?? hook;
                if (current.Item == item.Id && current.HoldsWork)
                    t.Touched(runtime.Hooks.Write(current.Agent, current.Unhooked(Timestamps.Format(runtime.Workspace.Now),
                        "sling undone: " + TerminalText.Line(ex.Message))), current.Agent);
                if (t.Items.Ledger.Find(item.Id) is { Status: Statuses.Hooked } it && it.Assignee == hook.Agent)
                    t.Items.Update(item.Id, new UpdateItemRequest { Status = Statuses.Open, Assignee = "" });
                return 0;
            });
            PutBack(repo, crew.Worktree, previous, created ? branch : null);
            throw;
        }
        runtime.Record(runtime.Workspace.Actor, EventKinds.Slung, item.Id, $"slung {item.Id} to crew member {hook.Agent} on rig {rig.Name} ({profile.Name})");
        return hook;
    }

    /// <summary>Why a crew member cannot take another item now, or null when it can.</summary>
    private string? Holding(Hook h)
    {
        if (h.HoldsWork)
            return $"holds {h.Item} (hook {h.State}); one item at a time: let it finish ('orc done') or release it ('orc crew release {h.Agent}')";
        if (h.State == HookStates.Completed && h.Item is { } id && runtime.Queue(h.Rig).Find(id) is { IsOpen: true } s)
            return $"has {id} in the merge queue of {h.Rig} ({s.State}); the next item waits until it lands (or 'orc crew release {h.Agent}')";
        return null;
    }

    private static void Clean(Hook h)
    {
        var dirty = RigRepository.Uncommitted(h.Worktree);
        if (dirty.Count > 0)
            throw new OrcException($"crew {h.Agent} has uncommitted changes in {h.Worktree}: {string.Join(", ", dirty.Take(8).Select(TerminalText.Line))}" +
                $"{(dirty.Count > 8 ? $" and {dirty.Count - 8} more" : "")}; commit them (or remove them) before it takes new work");
    }

    /// <summary>Undoes the checkout of a new item's branch: the worktree back on its branch, the new branch deleted.</summary>
    private void PutBack(RigRepository repo, string worktree, string? previous, string? createdBranch)
    {
        try
        {
            if (previous is not null && RigRepository.BranchOf(worktree) != previous) RigRepository.Checkout(worktree, previous);
            if (createdBranch is not null) repo.DeleteBranch(createdBranch);
        }
        catch (Exception e) when (e is OrcException or IOException or LibGit2Sharp.LibGit2SharpException) { logger.LogWarning(e, "crew sling undo: worktree"); }
    }

    private AgentProfile Startable(string name)
    {
        var profile = runtime.Profiles.Get(name);
        if (!runtime.CanStart(profile))
            throw new OrcException($"agent profile '{profile.Name}': '{TerminalText.Line(profile.Command)}' is not on PATH (install it)");
        return profile;
    }
}
