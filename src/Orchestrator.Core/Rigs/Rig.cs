namespace Orchestrator.Core.Rigs;

/// <summary>
/// A git repository managed by the workspace: cloned into (or linked at) rigs/NAME, with its own
/// id prefix, default branch and optional settings.
/// </summary>
public sealed record Rig
{
    public required string Name { get; init; }
    public required string Source { get; init; }
    public bool Linked { get; init; }
    public required string Prefix { get; init; }
    public required string DefaultBranch { get; init; }
    /// <summary>
    /// Build and test command the refinery runs before merging: one command line, kept as the user
    /// gave it ("" = none). <see cref="GateArgv"/> is how it runs.
    /// </summary>
    public string Gate { get; init; } = "";

    /// <summary>
    /// The gate as it runs: its words, split as a shell splits them but without a shell (quotes
    /// kept, nothing expanded); a line that needs a shell (<see cref="Text.CommandWords.UsesShell"/>:
    /// <c>&amp;&amp;</c>, <c>|</c>, <c>$VAR</c>, <c>cd</c>…) runs as <c>sh -c LINE</c>. Empty: no gate.
    /// </summary>
    public IReadOnlyList<string> GateArgv => GateLine.Argv(Gate);
    public string? Profile { get; init; }
    public int MaxPolecats { get; init; } = 10;
    /// <summary>Seconds a gate run may take before it is stopped and counted as red.</summary>
    public int GateTimeoutSeconds { get; init; } = 600;
    /// <summary>How many submissions the refinery stacks under one gate run.</summary>
    public int Batch { get; init; } = 1;
    /// <summary>
    /// What a green gate does: <see cref="LandModes.Auto"/> moves main, <see cref="LandModes.Review"/>
    /// waits for a person's <c>orc review approve</c>, <see cref="LandModes.Pr"/> opens a pull request.
    /// </summary>
    public string Land { get; init; } = LandModes.Auto;
    public bool ReviewsLandings => Land == LandModes.Review;
    public bool OpensPullRequests => Land == LandModes.Pr;
    /// <summary>Whether each landing is pushed to the rig's origin (never forced; a moved origin means rebuild, gate, push again).</summary>
    public bool Push { get; init; }
    /// <summary>A profile whose agent reads each candidate waiting for review first and comments on the item (null: none).</summary>
    public string? ReviewAgent { get; init; }
    /// <summary>The witness's settings: see the rig YAML's comments.</summary>
    public int StuckAfterSeconds { get; init; } = 300;
    public int MaxRestarts { get; init; } = 3;
    public int GraceSeconds { get; init; } = 30;
    public bool NudgeIdle { get; init; } = true;
    public bool RestartDead { get; init; } = true;
    public string? CreatedAt { get; init; }
}

/// <summary>The rig setting <c>land</c>: whether a green gate lands by itself, waits for a person, or opens a pull request.</summary>
public static class LandModes
{
    public const string Auto = "auto";
    public const string Review = "review";
    public const string Pr = "pr";
    public static readonly IReadOnlyList<string> All = [Auto, Review, Pr];
    /// <summary>"auto, review or pr", for messages.</summary>
    public const string Choices = "auto, review or pr";

    /// <summary>The mode <paramref name="value"/> names (case and spaces ignored), or null.</summary>
    public static string? Parse(string? value) => value?.Trim().ToLowerInvariant() is { } v && All.Contains(v) ? v : null;
}
