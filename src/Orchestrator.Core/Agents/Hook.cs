namespace Orchestrator.Core.Agents;

/// <summary>
/// Where a hook is in its life. It moves created → active ⇄ suspended → completed → archived (completed → active when the refinery returns the work).
/// A persistent agent (a crew member, the mayor) rests in <see cref="Idle"/> between items: idle → active → … → completed → idle.
/// </summary>
public static class HookStates
{
    public const string Created = "created";
    /// <summary>A persistent agent (crew, mayor) with no work item: its worktree and identity stay.</summary>
    public const string Idle = "idle";
    public const string Active = "active";
    public const string Suspended = "suspended";
    public const string Completed = "completed";
    public const string Archived = "archived";

    public static readonly IReadOnlyList<string> All = [Created, Idle, Active, Suspended, Completed, Archived];

    /// <summary>True while the agent holds work (its worktree and item are its own).</summary>
    public static bool HoldsWork(string state) => state is Created or Active or Suspended;

    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (Created, Active) => true,
        (Active, Suspended) => true,
        (Suspended, Active) => true,
        (Active, Completed) => true,
        (Suspended, Completed) => true,
        (Completed, Active) => true, // the refinery returned the work to its worker
        (Completed, Archived) => true,
        (Created or Active or Suspended, Archived) => true, // an abandoned hook (sling rolled back, item released)
        (Idle, Active) => true, // a crew member takes an item
        (Created or Active or Suspended or Completed, Idle) => true, // a crew member's item landed or was released; it keeps its worktree
        (Idle, Archived) => true, // a crew member removed
        _ => from == to,
    };
}

/// <summary>
/// An agent's persistent assignment: which item it works on, in which worktree and branch,
/// with which profile. Kept on disk in the workspace (agents/NAME.json) so an agent can be
/// restarted from it after any crash.
/// </summary>
public sealed record Hook
{
    public required string Agent { get; init; }
    public required string Rig { get; init; }
    public string Role { get; init; } = Roles.Polecat;
    public string? Item { get; init; }
    public required string Branch { get; init; }
    public required string Worktree { get; init; }
    public required string BaseCommit { get; init; }
    public required string Profile { get; init; }
    public string State { get; init; } = HookStates.Created;
    public required string CreatedAt { get; init; }
    public string? UpdatedAt { get; init; }
    public int Restarts { get; init; }
    public string? SubmittedCommit { get; init; }
    public string? Note { get; init; }
    public List<HookEvent> History { get; init; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    public bool HoldsWork => HookStates.HoldsWork(State);

    /// <summary>
    /// The hook of a persistent agent back at rest: idle, holding no item (its worktree, branch and
    /// profile stay, ready for the next item).
    /// </summary>
    public Hook Unhooked(string now, string why) =>
        MoveTo(HookStates.Idle, now, why) with { Item = null, SubmittedCommit = null, Note = null, Restarts = 0 };

    /// <summary>The hook moved to <paramref name="state"/>, or an error if that move is not allowed.</summary>
    /// <param name="note">What the agent said with the move (its done or handoff note), kept in the history.</param>
    public Hook MoveTo(string state, string now, string why, string? note = null)
    {
        if (!HookStates.CanMove(State, state))
            throw new OrcException($"agent {Agent}: its hook is {State} and cannot become {state}");
        return this with
        {
            State = state,
            UpdatedAt = now,
            History = [.. History, new HookEvent(now, State, state, why) { Item = Item, Note = note }],
        };
    }
}

/// <summary>One move of a hook: when, from and to which state, why; the item it held then, and the agent's note if it left one.</summary>
public sealed record HookEvent(string At, string From, string To, string Why)
{
    public string? Item { get; init; }
    public string? Note { get; init; }
    /// <summary>For a handoff: the number of the session it ended.</summary>
    public int? Session { get; init; }
}
