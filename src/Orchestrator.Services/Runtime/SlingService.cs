using System.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Items;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>
/// <c>orc sling</c>: hooks a work item onto a polecat. In one locked change the worktree and branch
/// are made, the hook written and the item marked hooked; then the agent starts in its tmux window.
/// If any step fails, everything made so far is undone: no orphan worktree, window or hook.
/// </summary>
public sealed class SlingService(RuntimeContext runtime, LedgerService ledger, ILogger<SlingService> logger)
{
    public sealed record Request(string ItemId, string? Rig, string? Agent, string? Profile);

    public Hook Sling(Request r)
    {
        Adapters.Tmux.TmuxServer.CheckVersion();
        var items = ledger.Read();
        var item = items.Get(r.ItemId);
        if (item.Status is Statuses.Hooked) throw new OrcException($"{item.Id} is already hooked by {TerminalText.Line(item.Assignee ?? "an agent")}");
        if (item.IsClosed) throw new OrcException($"{item.Id} is {item.Status}; reopen it first");
        if (item.IssueType == IssueTypes.Epic) throw new OrcException($"{item.Id} is an epic; sling its children instead");
        var rig = ResolveRig(r.Rig, item.Id);
        // A molecule's step may name its profile (the label profile:NAME, from its formula).
        var profile = runtime.Profiles.Get(r.Profile ?? Core.Formulas.MoleculeLabels.Value(item, Core.Formulas.MoleculeLabels.Profile) ?? rig.Profile ?? runtime.Workspace.Config.DefaultProfile ?? "sim");
        if (!runtime.CanStart(profile))
            throw new OrcException($"agent profile '{profile.Name}': '{TerminalText.Line(profile.Command)}' is not on PATH (install it, or choose another with --profile)");
        var hooks = runtime.Hooks.All();
        var active = hooks.Count(h => h.Rig == rig.Name && h.HoldsWork && h.Role == Roles.Polecat);
        if (active >= rig.MaxPolecats) throw new OrcException($"rig {rig.Name} already has {active} polecats at work (max_polecats {rig.MaxPolecats})");
        var agent = r.Agent is null
            ? NamePool.Next(hooks.Select(h => h.Agent).ToHashSet())
            : CrewService.ValidateName(r.Agent, "--agent");
        if (hooks.FirstOrDefault(h => h.Agent == agent) is { } existing && existing.State != HookStates.Archived)
            throw existing.Role == Roles.Crew
                ? new OrcException($"{agent} is a crew member of rig {existing.Rig}: give it work with 'orc sling {item.Id} --crew {agent}'", ExitCodes.Usage)
                : new OrcException($"agent {agent} already has a hook ({existing.State}, {existing.Item}); choose another name");

        var paths = runtime.Workspace.Paths;
        var worktree = paths.Worktree(rig.Name, agent);
        var branch = $"polecat/{agent}/{item.Id}";
        var repo = new RigRepository(paths.RigDir(rig.Name));
        var now = Timestamps.Format(runtime.Workspace.Now);
        Hook hook;
        try
        {
            hook = ledger.Transact("sling", t =>
            {
                var current = t.Items.Ledger.Get(item.Id);
                if (current.Status == Statuses.Hooked) throw new OrcException($"{item.Id} was just hooked by {TerminalText.Line(current.Assignee ?? "another agent")}");
                var baseCommit = repo.TipOf(rig.DefaultBranch);
                repo.AddWorktree(agent, branch, baseCommit, worktree);
                if (runtime.Hooks.Find(agent) is { State: HookStates.Archived } old)
                    t.Touched(runtime.HookArchive.Write($"{agent}-{new string(old.CreatedAt.Where(char.IsAsciiDigit).ToArray())}", old), agent);
                var h = new Hook
                {
                    Agent = agent, Rig = rig.Name, Item = item.Id, Branch = branch, Worktree = worktree,
                    BaseCommit = baseCommit, Profile = profile.Name, CreatedAt = now,
                    History = [new HookEvent(now, "", HookStates.Created, $"slung {item.Id}")],
                };
                t.Touched(runtime.Hooks.Write(agent, h), agent);
                t.Items.Update(item.Id, new UpdateItemRequest { Status = Statuses.Hooked, Assignee = agent });
                return h;
            }).Value;
        }
        catch
        {
            Undo(repo, rig.Name, agent, worktree, branch, hookWritten: false, item.Id);
            throw;
        }

        try
        {
            Start(hook, profile, rig, firstStart: true);
            var activated = Activate(hook, "started");
            runtime.Record(runtime.Workspace.Actor, Core.Events.EventKinds.Slung, item.Id, $"slung {item.Id} to {agent} on rig {rig.Name} ({profile.Name})");
            return activated;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "sling of {Item} to {Agent} failed while starting; rolling back", item.Id, agent);
            Undo(repo, rig.Name, agent, worktree, branch, hookWritten: true, item.Id);
            throw;
        }
    }

    private Rig ResolveRig(string? name, string itemId)
    {
        if (name is not null) return runtime.Rigs.Get(name);
        var rigs = runtime.Rigs.All();
        var byPrefix = rigs.FirstOrDefault(x => itemId.StartsWith(x.Prefix + "-", StringComparison.Ordinal));
        if (byPrefix is not null) return byPrefix;
        if (rigs.Count == 1) return rigs[0];
        if (rigs.Count == 0) throw new OrcException("this workspace has no rigs; add one with 'orc rig add NAME SOURCE'");
        throw new OrcException($"which rig? {itemId} does not name one; use --rig ({string.Join(", ", rigs.Select(x => x.Name))})", ExitCodes.Usage);
    }

    /// <summary>The hook made active (after its agent started).</summary>
    private Hook Activate(Hook hook, string why) =>
        ledger.Transact("hook", t =>
        {
            var current = runtime.Hooks.Find(hook.Agent) ?? hook;
            var next = current.MoveTo(HookStates.Active, Timestamps.Format(runtime.Workspace.Now), why);
            t.Touched(runtime.Hooks.Write(hook.Agent, next), hook.Agent);
            return next;
        }).Value;

    /// <summary>Starts (or restarts) the agent of a hook in its tmux window.</summary>
    /// <param name="prompt">The first prompt, when not the usual one (a fresh session after a handoff).</param>
    /// <param name="replaceRunning">Replace a live window's process (a handoff restarts a running agent).</param>
    public void Start(Hook hook, AgentProfile profile, Rig rig, bool firstStart, string? prompt = null, bool replaceRunning = false) =>
        Start(hook, profile, rig.Name, firstStart, prompt, replaceRunning);

    /// <summary>
    /// Starts (or restarts) the agent of a hook in its tmux window: session <see cref="Hook.Rig"/>,
    /// window <see cref="Hook.Agent"/>, in its worktree. <paramref name="rigName"/> is null for an
    /// agent of the whole workspace (the mayor), which gets no ORC_RIG.
    /// </summary>
    public void Start(Hook hook, AgentProfile profile, string? rigName, bool firstStart, string? prompt = null, bool replaceRunning = false)
    {
        prompt ??= FirstPrompt(hook, firstStart);
        var argv = runtime.CommandLine(profile);
        if (profile.Prompt == PromptModes.Arg) argv.Add(prompt);
        var env = new Dictionary<string, string>(profile.Env)
        {
            ["ORC_WORKSPACE"] = runtime.Workspace.Paths.Root,
            ["ORC_AGENT"] = hook.Agent,
            ["ORC_ROLE"] = hook.Role,
            ["ORC_ITEM"] = hook.Item ?? "",
        };
        if (rigName is not null) env["ORC_RIG"] = rigName;
        if (runtime.Workspace.Environment(RuntimeContext.SocketVariable) is { Length: > 0 } socket) env[RuntimeContext.SocketVariable] = socket;
        runtime.Tmux.StartWindow(hook.Rig, hook.Agent, hook.Worktree, env, argv, replaceRunning);
        if (profile.TrustDialog.Count > 0 || profile.Prompt == PromptModes.Keys) AnswerStart(hook, profile, prompt);
    }

    /// <summary>Accepts a trust dialog and types the first prompt once the agent waits at its prompt.</summary>
    private void AnswerStart(Hook hook, AgentProfile profile, string prompt)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var state = profile.Classify(runtime.Tmux.CapturePane(hook.Rig, hook.Agent, 40));
            if (state == AgentStates.Trust) { runtime.Tmux.SendKeys(hook.Rig, hook.Agent, profile.TrustAccept); Thread.Sleep(500); continue; }
            if (state == AgentStates.Idle)
            {
                if (profile.Prompt == PromptModes.Keys) runtime.Tmux.SendText(hook.Rig, hook.Agent, prompt);
                return;
            }
            Thread.Sleep(200);
        }
        logger.LogWarning("agent {Agent} did not reach its prompt within 20s; first prompt not typed", hook.Agent);
    }

    public static string FirstPrompt(Hook hook, bool firstStart) =>
        hook.Role == Roles.Mayor
            ? "You are the mayor of this orc workspace: the user tells you what to build, and you plan it into work items and convoys and launch them. "
              + "Run `orc prime` now: it prints how, with the exact commands, and your mail. Then ask the user what to build."
        : hook.Item is null
            ? $"You are {hook.Agent}, a crew member on rig {hook.Rig}, in your own worktree. Run `orc prime` now: it prints your role and your mail. "
              + "Then wait for the user's instructions; work given to you with `orc sling` arrives with its own prompt."
        : (firstStart ? $"You are {hook.Agent}, a {(hook.Role == Roles.Crew ? "crew member" : hook.Role)} on rig {hook.Rig}, working on {hook.Item}. "
                      : $"You are {hook.Agent}, restarted after an interruption; your work on {hook.Item} is intact in this worktree. ")
          + "Run `orc prime` now: it prints your work item and how to submit it. Work only in this directory, commit your changes, then run `orc done`.";

    private void Undo(RigRepository repo, string rigName, string agent, string worktree, string branch, bool hookWritten, string itemId)
    {
        try { runtime.Tmux.KillWindow(rigName, agent); } catch (OrcException) { }
        try { repo.RemoveWorktree(agent, worktree, branch); } catch (Exception e) when (e is OrcException or IOException or LibGit2Sharp.LibGit2SharpException) { logger.LogWarning(e, "undo: worktree"); }
        if (!hookWritten) return;
        ledger.Transact("sling undo", t =>
        {
            t.Touched(runtime.Hooks.Delete(agent), agent);
            var item = t.Items.Ledger.Find(itemId);
            if (item is { Status: Statuses.Hooked } && item.Assignee == agent)
                t.Items.Update(itemId, new UpdateItemRequest { Status = Statuses.Open, Assignee = "" });
            return 0;
        });
    }
}
