namespace Orchestrator.Adapters.Git;

/// <summary>
/// What the refinery asks of a rig's repository (<see cref="RigIntegration"/> does it with git):
/// the seam its decisions are tested through without a repository. Commits are named by their ids.
/// </summary>
public interface IRigIntegration
{
    /// <summary>The repository's directory (the rig's checkout).</summary>
    string Path { get; }

    /// <summary>The tip of <paramref name="branch"/>; throws when there is no such branch.</summary>
    string TipOf(string branch);

    bool CommitExists(string sha);

    /// <summary>The tip of <paramref name="branch"/>, or null when there is no such branch.</summary>
    string? BranchTip(string branch);

    /// <summary>The changes of <paramref name="tip"/> squashed onto <paramref name="onto"/> as one new commit, or why that cannot be.</summary>
    SquashResult Squash(string onto, string tip, string message, DateTimeOffset now);

    /// <summary>Makes <paramref name="scratchPath"/> a worktree with exactly <paramref name="commit"/> checked out, for the gate.</summary>
    void PrepareScratch(string scratchPath, string scratchName, string commit);

    /// <summary>Moves <paramref name="branch"/> from <paramref name="expected"/> forward to <paramref name="next"/>, or throws.</summary>
    void FastForward(string branch, string expected, string next, string why);

    /// <summary>Brings a checkout a killed move left half-way (only through <paramref name="commits"/>) to the branch's tip. True when repaired.</summary>
    bool RepairInterruptedMove(string branch, IEnumerable<string> commits);

    /// <summary>Why <paramref name="branch"/> cannot move now (its checkout has changes), or null.</summary>
    string? CheckoutBlocker(string branch);

    /// <summary>True when <paramref name="ancestor"/> is <paramref name="commit"/> or one of its ancestors.</summary>
    bool IsAncestor(string ancestor, string commit);

    /// <summary>True when <paramref name="commit"/> is <paramref name="branch"/>'s tip or one of its ancestors.</summary>
    bool Contains(string branch, string commit);
}
