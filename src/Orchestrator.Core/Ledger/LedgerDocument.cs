using Orchestrator.Core.Items;

namespace Orchestrator.Core.Ledger;

/// <summary>
/// The work items of a workspace in memory: what a ledger file holds, plus the lines that could
/// not be read. Mutations happen here and are then written back by the adapter that loaded it.
/// </summary>
public sealed class LedgerDocument
{
    private readonly Dictionary<string, WorkItem> _items;

    public LedgerDocument(IEnumerable<WorkItem>? items = null, IEnumerable<LedgerLineError>? errors = null)
    {
        _items = new Dictionary<string, WorkItem>(items is ICollection<WorkItem> c ? c.Count : 0, StringComparer.Ordinal);
        Errors = errors?.ToList() ?? [];
        foreach (var item in items ?? [])
        {
            if (_items.TryGetValue(item.Id, out var existing))
            {
                // Two lines with one id (a hand edit, a bad merge): merge them, as the merge driver would.
                _items[item.Id] = LedgerMerge.MergeItem(null, existing, item);
                DuplicateIds.Add(item.Id);
            }
            else
            {
                _items.Add(item.Id, item);
            }
        }
    }

    /// <summary>Parses a ledger file's bytes.</summary>
    public static LedgerDocument Parse(ReadOnlyMemory<byte> data)
    {
        var (items, errors) = LedgerCodec.ReadLines(data);
        return new LedgerDocument(items, errors);
    }

    /// <summary>
    /// Parses only what queries need (id, title, status, priority, type, assignee, labels,
    /// created_at, defer_until, dependencies); every item keeps its original line for output.
    /// For read-only verbs: the items cannot be changed.
    /// </summary>
    public static LedgerDocument ParseSummary(ReadOnlyMemory<byte> data)
    {
        var (items, errors) = LedgerCodec.ReadLines(data, summary: true);
        return new LedgerDocument(items, errors);
    }

    public IReadOnlyCollection<WorkItem> Items => _items.Values;

    public int Count => _items.Count;

    /// <summary>Lines that did not parse, with their line numbers.</summary>
    public List<LedgerLineError> Errors { get; }

    /// <summary>Ids that appeared on more than one line and were merged.</summary>
    public List<string> DuplicateIds { get; } = [];

    /// <summary>Conflict blocks a merge left in the file, resolved by item id (see <see cref="LedgerConflict"/>); the next write stores the result.</summary>
    public int ResolvedConflicts { get; init; }

    /// <summary>Whether those blocks were merged against their base (else both sides as they are, the later change winning).</summary>
    public bool ResolvedWithBase { get; init; }

    public bool Contains(string id) => _items.ContainsKey(id);

    public WorkItem? Find(string id) => _items.GetValueOrDefault(id);

    /// <summary>The item, or an error naming the id that is not there.</summary>
    public WorkItem Get(string id) =>
        _items.TryGetValue(id, out var item)
            ? item
            : throw new OrcException($"no work item '{id}'{Suggest(id)}", ExitCodes.NotFound);

    private string Suggest(string id)
    {
        var matches = _items.Keys.Where(k => k.EndsWith(id, StringComparison.Ordinal) || k.StartsWith(id, StringComparison.Ordinal)).Take(3).ToList();
        return matches.Count == 0 ? "" : $" (did you mean {string.Join(", ", matches)}?)";
    }

    public void Add(WorkItem item)
    {
        if (!_items.TryAdd(item.Id, item))
            throw new OrcException($"a work item '{item.Id}' already exists");
    }

    /// <summary>Replaces or adds an item by id.</summary>
    public void Put(WorkItem item) => _items[item.Id] = item;

    public IEnumerable<string> Ids => _items.Keys;

    public List<WorkItem> Sorted()
    {
        var list = _items.Values.ToList();
        SortById(list);
        return list;
    }

    /// <summary>
    /// Sorts by id (<see cref="IdComparer"/>). A ledger read from its file is in order already, with
    /// the items a change added at the end: the items in order are kept as they are and only the
    /// others are sorted and merged in, so saving a change costs a pass, not a sort of the ledger.
    /// </summary>
    public static void SortById(List<WorkItem> items)
    {
        var cmp = IdComparer.Instance;
        var inOrder = 1;
        while (inOrder < items.Count && cmp.Compare(items[inOrder - 1].Id, items[inOrder].Id) <= 0) inOrder++;
        if (inOrder >= items.Count) return;
        var run = new List<WorkItem>(items.Count);
        var others = new List<WorkItem>();
        for (var i = 0; i < items.Count; i++)
        {
            if (run.Count == 0 || cmp.Compare(run[^1].Id, items[i].Id) <= 0) run.Add(items[i]);
            else others.Add(items[i]);
        }
        if (others.Count > items.Count / 8)
        {
            items.Sort((a, b) => cmp.Compare(a.Id, b.Id)); // not mostly in order: a plain sort
            return;
        }
        others.Sort((a, b) => cmp.Compare(a.Id, b.Id));
        items.Clear();
        int r = 0, o = 0;
        while (r < run.Count && o < others.Count)
            items.Add(cmp.Compare(run[r].Id, others[o].Id) <= 0 ? run[r++] : others[o++]);
        while (r < run.Count) items.Add(run[r++]);
        while (o < others.Count) items.Add(others[o++]);
    }

    /// <summary>Direct children of an epic (items with a parent-child dependency on it).</summary>
    public IEnumerable<WorkItem> ChildrenOf(string id) =>
        _items.Values.Where(i => i.Dependencies.Any(d => d.Type == DependencyTypes.ParentChild && d.DependsOnId == id));
}
