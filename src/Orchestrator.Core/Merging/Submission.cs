namespace Orchestrator.Core.Merging;

/// <summary>States of a merge-queue submission.</summary>
public static class SubmissionStates
{
    public const string Queued = "queued";
    public const string Merging = "merging";
    public const string Merged = "merged";
    public const string Rejected = "rejected";
    /// <summary>Green, on a rig with <c>land: review</c>: the candidate waits for a person.</summary>
    public const string Review = "review";
    /// <summary>A person said yes (<c>orc review approve</c>): the refinery lands it on its next pass.</summary>
    public const string Approved = "approved";
    /// <summary>Green, on a rig with <c>land: pr</c>: pushed as a branch of origin with a pull request open; the forge decides.</summary>
    public const string PullRequest = "pr";
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
    /// <summary>While merging: the commit being landed, and the main it was built on (for recovery).</summary>
    public string? Candidate { get; init; }
    public string? Onto { get; init; }
    /// <summary>Once merged: the commit on main.</summary>
    public string? Landed { get; init; }
    public string? FinishedAt { get; init; }
    /// <summary>Once rejected: why (one line), and the details (conflicting files, the gate's output tail).</summary>
    public string? Reason { get; init; }
    public string? Details { get; init; }
    public int Attempts { get; init; }
    /// <summary>
    /// Once held for review: the gate's verdict on the candidate (<c>green</c>, or <c>no gate</c>) and
    /// its output tail, and when it began waiting. <see cref="Candidate"/> and <see cref="Onto"/> stay set.
    /// </summary>
    public string? GateVerdict { get; init; }
    public string? GateTail { get; init; }
    public string? ReviewSince { get; init; }
    /// <summary>Who approved it, and when: an approved candidate rebuilt on a moved main lands on green without a second review.</summary>
    public string? ApprovedBy { get; init; }
    public string? ApprovedAt { get; init; }
    /// <summary>
    /// With <c>land: pr</c>: the pull request's URL (as the forge's CLI printed it) and the branch of
    /// origin it was opened from (<c>orc/ITEM-ATTEMPT</c>). Kept once the submission is merged or returned.
    /// </summary>
    public string? PullRequest { get; init; }
    public string? PullRequestBranch { get; init; }
    /// <summary>
    /// The assistive first pass (rig setting <c>review_agent</c>) on a candidate: advice for the
    /// person, never an approval. It belongs to the candidate it names; a new candidate gets a new pass.
    /// </summary>
    public AgentReview? Reviewer { get; init; }

    /// <summary>The reviewer agent's pass on the candidate now waiting for review, if it has one.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public AgentReview? CurrentReview => Reviewer is { } r && r.Candidate == Candidate ? r : null;

    /// <summary>Not finished: waiting in the queue, being merged, waiting for review, approved and waiting to land, or a pull request still open.</summary>
    public bool IsOpen
        => State is SubmissionStates.Queued or SubmissionStates.Merging or SubmissionStates.Review or SubmissionStates.Approved or SubmissionStates.PullRequest;
}

/// <summary>States of a reviewer agent's pass: it reads, it gave its verdict, or it did not run to the end.</summary>
public static class AgentReviewStates
{
    public const string Running = "running";
    public const string Done = "done";
    /// <summary>Not started (no such profile, not on PATH, no worktree), or ended without a verdict.</summary>
    public const string Failed = "failed";
    /// <summary>The person answered first: the reviewer was stopped.</summary>
    public const string Stopped = "stopped";
}

/// <summary>The reviewer agent's verdicts: advice only.</summary>
public static class ReviewerVerdicts
{
    public const string Approve = "approve";
    public const string Changes = "changes";
    public static readonly IReadOnlyList<string> All = [Approve, Changes];
}

/// <summary>
/// One pass of a reviewer agent (profile <see cref="Profile"/>, agent <see cref="Agent"/>) on the
/// candidate <see cref="Candidate"/>: when it started, its verdict and summary once done, or why it
/// did not run to the end (<see cref="Notes"/>).
/// </summary>
public sealed record AgentReview
{
    public required string Agent { get; init; }
    public required string Profile { get; init; }
    public required string Candidate { get; init; }
    public string State { get; init; } = AgentReviewStates.Running;
    public required string StartedAt { get; init; }
    public string? Verdict { get; init; }
    public string? Notes { get; init; }
    public string? FinishedAt { get; init; }
}
