namespace Orchestrator.Core.Events;

/// <summary>
/// One thing a part of orc did or saw, as the feed and the TUI show it: when, which part
/// (<c>refinery@app</c>, <c>witness@app</c>, <c>deacon</c>, <c>boot</c>, or a user verb), what
/// kind of thing, about which item or agent, and a sentence.
/// </summary>
public sealed record OrcEvent
{
    public required string At { get; init; }
    public required string Source { get; init; }
    public required string Kind { get; init; }
    public string? Subject { get; init; }
    public required string Text { get; init; }
    /// <summary>A machine-readable detail of the kind: why a submission was returned (<c>conflict</c>, <c>gate</c>, <c>branch</c>, <c>hand</c>).</summary>
    public string? Tag { get; init; }
}

/// <summary>Kinds of events (a stable vocabulary for scripts reading <c>orc feed --json</c>).</summary>
public static class EventKinds
{
    public const string Merged = "merged";
    public const string Rejected = "rejected";
    /// <summary>A green candidate held for a person (<c>land: review</c>), or approved by one.</summary>
    public const string Review = "review";
    public const string Approved = "approved";
    /// <summary>Landed work pushed to the rig's origin (<c>push: on</c>).</summary>
    public const string Pushed = "pushed";
    /// <summary>A green candidate pushed to origin with a pull request opened for it (<c>land: pr</c>).</summary>
    public const string PullRequest = "pull-request";
    /// <summary>The assistive reviewer agent (rig setting review_agent) started, gave its verdict, or did not run to the end.</summary>
    public const string Reviewed = "reviewed";
    public const string Waiting = "waiting";
    public const string GateRun = "gate";
    public const string Recovered = "recovered";
    public const string Nudged = "nudged";
    public const string Restarted = "restarted";
    public const string GaveUp = "gave-up";
    public const string Flagged = "flagged";
    public const string Cleaned = "cleaned";
    public const string Released = "released";
    public const string Checkpoint = "checkpoint";
    public const string Started = "started";
    public const string Stopped = "stopped";
    public const string Error = "error";
    public const string Slung = "slung";
    public const string Submitted = "submitted";
    public const string Mail = "mail";
    public const string ConvoyLanded = "convoy-landed";
    public const string Overlap = "overlap";
    public const string Handoff = "handoff";
    /// <summary>A crew member added to a rig, or removed from it.</summary>
    public const string Added = "added";
    public const string Removed = "removed";
}
