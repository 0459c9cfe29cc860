using System.Text.RegularExpressions;

namespace Orchestrator.Core.Agents;

/// <summary>How the first prompt reaches an agent.</summary>
public static class PromptModes
{
    /// <summary>As the last command-line argument.</summary>
    public const string Arg = "arg";
    /// <summary>Typed into the pane (literal text, then Enter) once the agent is at its prompt.</summary>
    public const string Keys = "keys";
    /// <summary>Not at all: the agent finds its work itself (the sim agent runs orc prime).</summary>
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [Arg, Keys, None];
}

/// <summary>What an agent's pane shows it to be doing.</summary>
public static class AgentStates
{
    public const string Working = "working";
    public const string Idle = "idle";
    public const string Waiting = "waiting";
    public const string Trust = "trust";
    public const string Unknown = "unknown";
    public const string Dead = "dead";
    public const string Stopped = "stopped";
    public const string Done = "done";
}

/// <summary>
/// An agent CLI: how to start it, how to give it its first prompt, how to tell its state from
/// its pane, and which keys accept a trust dialog. Loaded from YAML (shipped defaults, then the
/// workspace's and the user's overrides).
/// </summary>
public sealed record AgentProfile
{
    /// <summary>In <see cref="Command"/> or <see cref="Args"/>: this orc's own command line.</summary>
    public const string SelfPlaceholder = "{orc}";

    public required string Name { get; init; }
    public required string Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string Prompt { get; init; } = PromptModes.Keys;
    public IReadOnlyList<Regex> Working { get; init; } = [];
    public IReadOnlyList<Regex> Waiting { get; init; } = [];
    public IReadOnlyList<Regex> Idle { get; init; } = [];
    public IReadOnlyList<Regex> TrustDialog { get; init; } = [];
    /// <summary>tmux key names sent, in order, to accept a trust dialog.</summary>
    public IReadOnlyList<string> TrustAccept { get; init; } = [];
    /// <summary>Where it was defined (file path), for messages.</summary>
    public string Source { get; init; } = "";

    /// <summary>
    /// The state the pane text shows. Only the last lines count (the screen as it is now); a
    /// dialog outranks a question, which outranks work, which outranks an idle prompt.
    /// </summary>
    public string Classify(string paneText)
    {
        var tail = LastLines(paneText, 15);
        if (TrustDialog.Any(r => r.IsMatch(tail))) return AgentStates.Trust;
        if (Waiting.Any(r => r.IsMatch(tail))) return AgentStates.Waiting;
        if (Working.Any(r => r.IsMatch(tail))) return AgentStates.Working;
        if (Idle.Any(r => r.IsMatch(tail))) return AgentStates.Idle;
        return AgentStates.Unknown;
    }

    private static string LastLines(string text, int count)
    {
        var lines = text.Replace("\r", "").TrimEnd('\n', ' ').Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - count)));
    }
}
