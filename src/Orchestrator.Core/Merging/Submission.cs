namespace Orchestrator.Core.Merging;

/// <summary>States of a merge-queue submission.</summary>
public static class SubmissionStates
{
    public const string Queued = "queued";
    public const string Merging = "merging";
    public const string Merged = "merged";
    public const string Rejected = "rejected";
}

/// <summary>
/// A branch submitted to a rig's merge queue by <c>orc done</c>: the refinery merges it into the
/// rig's default branch (or sends it back). Kept in the workspace as mq/RIG/ITEM.json.
/// </summary>
public sealed record Submission
{
    public required string Item { get; init; }
    public required string Rig { get; init; }
    public required string Agent { get; init; }
    public required string Branch { get; init; }
    public required string Commit { get; init; }
    public required string BaseCommit { get; init; }
    public required string SubmittedAt { get; init; }
    public string State { get; init; } = SubmissionStates.Queued;
    public int Priority { get; init; } = 2;
    public string? Note { get; init; }
    public List<string> Commits { get; init; } = [];
}
