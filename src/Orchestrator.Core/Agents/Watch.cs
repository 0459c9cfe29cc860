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
    /// What the witness makes of a live agent: the profile's state, refined by whether it holds
    /// work, how long its screen has not changed, and whether its output repeats.
    /// </summary>
    public static string Classify(string profileState, bool holdsWork, TimeSpan unchangedFor, TimeSpan stuckAfter, bool repeating, TimeSpan sinceStart, TimeSpan grace)
    {
        if (sinceStart < grace) return WatchStates.Starting;
        if (repeating) return WatchStates.Looping;
        if (profileState == AgentStates.Waiting || profileState == AgentStates.Trust) return AgentStates.Waiting;
        if (profileState == AgentStates.Error) return AgentStates.Error; // the model fails; not stuck, whatever the time
        if (profileState == AgentStates.Idle) return holdsWork ? WatchStates.IdleWithHook : AgentStates.Idle;
        if (unchangedFor >= stuckAfter) return WatchStates.Stuck;
        return profileState == AgentStates.Unknown ? AgentStates.Working : profileState;
    }
}
