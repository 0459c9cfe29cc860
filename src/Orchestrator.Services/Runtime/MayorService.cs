using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Patrol;

namespace Orchestrator.Services.Runtime;

/// <summary>The mayor as <c>orc mayor status</c> shows it: its hook (null when there is none), its state, and its unread mail.</summary>
public sealed record MayorStatus(Hook? Hook, string State, bool Running, int Unread, long? LastActivityUnix);

/// <summary>
/// The mayor: the workspace's manager agent, the one the user talks to. There is one per
/// workspace: a hook named <c>mayor</c> (role mayor; it holds no item of its own, so it rests
/// idle) and a window <c>mayor</c> in the workspace's own tmux session <c>orc</c>, beside the
/// services, working in the workspace's root. It plans with the same CLI as everyone (its
/// <c>orc prime</c> says how) and gets the mail that needs a decision
/// (<see cref="Mail.MailService.Supervisors"/>): convoys landed and escalations.
/// </summary>
public sealed class MayorService(RuntimeContext runtime, LedgerService ledger, SlingService sling, AgentService agents, Mail.MailService mail)
{
    public const string Name = MailRules.Mayor;

    /// <summary>The tmux session of the workspace's own windows (the services and the mayor).</summary>
    public const string Session = ServiceLauncher.Session;

    /// <summary>The mayor's hook, or null when the workspace has none.</summary>
    public Hook? Find() => runtime.Hooks.Find(Name) is { Role: Roles.Mayor, State: not HookStates.Archived } h ? h : null;

    /// <summary>
    /// Starts the mayor, once: when it already runs nothing changes (false). The hook is made (or
    /// kept, with its mail and history) and committed; the agent starts in window orc:mayor.
    /// </summary>
    public (Hook Hook, bool Started) Start(string? profileName) => Start(profileName, null);

    private (Hook Hook, bool Started) Start(string? profileName, string? why)
    {
        TmuxServer.CheckVersion();
        using var gate = runtime.StartGate(Name);
        var existing = runtime.Hooks.Find(Name);
        if (existing is { State: not HookStates.Archived } && existing.Role != Roles.Mayor)
            throw new OrcException($"the name 'mayor' is held by a {existing.Role} on rig {existing.Rig} ({existing.Item ?? "no item"}); finish or clean it up first");
        var mayor = existing is { Role: Roles.Mayor, State: not HookStates.Archived } ? existing : null;
        if (runtime.Tmux.FindWindow(Session, Name) is { PaneDead: false })
        {
            if (mayor is null) throw new OrcException($"a window {Session}:{Name} runs, but the workspace has no mayor hook; close that window first");
            if (profileName is not null && profileName != mayor.Profile)
                throw new OrcException($"the mayor is running with profile {mayor.Profile}; stop it first ('orc mayor stop') to start it with {TerminalText.Line(profileName)}");
            return (mayor, false);
        }
        var profile = runtime.Profiles.Get(profileName ?? mayor?.Profile ?? runtime.Workspace.Config.DefaultProfile ?? "sim");
        if (!runtime.CanStart(profile))
            throw new OrcException($"agent profile '{profile.Name}': '{TerminalText.Line(profile.Command)}' is not on PATH (install it, or choose another with --profile)");
        var root = runtime.Workspace.Paths.Root;
        var now = Timestamps.Format(runtime.Workspace.Now);
        why ??= $"started by {runtime.Workspace.Actor} ({profile.Name})";
        var hook = ledger.Transact("mayor start", t =>
        {
            var current = Find();
            var next = current is null
                ? new Hook
                {
                    Agent = Name, Rig = Session, Role = Roles.Mayor, Branch = "", Worktree = root, BaseCommit = "",
                    Profile = profile.Name, State = HookStates.Idle, CreatedAt = now,
                    History = [new HookEvent(now, "", HookStates.Idle, why)],
                }
                : current.MoveTo(HookStates.Idle, now, why) with { Profile = profile.Name, Worktree = root };
            t.Touched(runtime.Hooks.Write(Name, next), Name);
            return next;
        }).Value;
        sling.Start(hook, profile, rigName: null, firstStart: true);
        runtime.Record(runtime.Workspace.Actor, EventKinds.Started, Name, $"{runtime.Workspace.Actor} started the mayor ({profile.Name}) in {Session}:{Name}");
        return (hook, true);
    }

    /// <summary>
    /// Starts the mayor afresh: its program is stopped if it runs and started again (with
    /// <paramref name="profileName"/>, else the one it had); its hook, mailbox and history stay. A
    /// <paramref name="note"/> is recorded as a handoff, so its fresh session's <c>orc prime</c>
    /// shows it. <paramref name="why"/> goes into its history (the deacon's restart of a mayor whose
    /// program ended says <see cref="HookReasons.Restarted"/>).
    /// </summary>
    public Hook Restart(string? profileName, string? note, string? why = null)
    {
        var h = Find() ?? throw NoMayor();
        note = HandoffService.Note(note);
        var profile = runtime.Profiles.Get(profileName ?? h.Profile);
        if (!runtime.CanStart(profile))
            throw new OrcException($"agent profile '{profile.Name}': '{TerminalText.Line(profile.Command)}' is not on PATH, so the mayor was not restarted; nothing was changed");
        if (note is not null)
            ledger.Transact("mayor restart", t =>
            {
                var current = Find() ?? throw NoMayor();
                var session = current.History.Count(e => e is { From: HookStates.Idle, To: HookStates.Idle, Why: HookReasons.Handoff }) + 1;
                var moved = current.MoveTo(HookStates.Idle, Timestamps.Format(runtime.Workspace.Now), HookReasons.Handoff, note);
                moved = moved with { History = [.. moved.History[..^1], moved.History[^1] with { Session = session }] };
                t.Touched(runtime.Hooks.Write(Name, moved), Name);
                return 0;
            });
        if (runtime.Tmux.FindWindow(Session, Name) is not null) runtime.Tmux.KillWindow(Session, Name);
        var (hook, _) = Start(profile.Name, why ?? $"restarted by {runtime.Workspace.Actor} ({profile.Name})");
        return hook;
    }

    /// <summary>Stops the mayor's agent; its hook and mailbox stay for the next start. False when it was not running.</summary>
    public bool Stop()
    {
        var h = Find() ?? throw NoMayor();
        var w = runtime.Tmux.FindWindow(Session, Name);
        if (w is null) return false;
        runtime.Tmux.KillWindow(Session, Name);
        if (w.PaneDead) return false;
        runtime.Record(runtime.Workspace.Actor, EventKinds.Stopped, h.Agent, $"{runtime.Workspace.Actor} stopped the mayor");
        return true;
    }

    /// <summary>Whether there is a mayor, whether it runs, what its pane shows, and its unread mail.</summary>
    public MayorStatus Status()
    {
        if (Find() is null) return new MayorStatus(null, "none", false, 0, null);
        var view = agents.List().First(v => v.Hook.Agent == Name);
        return new MayorStatus(view.Hook, view.State, view.WindowAlive, mail.Unread(Name).Count, view.LastActivityUnix);
    }

    /// <summary>The mayor's hook, when it runs; an error saying how to start it otherwise.</summary>
    public Hook Running()
    {
        var h = Find() ?? throw NoMayor();
        if (runtime.Tmux.FindWindow(Session,
            Name) is not { PaneDead: false }) throw new OrcException("the mayor is not running (start it with 'orc mayor start')");
        return h;
    }

    private static OrcException NoMayor() => new("this workspace has no mayor (start one with 'orc mayor start')", ExitCodes.NotFound);
}
