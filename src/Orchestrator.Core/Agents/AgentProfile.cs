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
    /// <summary>A first-run screen (folder trust, API key, permission warning) the profile knows how to answer.</summary>
    public const string Trust = "trust";
    /// <summary>The model answered with an error (rate limit, overload, server error) and the agent says so.</summary>
    public const string Error = "error";
    public const string Unknown = "unknown";
    public const string Dead = "dead";
    public const string Stopped = "stopped";
    public const string Done = "done";

    /// <summary>
    /// How a person reads a dead agent whose program ended by itself with status 0 (shown in text and
    /// the TUI; the stored and <c>--json</c> state stays <see cref="Dead"/>, with its exit status).
    /// </summary>
    public const string Exited = "exited";

    /// <summary>The state as people say it: "exited" for a program that ended with status 0, else the state itself.</summary>
    public static string Spoken(string state, int? exitStatus) => state == Dead && exitStatus == 0 ? Exited : state;

    /// <summary>
    /// How an agent's program ended, after its name: "exited" (status 0), "was killed by SIGKILL
    /// (exit 137)", "died (exit 1)", "died (no window)", "died".
    /// </summary>
    public static string Ended(int? exitStatus, bool hasWindow) => exitStatus switch
    {
        0 => "exited",
        > 128 and < 160 => "was " + Supervision.ServiceHealth.ExitText(exitStatus),
        { } code => $"died (exit {code})",
        null => hasWindow ? "died" : "died (no window)",
    };
}

/// <summary>
/// A screen an agent CLI shows before it works (folder trust, "use this API key?", a permission
/// mode warning): it is recognised when every one of <see cref="Detect"/> matches the last lines
/// of the pane (any one, for a legacy <c>trust:</c> section), and answered with <see cref="Keys"/>
/// (tmux key names, e.g. Down then Enter when the highlighted choice is "No, exit").
/// </summary>
public sealed record ProfileScreen(string Name, IReadOnlyList<Regex> Detect, IReadOnlyList<string> Keys, bool MatchAll = true)
{
    public bool Matches(string tail) => Detect.Count > 0 && (MatchAll ? Detect.All(r => r.IsMatch(tail)) : Detect.Any(r => r.IsMatch(tail)));
}

/// <summary>The versions of its real CLI a profile was checked against (its screens were captured from <see cref="With"/>).</summary>
public sealed record ProfileVerification(string With, IReadOnlyList<string> Versions, IReadOnlyList<string> VersionArgs)
{
    /// <summary>True when <paramref name="version"/> (e.g. 2.1.330) starts with one of <see cref="Versions"/> (e.g. "2.1.").</summary>
    public bool Covers(string version) => Versions.Any(v => version == v || version.StartsWith(v.EndsWith('.') ? v : v + ".", StringComparison.Ordinal));

    /// <summary>The first dotted version number in a CLI's <c>--version</c> output.</summary>
    public static string? VersionIn(string output) =>
        Regex.Match(output, @"\d+\.\d+(\.\d+)?", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200)) is { Success: true } m ? m.Value : null;
}

/// <summary>
/// An agent CLI: how to start it, how to give it its first prompt, how to tell its state from
/// its pane, and which keys get it past its first-run screens. Loaded from YAML (shipped
/// defaults, then the workspace's and the user's overrides).
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
    /// <summary>The model's errors as the CLI shows them (a 429 being retried, an API error).</summary>
    public IReadOnlyList<Regex> Errors { get; init; } = [];
    /// <summary>
    /// What changes on the screen without the agent doing anything (a spinner, a seconds counter,
    /// a footer hint that comes and goes): removed before "has the screen changed" is asked, so a
    /// CLI waiting on a hung model is seen as not changing.
    /// </summary>
    public IReadOnlyList<Regex> Volatile { get; init; } = [];
    /// <summary>First-run screens, in the order they may come, each with the keys that get past it.</summary>
    public IReadOnlyList<ProfileScreen> Screens { get; init; } = [];
    /// <summary>Null: never checked against its real CLI.</summary>
    public ProfileVerification? Verified { get; init; }
    /// <summary>Where it was defined (file path), for messages.</summary>
    public string Source { get; init; } = "";

    /// <summary>The first-run screen the pane shows now, if any.</summary>
    public ProfileScreen? ScreenOn(string paneText)
    {
        var tail = LastLines(paneText, 30);
        return Screens.FirstOrDefault(s => s.Matches(tail));
    }

    /// <summary>
    /// The state the pane text shows. Only the last lines count (the screen as it is now); a
    /// first-run screen outranks a question, which outranks a model error, which outranks work,
    /// which outranks an idle prompt.
    /// </summary>
    public string Classify(string paneText)
    {
        if (ScreenOn(paneText) is not null) return AgentStates.Trust;
        var tail = LastLines(paneText, 15);
        if (Waiting.Any(r => r.IsMatch(tail))) return AgentStates.Waiting;
        if (Errors.Any(r => r.IsMatch(tail))) return AgentStates.Error;
        if (Working.Any(r => r.IsMatch(tail))) return AgentStates.Working;
        if (Idle.Any(r => r.IsMatch(tail))) return AgentStates.Idle;
        return AgentStates.Unknown;
    }

    /// <summary>
    /// How many lines of history are captured with the visible screen whenever an agent is read
    /// (witness, views, sling): the same capture everywhere, so all read the same <see cref="Steady"/> screen.
    /// </summary>
    public const int ScreenLines = 60;

    /// <summary>How many of the last lines make the <see cref="Steady"/> screen.</summary>
    public const int SteadyLines = 20;

    /// <summary>
    /// The part of the screen that changes only when the agent does something: its last
    /// <see cref="SteadyLines"/> lines, each with
    /// the <see cref="Volatile"/> text removed and trailing spaces trimmed.
    /// </summary>
    public string Steady(string paneText)
    {
        var tail = LastLines(paneText, SteadyLines);
        foreach (var r in Volatile)
        {
            try { tail = r.Replace(tail, ""); }
            catch (RegexMatchTimeoutException) { } // a pathological screen: compare it as it is
        }
        return string.Join('\n', tail.Split('\n').Select(l => l.TrimEnd()));
    }

    private static string LastLines(string text, int count)
    {
        // Blank lines at the bottom do not count; some CLIs leave Braille blanks (U+2800) of a logo animation there.
        var lines = text.Replace("\r", "").Split('\n').ToList();
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1].Replace('\u2800', ' '))) lines.RemoveAt(lines.Count - 1);
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Count - count)));
    }
}
