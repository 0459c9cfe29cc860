namespace Orchestrator.Core.Agents;

/// <summary>What the witness calls an agent after looking at it (besides the profile's working/idle/waiting).</summary>
public static class WatchStates
{
    public const string Starting = "starting";
    public const string IdleWithHook = "idle-with-hook";
    public const string Stuck = "stuck";
    public const string Looping = "looping";
}

/// <summary>
/// Pure rules the witness applies to what it sees: repeated output blocks (an agent retrying the
/// same failing fix) and the classification of one observation.
/// </summary>
public static class Watch
{
    /// <summary>
    /// The longest block of 1–12 non-blank lines that repeats at least <paramref name="times"/>
    /// times back to back at the end of <paramref name="screen"/>; null if none does.
    /// </summary>
    public static (int Lines, int Times)? RepeatingBlock(string screen, int times = 3)
    {
        var lines = screen.Replace("\r", "").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        (int, int)? best = null;
        for (var size = 1; size <= 12 && size * times <= lines.Count; size++)
        {
            var block = lines.GetRange(lines.Count - size, size);
            var count = 1;
            for (var start = lines.Count - 2 * size; start >= 0; start -= size)
            {
                if (!lines.GetRange(start, size).SequenceEqual(block)) break;
                count++;
            }
            // A block of one line repeated is usually a spinner or a progress line: ask for more.
            if (count >= times && (size > 1 || count >= times * 3)) best = (size, count);
        }
        return best;
    }

    /// <summary>
    /// The one answer to "what is this agent doing", for <c>orc agents</c>, the TUI and the
    /// witness alike: from its hook, its window, what its profile reads on its screen, whether its
    /// output repeats, and how long its screen has not changed.
    /// </summary>
    public static string StateOf(AgentSighting s)
    {
        var h = s.Hook;
        if (HookRules.Escalated(h)) return AgentStates.Waiting; // it asked for a person, whatever its window shows
        // A completed hook means the submission is recorded; how the process ended after that does not matter.
        // An idle crew member or mayor whose program ended holds nothing: stopped, not dead.
        if (!s.HasWindow) return h.State == HookStates.Completed ? AgentStates.Done : h.State is HookStates.Suspended or HookStates.Idle
            ? AgentStates.Stopped : AgentStates.Dead;
        if (s.PaneDead) return h.State == HookStates.Completed ? AgentStates.Done : h.State == HookStates.Idle ? AgentStates.Stopped : AgentStates.Dead;
        if (s.ProfileState is null) return AgentStates.Unknown; // its screen could not be read
        return Live(s.ProfileState, s.Repeating, s.UnchangedFor, s.StuckAfter);
    }

    /// <summary>A live agent: a question (or a first-run screen nobody answered) first, then a model error, repeated output, the prompt, no change for too
    /// long, work.</summary>
    private static string Live(string profileState, bool repeating, TimeSpan unchangedFor, TimeSpan stuckAfter)
    {
        if (profileState is AgentStates.Waiting or AgentStates.Trust) return AgentStates.Waiting;
        if (profileState == AgentStates.Error) return AgentStates.Error; // the model fails; not stuck, whatever the time
        if (repeating) return WatchStates.Looping;
        if (profileState == AgentStates.Idle) return AgentStates.Idle;
        if (unchangedFor >= stuckAfter) return WatchStates.Stuck;
        return AgentStates.Working; // working, or a screen the profile does not know that still changes
    }

    /// <summary>
    /// What the witness acts on for a live agent: <see cref="StateOf"/>'s answer, but
    /// <c>starting</c> within the grace time (nothing is flagged or nudged yet) and
    /// <c>idle-with-hook</c> for an idle agent that holds work (it is nudged).
    /// </summary>
    public static string Classify(string profileState, bool holdsWork, TimeSpan unchangedFor, TimeSpan stuckAfter, bool repeating, TimeSpan sinceStart,
        TimeSpan grace)
    {
        if (sinceStart < grace) return WatchStates.Starting;
        var state = Live(profileState, repeating, unchangedFor, stuckAfter);
        return state == AgentStates.Idle && holdsWork ? WatchStates.IdleWithHook : state;
    }
}

/// <summary>What is known of an agent at one look: its hook, its window, what its profile reads on its screen (null: not read).</summary>
public sealed record AgentSighting(Hook Hook, bool HasWindow, bool PaneDead, string? ProfileState, bool Repeating, TimeSpan UnchangedFor, TimeSpan StuckAfter);
