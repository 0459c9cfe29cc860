namespace Orchestrator.Core.Agents;

/// <summary>How a session of an agent ended (a stable vocabulary for <c>orc history --json</c>).</summary>
public static class SessionEnds
{
    /// <summary>Still running (the hook's current session).</summary>
    public const string Running = "running";
    /// <summary>It submitted its work (<c>orc done</c>).</summary>
    public const string Done = "done";
    /// <summary>It wrote a handoff note and was restarted fresh (<c>orc handoff</c>).</summary>
    public const string Handoff = "handoff";
    /// <summary>Its process died and it was restarted from its hook (by the witness, <c>orc resume</c> or <c>orc up</c>).</summary>
    public const string Crashed = "crashed";
    /// <summary>Its process died and the witness stopped restarting it.</summary>
    public const string GaveUp = "gave-up";
    /// <summary>Stopped by <c>orc kill</c>.</summary>
    public const string Killed = "killed";
    /// <summary>Stopped with the workspace's tmux server (<c>orc down</c>).</summary>
    public const string Stopped = "stopped";
    /// <summary>Its hook was archived while the session was open (cleaned up, released).</summary>
    public const string Archived = "archived";
}

/// <summary>The reasons orc writes on hook moves that start or end sessions (matched when sessions are read back).</summary>
public static class HookReasons
{
    /// <summary>A dead agent of an active hook started again (witness, resume, up).</summary>
    public const string Restarted = "restarted";
    /// <summary>The agent handed off: the session ends with its note (active to active).</summary>
    public const string Handoff = "handoff";
    /// <summary>The fresh session after a handoff started.</summary>
    public const string AfterHandoff = "restarted after a handoff";
    /// <summary>The user stopped it with <c>orc kill</c>: <c>orc up</c> leaves it stopped (only <c>orc resume</c> starts it).</summary>
    public const string Killed = "killed";
    /// <summary>The agent asked for a person (<c>orc done --status escalated</c>): it waits, suspended, until someone resumes it.</summary>
    public const string Escalated = "escalated";
}

/// <summary>
/// Whether a hook's agent may be started again: never when its item is closed or is no longer
/// its own (released, or hooked by another agent since). Nothing restarts, resumes or re-primes
/// such an agent: not the witness, not <c>orc resume</c>, not <c>orc up</c>.
/// </summary>
public static class HookRules
{
    /// <summary>Why the agent of <paramref name="hook"/> must not be started on <paramref name="item"/> (null: it may).</summary>
    public static string? WhyNotRestart(Hook hook, Items.WorkItem? item)
    {
        if (hook.Item is null) return null; // a crew member or the mayor at rest
        if (item is null) return $"its item {hook.Item} no longer exists";
        if (item.IsClosed) return $"its item {item.Id} is {item.Status}";
        if (item.Assignee is { Length: > 0 } someone && someone != hook.Agent) return $"{item.Id} is now {item.Status} by {someone}";
        if (item.Status is Items.Statuses.Open) return $"{item.Id} was released (it is open again)";
        return null;
    }

    /// <summary>The user's last word on this hook was <c>orc kill</c>.</summary>
    public static bool KilledByUser(Hook hook) => hook.State == HookStates.Suspended && hook.History.LastOrDefault()?.Why == HookReasons.Killed;

    /// <summary>Its agent escalated and waits for a person (only <c>orc resume</c> starts it again).</summary>
    public static bool Escalated(Hook hook) => hook.State == HookStates.Suspended && hook.History.LastOrDefault()?.Why == HookReasons.Escalated;
}

/// <summary>Something said during a session: a handoff or done note, a return by the refinery, a comment on the item.</summary>
public sealed record SessionNote(string At, string Kind, string Text);

/// <summary>One run of an agent's process on its hook: from its start to how it ended.</summary>
public sealed record AgentSession
{
    public required string Agent { get; init; }
    public required string Rig { get; init; }
    public required string Role { get; init; }
    public required string Profile { get; init; }
    public string? Item { get; init; }
    /// <summary>1 for the hook's first session, then 2, 3…</summary>
    public required int Number { get; init; }
    public required string StartedAt { get; init; }
    /// <summary>Why it started: slung, resumed, restarted after a crash, after a handoff.</summary>
    public required string StartedBy { get; init; }
    public string? EndedAt { get; init; }
    /// <summary>One of <see cref="SessionEnds"/>.</summary>
    public string Ended { get; init; } = SessionEnds.Running;
    public List<SessionNote> Notes { get; init; } = [];

