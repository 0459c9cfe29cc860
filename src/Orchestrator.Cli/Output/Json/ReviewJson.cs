using Orchestrator.Core.Events;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Supervision;
using Orchestrator.Services.Refinery;

namespace Orchestrator.Cli.Output.Json;

/// <summary>shape <c>submission</c>: <c>orc mq list</c>, <c>orc mq show</c>.</summary>
internal sealed record SubmissionJson(
    string Item, string Rig, string State, string Agent, string Branch, string Commit, string BaseCommit, int Priority, string SubmittedAt, int Attempts,
    List<string> Commits, string? Note, string? Landed, string? FinishedAt, string? Reason, string? Details, string? Candidate, string? Onto, string? Gate,
    string? ReviewSince, string? ApprovedBy, string? ApprovedAt, string? PullRequest, string? PullRequestBranch, ReviewerJson? Reviewer)
{
    public static SubmissionJson From(Submission s) =>
        new(s.Item, s.Rig, s.State, s.Agent, s.Branch, s.Commit, s.BaseCommit, s.Priority, s.SubmittedAt, s.Attempts,
            [.. s.Commits], s.Note, s.Landed, s.FinishedAt, s.Reason, s.Details, s.Candidate, s.Onto, s.GateVerdict,
            s.ReviewSince, s.ApprovedBy, s.ApprovedAt, s.PullRequest, s.PullRequestBranch, ReviewerJson.From(s.Reviewer));
}

/// <summary>A reviewer agent's pass (in <c>submission</c>, <c>review</c> and <c>review-detail</c>).</summary>
internal sealed record ReviewerJson(string Agent, string Profile, string Candidate, string State, string StartedAt, string? Verdict, string? Notes,
    string? FinishedAt)
{
    public static ReviewerJson? From(AgentReview? r) =>
        r is null ? null : new(r.Agent, r.Profile, r.Candidate, r.State, r.StartedAt, r.Verdict, r.Notes, r.FinishedAt);
}

/// <summary>shape <c>review</c>: <c>orc review list</c>.</summary>
internal sealed record ReviewJson(
    string Item, string Rig, string Agent, string Title, int Unblocks, string? Convoy, int? ConvoyLeft, string? ReviewSince, long WaitedSeconds,
    string? Candidate, string? Onto, string? Gate, ReviewerJson? Reviewer)
{
    public static ReviewJson From(ReviewWait e)
    {
        var s = e.Submission;
        return new(s.Item, s.Rig, s.Agent, e.Title, e.Unblocks, e.Convoy, e.Convoy is null ? null : e.ConvoyLeft, s.ReviewSince, (long)e.Waited.TotalSeconds,
            s.Candidate, s.Onto, s.GateVerdict, ReviewerJson.From(s.CurrentReview));
    }
}

/// <summary>shape <c>review-detail</c>: <c>orc review show</c>, a <c>review</c> with the item's texts, the claims and the diff.</summary>
internal sealed record ReviewDetailJson(
    string Item, string Rig, string Agent, string Title, int Unblocks, string? Convoy, int? ConvoyLeft, string? ReviewSince, long WaitedSeconds,
    string? Candidate, string? Onto, string? Gate, ReviewerJson? Reviewer,
    string Description, string AcceptanceCriteria, string? GateTail, List<string> DeclaredFiles, List<string> UndeclaredFiles, List<string> UntouchedClaims,
    List<ReviewFileJson> Files, string Diff)
{
    public static ReviewDetailJson From(ReviewDetail d)
    {
        var e = ReviewJson.From(d.Entry);
        return new(e.Item, e.Rig, e.Agent, e.Title, e.Unblocks, e.Convoy, e.ConvoyLeft, e.ReviewSince, e.WaitedSeconds, e.Candidate, e.Onto, e.Gate, e.Reviewer,
            d.Item?.Description ?? "", d.Item?.AcceptanceCriteria ?? "", d.Entry.Submission.GateTail, [.. d.Declared], [.. d.Undeclared], [.. d.Untouched],
            d.Changes.Files.Select(f => new ReviewFileJson(f.Path, f.OldPath, f.Status, f.Added, f.Removed, f.Binary)).ToList(), d.Changes.Patch);
    }
}

internal sealed record ReviewFileJson(string Path, string? OldPath, string Status, int Added, int Removed, bool Binary);

/// <summary>shape <c>service</c>: <c>orc status</c>.</summary>
internal sealed record ServiceJson(
    string Name, string State, bool Alive, int? Pid, string? BeatAt, long? Passes, string? Last, int Crashes, int Restarts, string? Error, string? Log,
        string? NextStartAt)
{
    public static ServiceJson From(string name, ServiceHealth h, Heartbeat? b) =>
        new(name, h.State, h.Alive, h.Pid, b?.BeatAt, b?.Passes, b?.Last, h.Crashes, h.Restarts, h.Error, h.Log, h.IsCrash ? h.NextStartAt : null);
}
