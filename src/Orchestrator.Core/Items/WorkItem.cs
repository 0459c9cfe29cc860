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
    // The lists are made on first use: a query over 100,000 items touches few of them.
    private List<string>? _labels;
    private List<Dependency>? _dependencies;
    private List<Comment>? _comments;
    private List<string>? _files;
    private List<KeyValuePair<string, string>>? _extra;

    public List<string> Labels { get => _labels ??= []; set => _labels = value; }
    public List<Dependency> Dependencies { get => _dependencies ??= []; set => _dependencies = value; }
    public List<Comment> Comments { get => _comments ??= []; set => _comments = value; }
    /// <summary>Files or folders the item expects to own (orc's field, used by the plan).</summary>
    public List<string> Files { get => _files ??= []; set => _files = value; }

    /// <summary>The dependencies, without making an empty list when there are none.</summary>
    public IReadOnlyList<Dependency> DependencyList => (IReadOnlyList<Dependency>?)_dependencies ?? [];
    public string? CreatedAt { get; set; }
    public string? UpdatedAt { get; set; }
    public string? ClosedAt { get; set; }
    public string? CloseReason { get; set; }
    public string? DeferUntil { get; set; }
    public string? ExternalRef { get; set; }

    /// <summary>Unknown fields in file order: name and raw JSON value.</summary>
    public List<KeyValuePair<string, string>> Extra { get => _extra ??= []; set => _extra = value; }

    /// <summary>The exact line this item was read from, while it is unmodified.</summary>
    public ReadOnlyMemory<byte> RawLine { get; private set; }

    public bool HasRawLine => !RawLine.IsEmpty;

    internal void SetRawLine(ReadOnlyMemory<byte> line) => RawLine = line;

    /// <summary>
    /// True when only the fields that queries need were read (see <c>LedgerDocument.ParseSummary</c>).
    /// Such an item is written only as its original line; changing it is refused.
    /// </summary>
    public bool IsSummary { get; private set; }

    internal void MarkSummary() => IsSummary = true;

    /// <summary>Marks the item changed at <paramref name="now"/>; it will be written from its fields.</summary>
    public void Touch(string now)
    {
        MarkDirty();
        UpdatedAt = now;
    }

    /// <summary>Drops the remembered line so the item is written from its fields.</summary>
    public void MarkDirty()
    {
        if (IsSummary) throw new InvalidOperationException($"{Id} was read as a summary and cannot be changed");
        RawLine = default;
    }

    public bool IsClosed => Status is Statuses.Closed or Statuses.Tombstone;

    public IEnumerable<Dependency> DependenciesOfType(string type) =>
        Dependencies.Where(d => d.Type == type);

    /// <summary>The parent of this item (its parent-child dependency), if any.</summary>
    public string? ParentId
    {
        get
        {
            foreach (var d in DependencyList)
                if (d.Type == DependencyTypes.ParentChild) return d.DependsOnId;
            return null;
        }
    }
}

/// <summary>A dependency edge: <see cref="IssueId"/> depends on <see cref="DependsOnId"/>.</summary>
public sealed class Dependency
{
    public string IssueId { get; set; } = "";
    public string DependsOnId { get; set; } = "";
    public string Type { get; set; } = DependencyTypes.Blocks;
    public string? CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    private List<KeyValuePair<string, string>>? _extra; // made on first use: most dependencies have none
    public List<KeyValuePair<string, string>> Extra { get => _extra ??= []; set => _extra = value; }
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
