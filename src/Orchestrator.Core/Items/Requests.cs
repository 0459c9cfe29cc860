namespace Orchestrator.Core.Items;

/// <summary>What a new work item should hold. Text fields are validated when applied.</summary>
public sealed record CreateItemRequest
{
    public required string Title { get; init; }
    public string? Description { get; init; }
    public string? Design { get; init; }
    public string? AcceptanceCriteria { get; init; }
    public string? Notes { get; init; }
    public string? Type { get; init; }
    public string? Priority { get; init; }
    public string? Assignee { get; init; }
    public string? Owner { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    public IReadOnlyList<string> Files { get; init; } = [];
    public string? ParentId { get; init; }
    /// <summary>Items this one depends on (it is blocked by them).</summary>
    public IReadOnlyList<string> BlockedBy { get; init; } = [];
    public string? DiscoveredFrom { get; init; }
    public string? DeferUntil { get; init; }
    public string? ExternalRef { get; init; }
    /// <summary>The id prefix (a rig's, or the workspace's).</summary>
    public string? Prefix { get; init; }
}

/// <summary>Fields to change; null leaves a field as it is, "" clears an optional one.</summary>
public sealed record UpdateItemRequest
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Design { get; init; }
    public string? AcceptanceCriteria { get; init; }
    public string? Notes { get; init; }
    public string? Status { get; init; }
    public string? Type { get; init; }
    public string? Priority { get; init; }
    public string? Assignee { get; init; }
    public string? Owner { get; init; }
    public string? DeferUntil { get; init; }
    public string? ExternalRef { get; init; }
    public IReadOnlyList<string>? Files { get; init; }

    public bool IsEmpty => this == new UpdateItemRequest();
}

/// <summary>What an import did.</summary>
public sealed record ImportSummary(int Added, int Updated, int Unchanged);