    public bool IsOpen => Ended == SessionEnds.Running;
}

/// <summary>
/// Reads the sessions of a hook back from its history: a session starts when the hook becomes
/// active with a new process (slung, resumed, restarted, after a handoff) and ends at the next move
/// that stops that process (done, handoff, a crash seen at the restart, kill, down, archive).
/// </summary>
public static class HookSessions
{
    public static List<AgentSession> Of(Hook hook)
    {
        var sessions = new List<AgentSession>();
        AgentSession? open = null;
        void Start(HookEvent e, string by)
        {
            open = new AgentSession
            {
                Agent = hook.Agent, Rig = hook.Rig, Role = hook.Role, Profile = hook.Profile, Item = e.Item ?? hook.Item,
                Number = sessions.Count + 1, StartedAt = e.At, StartedBy = by,
            };
            sessions.Add(open);
        }
        void End(HookEvent e, string how)
        {
            if (open is null) return;
            sessions[^1] = open with { EndedAt = e.At, Ended = how };
            open = null;
        }
        void Note(HookEvent e, string kind, string? text)
        {
            if (string.IsNullOrWhiteSpace(text) || sessions.Count == 0) return;
            sessions[^1].Notes.Add(new SessionNote(e.At, kind, text));
        }
        foreach (var e in hook.History)
        {
            switch (e.To)
            {
                case HookStates.Active when e.From == HookStates.Active && e.Why == HookReasons.Handoff:
                    End(e, SessionEnds.Handoff);
                    Note(e, SessionEnds.Handoff, e.Note);
                    break;
                case HookStates.Active when e.From == HookStates.Active:
                    End(e, SessionEnds.Crashed);
                    Start(e, e.Why == HookReasons.AfterHandoff ? "after a handoff" : "restarted after a crash");
                    break;
                case HookStates.Active when e.From == HookStates.Completed:
                    // The work came back; a live agent carries on in the same session, a finished
                    // one starts a new session when it is restarted.
                    Note(e, "returned", e.Why);
                    break;
                case HookStates.Active:
                    End(e, SessionEnds.Crashed);
                    Start(e, e.From == HookStates.Created ? "slung" : "resumed");
                    break;
                case HookStates.Suspended:
                    End(e, e.Why == "killed" ? SessionEnds.Killed
                        : e.Why == "orc down" ? SessionEnds.Stopped
                        : e.Why.StartsWith("witness gave up", StringComparison.Ordinal) ? SessionEnds.GaveUp
                        : SessionEnds.Stopped);
                    break;
                case HookStates.Completed:
                    if (open is null && sessions.Count > 0 && sessions[^1].Ended == SessionEnds.Done)
                        open = sessions[^1] = sessions[^1] with { Ended = SessionEnds.Running, EndedAt = null }; // the same process submitted again
                    End(e, SessionEnds.Done);
                    Note(e, SessionEnds.Done, e.Note);
                    break;
                case HookStates.Archived:
                    End(e, SessionEnds.Archived);
                    break;
            }
        }
        return sessions;
    }

    /// <summary>Every session that worked on <paramref name="item"/>, over all the hooks given, oldest first.</summary>
    public static List<AgentSession> ForItem(IEnumerable<Hook> hooks, string item) =>
        hooks.SelectMany(Of).Where(s => s.Item == item)
            .OrderBy(s => s.StartedAt, StringComparer.Ordinal).ThenBy(s => s.Agent, StringComparer.Ordinal).ThenBy(s => s.Number)
            .ToList();

    /// <summary>The session running now, or null (between a handoff and the fresh start, or after done).</summary>
    public static AgentSession? Current(Hook hook) => Of(hook) is { Count: > 0 } s && s[^1].IsOpen ? s[^1] : null;

    /// <summary>The handoff that has not been followed by anything yet (its fresh session is still to start), if any.</summary>
    public static HookEvent? PendingHandoff(Hook hook) =>
        hook.History is { Count: > 0 } h && h[^1] is { Why: HookReasons.Handoff } e && e.From == e.To
            && e.To is HookStates.Active or HookStates.Idle ? e : null;

    /// <summary>The last handoff of a hook that holds no item (the mayor, a crew member between items): its note for the next session.</summary>
    public static HookEvent? LastIdleHandoff(Hook hook) =>
        hook.History.LastOrDefault(e => e is { From: HookStates.Idle, To: HookStates.Idle, Why: HookReasons.Handoff });
}
