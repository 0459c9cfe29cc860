namespace Orchestrator.Core.Agents;

/// <summary>
/// An item waiting for a free polecat slot on its rig (<c>dispatch/ITEM.json</c>, committed): a
/// sling over <c>max_polecats</c> queues it instead of failing, and the deacon slings queued items,
/// oldest first, as slots free.
/// </summary>
public sealed record DispatchEntry
{
    public required string Item { get; init; }
    public required string Rig { get; init; }
    public string? Agent { get; init; }
    public string? Profile { get; init; }
    public required string QueuedAt { get; init; }
    public required string By { get; init; }
}

/// <summary>A rig has no free polecat slot (<c>max_polecats</c>).</summary>
public sealed class AtCapacityException(string message) : OrcException(message);
