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
    public string? Description { get { Hydrate(); return _description; } set { Hydrate(); _description = value; } }
    public string? Design { get { Hydrate(); return _design; } set { Hydrate(); _design = value; } }
    public string? AcceptanceCriteria { get { Hydrate(); return _acceptanceCriteria; } set { Hydrate(); _acceptanceCriteria = value; } }
    public string? Notes { get { Hydrate(); return _notes; } set { Hydrate(); _notes = value; } }
    public string Status { get; set; } = Statuses.Open;
    public int Priority { get; set; } = 2;
    public string IssueType { get; set; } = IssueTypes.Task;
    public string? Assignee { get; set; }
    public string? Owner { get { Hydrate(); return _owner; } set { Hydrate(); _owner = value; } }
    public string? CreatedBy { get { Hydrate(); return _createdBy; } set { Hydrate(); _createdBy = value; } }
    // The lists are made on first use: a query over 100,000 items touches few of them.
    private List<string>? _labels;
    private List<Dependency>? _dependencies;
    private List<Comment>? _comments;
    private List<string>? _files;
    private List<KeyValuePair<string, string>>? _extra;
    private string? _description, _design, _acceptanceCriteria, _notes, _owner, _createdBy, _updatedAt, _closedAt, _closeReason, _externalRef;

    public List<string> Labels { get => _labels ??= []; set => _labels = value; }
    public List<Dependency> Dependencies { get => _dependencies ??= []; set => _dependencies = value; }
    public List<Comment> Comments { get { Hydrate(); return _comments ??= []; } set { Hydrate(); _comments = value; } }
    /// <summary>Files or folders the item expects to own (orc's field, used by the plan).</summary>
    public List<string> Files { get { Hydrate(); return _files ??= []; } set { Hydrate(); _files = value; } }

    /// <summary>The dependencies, without making an empty list when there are none.</summary>
    public IReadOnlyList<Dependency> DependencyList => (IReadOnlyList<Dependency>?)_dependencies ?? [];
    public string? CreatedAt { get; set; }
    public string? UpdatedAt { get { Hydrate(); return _updatedAt; } set { Hydrate(); _updatedAt = value; } }
    public string? ClosedAt { get { Hydrate(); return _closedAt; } set { Hydrate(); _closedAt = value; } }
    public string? CloseReason { get { Hydrate(); return _closeReason; } set { Hydrate(); _closeReason = value; } }
    public string? DeferUntil { get; set; }
    public string? ExternalRef { get { Hydrate(); return _externalRef; } set { Hydrate(); _externalRef = value; } }

    /// <summary>Unknown fields in file order: name and raw JSON value.</summary>
    public List<KeyValuePair<string, string>> Extra { get { Hydrate(); return _extra ??= []; } set { Hydrate(); _extra = value; } }

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

    // Not null while the fields a deferred read left out (the long texts, comments, files, unknown
    // fields and the rarely read ones) are still only in RawLine, which was checked when it was
    // read; they are read from it when first used, under this lock (one per read document).
    private object? _deferred;

    /// <summary>Leaves the fields <see cref="Ledger.LedgerCodec"/> defers to be read from the raw line on first use.</summary>
    internal void Defer(object gate) => _deferred = gate;

    /// <summary>True while the deferred fields have not been read yet (for tests).</summary>
    internal bool IsDeferred => Volatile.Read(ref _deferred) is not null;

    private void Hydrate()
    {
        if (Volatile.Read(ref _deferred) is { } gate) HydrateFrom(gate);
    }

    private void HydrateFrom(object gate)
    {
        lock (gate)
        {
            if (_deferred is null) return; // another thread read them meanwhile
            var full = Ledger.LedgerCodec.ReadFull(RawLine.Span);
            _description = full._description;
            _design = full._design;
            _acceptanceCriteria = full._acceptanceCriteria;
            _notes = full._notes;
            _owner = full._owner;
            _createdBy = full._createdBy;
            _updatedAt = full._updatedAt;
            _closedAt = full._closedAt;
            _closeReason = full._closeReason;
            _externalRef = full._externalRef;
            _files = full._files;
            _comments = full._comments;
            _extra = full._extra;
            Volatile.Write(ref _deferred, null);
        }
    }

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
        Hydrate(); // the line is about to go: what was deferred is read from it first
        RawLine = default;
    }

    public bool IsClosed => Status is Statuses.Closed or Statuses.Tombstone;

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
