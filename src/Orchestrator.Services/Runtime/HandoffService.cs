using System.Globalization;
using Microsoft.Extensions.Logging;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

public sealed record HandoffResult(Hook Hook, int Session, string? Note);

/// <summary>
/// Continuity between sessions. <c>orc handoff</c>: an agent whose context is filling up writes a
/// note to its hook and is restarted fresh in the same worktree; its next <c>orc prime</c> shows the
/// note and the history of the work. The restart is done by a separate orc that tmux runs outside
/// the agent's window, and only once the <c>orc handoff</c> process has exited: the note is
/// committed and the command has answered before the agent that ran it is replaced.
/// <c>orc history</c>: every session that worked on an item, with how it ended and its notes.
/// </summary>
public sealed class HandoffService(RuntimeContext runtime, LedgerService ledger, WorkService work, SlingService sling, ILogger<HandoffService> logger)
{
    public const int MaxNoteLength = 8000;

    /// <summary>A handoff whose restart has not happened after this long may be made again.</summary>
    public static readonly TimeSpan PendingFor = TimeSpan.FromMinutes(2);

    /// <summary>How long the restart waits for the <c>orc handoff</c> process to exit before it goes ahead anyway.</summary>
    public static readonly TimeSpan WaitForCaller = TimeSpan.FromSeconds(60);

    public HandoffResult Handoff(string? agent, string? note)
    {
        var h = work.MyHook(agent);
        var text = Note(note);
        // A persistent agent (the mayor, a crew member between items) hands off its conversation too.
        var persistentIdle = h.State == HookStates.Idle && h.Role is Roles.Mayor or Roles.Crew;
        if (h.State != HookStates.Active && !persistentIdle)
            throw new OrcException(h.HoldsWork
                ? $"agent {h.Agent} is not running (its hook is {h.State}); 'orc resume {h.Agent}' starts it fresh, and its prime shows the history"
                : $"agent {h.Agent} holds no work (its hook is {h.State}); nothing to hand over");
        if (HookSessions.PendingHandoff(h) is { } pending && Age(pending.At) < PendingFor)
            throw new OrcException($"agent {h.Agent} already handed off at {pending.At} (session {pending.Session}); its fresh session starts in a moment");
        if (runtime.Tmux.FindWindow(h.Rig, h.Agent) is not { PaneDead: false })
            throw new OrcException($"agent {h.Agent} has no running window; 'orc resume {h.Agent}' starts it fresh");
        var profile = runtime.Profiles.Get(h.Profile);
        if (!runtime.CanStart(profile))
            throw new OrcException($"agent profile '{profile.Name}': '{TerminalText.Line(profile.Command)}' is not on PATH, so {h.Agent} could not be started again; nothing was changed");
        var session = persistentIdle
            ? h.History.Count(e => e is { From: HookStates.Idle, To: HookStates.Idle, Why: HookReasons.Handoff }) + 1 // conversations between handoffs
            : HookSessions.Current(h)?.Number ?? Math.Max(1, HookSessions.Of(h).Count);

        // First the restart is arranged (it waits for this process to exit, then acts only if the
        // handoff below is recorded), then the note is committed; so a failure of either leaves
        // the agent running as it was.
        var env = new Dictionary<string, string> { ["ORC_WORKSPACE"] = runtime.Workspace.Paths.Root, ["ORC_AGENT"] = h.Agent };
        if (runtime.Workspace.Environment(RuntimeContext.SocketVariable) is { Length: > 0 } socket) env[RuntimeContext.SocketVariable] = socket;
        foreach (var name in new[] { "HOME", "PATH", "XDG_CONFIG_HOME", "USER" })
            if (runtime.Workspace.Environment(name) is { Length: > 0 } value) env[name] = value;
        runtime.Tmux.RunInBackground(runtime.Workspace.Paths.Root, env,
            [.. runtime.SelfArgv, "handoff-restart", h.Agent, "--after", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "--session",
                session.ToString(CultureInfo.InvariantCulture)]);

        var now = Timestamps.Format(runtime.Workspace.Now);
        var hook = ledger.Transact("handoff", t =>
        {
            var current = runtime.Hooks.Find(h.Agent) ?? h;
            if (current.State != h.State || current.CreatedAt != h.CreatedAt)
                throw new OrcException($"agent {h.Agent}'s hook changed meanwhile (now {current.State}); nothing handed off");
            var moved = current.MoveTo(current.State, now, HookReasons.Handoff, text);
            var next = moved with { History = [.. moved.History[..^1], moved.History[^1] with { Session = session }] };
            t.Touched(runtime.Hooks.Write(h.Agent, next), h.Agent);
            runtime.Record(h.Agent, EventKinds.Handoff, h.Agent,
                $"{h.Agent} handed off {h.Item ?? "its conversation"} after session {session}{(text is null ? " (no note)" : "")}; it starts again fresh in its worktree");
            return next;
        }).Value;
        return new HandoffResult(hook, session, text);
    }

