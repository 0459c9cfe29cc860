namespace Orchestrator.Core.Merging;

/// <summary>
/// Why the refinery returned a submission to its worker, said by the code that returned it (not
/// read back from its message): the <c>rejected</c> event's tag, which the convoy report counts.
/// </summary>
public enum RejectionCause
{
    /// <summary>It conflicts with the main branch, or would leave conflict markers.</summary>
    Conflict,
    /// <summary>The rig's gate failed on it.</summary>
    Gate,
    /// <summary>Its branch is gone.</summary>
    Branch,
    /// <summary>A person returned it with <c>orc mq reject</c>.</summary>
    Hand,
    /// <summary>A person returned it in review (<c>orc review reject</c>).</summary>
    Review,
    /// <summary>Its pull request was closed without merging.</summary>
    PullRequest,
}

public static class RejectionCauses
{
    public const string ConflictTag = "conflict";
    public const string GateTag = "gate";

    /// <summary>The cause as the event's tag: <c>conflict</c>, <c>gate</c>, <c>branch</c>, <c>hand</c>, <c>review</c> or <c>pr</c>.</summary>
    public static string Tag(this RejectionCause cause) => cause switch
    {
        RejectionCause.Conflict => ConflictTag,
        RejectionCause.Gate => GateTag,
        RejectionCause.Branch => "branch",
        RejectionCause.Hand => "hand",
        RejectionCause.Review => "review",
        RejectionCause.PullRequest => "pr",
        _ => throw new ArgumentOutOfRangeException(nameof(cause)),
    };
}
