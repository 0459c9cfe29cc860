namespace Orchestrator.Core.Items;

/// <summary>
/// One work item ("bead"), with the Beads JSONL field names. Fields orc does not know are kept
/// in <see cref="Extra"/> as raw JSON and written back unchanged. Timestamps are kept as the
/// strings the file holds, so nothing is lost to re-formatting.
/// </summary>
public sealed class WorkItem
{
    public required string Id { get; set; }
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string? Design { get; set; }
    public string? AcceptanceCriteria { get; set; }
    public string? Notes { get; set; }
    public string Status { get; set; } = Statuses.Open;
    public int Priority { get; set; } = 2;
    public string IssueType { get; set; } = IssueTypes.Task;
    public string? Assignee { get; set; }
    public string? Owner { get; set; }
    public string? CreatedBy { get; set; }
    public List<string> Labels { get; set; } = [];
    public List<Dependency> Dependencies { get; set; } = [];
    public List<Comment> Comments { get; set; } = [];
    /// <summary>Files or folders the item expects to own (orc's field, used by the plan).</summary>
    public List<string> Files { get; set; } = [];
    public string? CreatedAt { get; set; }
    public string? UpdatedAt { get; set; }
    public string? ClosedAt { get; set; }
    public string? CloseReason { get; set; }
    public string? DeferUntil { get; set; }
    public string? ExternalRef { get; set; }

    /// <summary>Unknown fields in file order: name and raw JSON value.</summary>
    public List<KeyValuePair<string, string>> Extra { get; set; } = [];

    /// <summary>The exact line this item was read from, while it is unmodified.</summary>
    public ReadOnlyMemory<byte> RawLine { get; private set; }

    public bool HasRawLine => !RawLine.IsEmpty;

    internal void SetRawLine(ReadOnlyMemory<byte> line) => RawLine = line;

    /// <summary>Marks the item changed at <paramref name="now"/>; it will be written from its fields.</summary>
    public void Touch(string now)
    {
        UpdatedAt = now;
        RawLine = default;
    }

    /// <summary>Drops the remembered line so the item is written from its fields.</summary>
    public void MarkDirty() => RawLine = default;

    public bool IsClosed => Status is Statuses.Closed or Statuses.Tombstone;

    public IEnumerable<Dependency> DependenciesOfType(string type) =>
        Dependencies.Where(d => d.Type == type);

    /// <summary>The parent of this item (its parent-child dependency), if any.</summary>
    public string? ParentId => Dependencies.FirstOrDefault(d => d.Type == DependencyTypes.ParentChild)?.DependsOnId;
}

/// <summary>A dependency edge: <see cref="IssueId"/> depends on <see cref="DependsOnId"/>.</summary>
public sealed class Dependency
{
    public string IssueId { get; set; } = "";
    public string DependsOnId { get; set; } = "";
    public string Type { get; set; } = DependencyTypes.Blocks;
    public string? CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public List<KeyValuePair<string, string>> Extra { get; set; } = [];
}

/// <summary>A comment on an item. Ids are numbers, as in Beads.</summary>
public sealed class Comment
{
    public long Id { get; set; }
    public string IssueId { get; set; } = "";
    public string Author { get; set; } = "";
    public string Text { get; set; } = "";
    public string? CreatedAt { get; set; }
    public List<KeyValuePair<string, string>> Extra { get; set; } = [];
}