    /// <summary>
    /// <c>orc handoff-restart</c> (run by tmux for <c>orc handoff</c>): waits for process
    /// <paramref name="after"/> to exit, then, if the agent's last move is still the handoff of
    /// <paramref name="session"/>, starts it fresh in its window (replacing the old process) and
    /// records the new session. Returns what it did, for the log.
    /// </summary>
    public string Restart(string agent, int after, int session)
    {
        WaitForExit(after, WaitForCaller);
        Thread.Sleep(300); // let the agent show the answer before its window is replaced
        var h = runtime.Hooks.Find(Names.Validate(agent, "agent")) ?? throw new OrcException($"agent {agent} has no hook", ExitCodes.NotFound);
        if (HookSessions.PendingHandoff(h) is not { } pending || pending.Session != session)
        {
            logger.LogInformation("handoff-restart of {Agent}: no handoff of session {Session} is pending (the note was not recorded, or something else happened since); nothing done", agent, session);
            return "nothing to do";
        }
        try
        {
            // The mayor's window is in the workspace's own session, not a rig's: it gets no ORC_RIG.
            var rigName = h.Role == Roles.Mayor ? null : runtime.Rigs.Get(h.Rig).Name;
            sling.Start(h, runtime.Profiles.Get(h.Profile), rigName, firstStart: false, prompt: Prompt(h), replaceRunning: true);
        }
        catch (OrcException ex)
        {
            logger.LogError("handoff-restart of {Agent} failed: {Message}", agent, ex.Message);
            runtime.Record(h.Agent, EventKinds.Error, h.Agent,
                $"{h.Agent} could not be restarted after its handoff: {TerminalText.Line(ex.Message)} (orc resume {h.Agent})");
            throw;
        }
        ledger.Transact("handoff restart", t =>
        {
            var current = runtime.Hooks.Find(h.Agent);
            if (current is null || HookSessions.PendingHandoff(current)?.Session != session) return 0;
            t.Touched(runtime.Hooks.Write(h.Agent, current.MoveTo(current.State, Timestamps.Format(runtime.Workspace.Now), HookReasons.AfterHandoff)), h.Agent);
            runtime.Record(h.Agent, EventKinds.Restarted, h.Agent,
                $"{h.Agent} started fresh after its handoff (session {session + 1}){(h.Item is null ? "" : " on " + h.Item)}");
            return 0;
        });
        return "restarted";
    }

    /// <summary>The first prompt of a session after a handoff.</summary>
    public static string Prompt(Hook hook) => hook.Item is null
        ? $"You are {hook.Agent}, the {hook.Role}{(hook.Role == Roles.Mayor ? " of this workspace" : $" of rig {hook.Rig}")}, in a fresh session after a handoff. " +
          "Run `orc prime` now: it prints what you need to know and the handoff note of your previous session."
        : $"You are {hook.Agent}, a {hook.Role} on rig {hook.Rig}, continuing {hook.Item} in a fresh session after a handoff; your worktree is as the last session left it. " +
          "Run `orc prime` now: it prints your work item, the handoff note of your previous session and the history of this work. Work only in this directory, commit your changes, then run `orc done`.";

    /// <summary>Every session that worked on <paramref name="itemId"/> (all agents, archived hooks too), with the item's comments.</summary>
    public ItemHistory History(string itemId)
    {
        var item = ledger.Read().Get(itemId);
        var hooks = runtime.Hooks.All().Concat(runtime.HookArchive.All());
        return ItemHistory.Build(item.Id, HookSessions.ForItem(hooks, item.Id), item.Comments);
    }

    /// <summary>A handoff note as given (null when blank), checked: at most <see cref="MaxNoteLength"/> characters, no control characters.</summary>
    public static string? Note(string? note)
    {
        if (string.IsNullOrWhiteSpace(note)) return null;
        var text = note.Trim();
        if (text.Length > MaxNoteLength)
            throw new OrcException($"--note: is {text.Length:N0} characters long; a handoff note is at most {MaxNoteLength:N0} (say what the next session needs: state, next steps, traps)", ExitCodes.Usage);
        try { return WorkItemRules.Text(text, "--note"); }
        catch (OrcException ex) { throw new OrcException(ex.Message, ExitCodes.Usage); }
    }

    private TimeSpan Age(string at) => Timestamps.TryParse(at, out var t) ? runtime.Workspace.Now - t : TimeSpan.MaxValue;

    /// <summary>Waits until process <paramref name="pid"/> has exited (or is a zombie: it has exited, its parent has not looked yet).</summary>
    private static void WaitForExit(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && IsRunning(pid)) Thread.Sleep(100);
    }

    private static bool IsRunning(int pid) => pid != Environment.ProcessId && Adapters.Processes.ProcessTable.IsRunning(pid);
}
