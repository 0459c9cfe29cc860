using Orchestrator.Core.Items;

namespace Orchestrator.Core.Ledger;

/// <summary>
/// The work items of a workspace in memory: what a ledger file holds, plus the lines that could
/// not be read. Mutations happen here and are then written back by the adapter that loaded it.
/// </summary>
public sealed class LedgerDocument
{
    private Dictionary<string, WorkItem>? _items;
    // A document read from the index cache makes its items on first use: a query that needs a few
    // (ready, from its precomputed answers) never makes the rest, nor the map of them all.
    private readonly IndexedItems? _indexed;

    public LedgerDocument(IEnumerable<WorkItem>? items = null, IEnumerable<LedgerLineError>? errors = null)
    {
        var map = new Dictionary<string, WorkItem>(items is ICollection<WorkItem> c ? c.Count : 0, StringComparer.Ordinal);
        Errors = errors?.ToList() ?? [];
        foreach (var item in items ?? [])
        {
            if (map.TryGetValue(item.Id, out var existing))
            {
                // Two lines with one id (a hand edit, a bad merge): merge them, as the merge driver would.
                map[item.Id] = LedgerMerge.MergeItem(null, existing, item);
                DuplicateIds.Add(item.Id);
            }
            else
            {
                map.Add(item.Id, item);
            }
        }
        _items = map;
    }

    /// <summary>The items an index describes (unique ids), made when first asked for.</summary>
    internal LedgerDocument(IndexedItems items, List<LedgerLineError> errors, LedgerAnswers answers)
    {
        _indexed = items;
        Errors = errors;
        Answers = answers;
    }

    /// <summary>False while a document read from the index has made none but the items asked for (for tests).</summary>
    internal bool IsMapped => Volatile.Read(ref _items) is not null;

    private Dictionary<string, WorkItem> Map
    {
        get
        {
            if (Volatile.Read(ref _items) is { } map) return map;
            var made = new Dictionary<string, WorkItem>(_indexed!.Count, StringComparer.Ordinal);
            for (var i = 0; i < _indexed.Count; i++)
            {
                var item = _indexed.At(i);
                made.TryAdd(item.Id, item);
            }
            return Interlocked.CompareExchange(ref _items, made, null) ?? made;
        }
    }

    /// <summary>
    /// What the dependency graph answers from this content alone (cycles, readiness but for defer
    /// dates), when the reader already knows it: read from the index cache, or worked out when the
    /// cache was built. Only for documents whose items are not changed in place (summary reads);
    /// <see cref="Add"/> and <see cref="Put"/> drop it.
    /// </summary>
    public LedgerAnswers? Answers { get; set; }

    /// <summary>Parses a ledger file's bytes.</summary>
    public static LedgerDocument Parse(ReadOnlyMemory<byte> data)
    {
        var (items, errors) = LedgerCodec.ReadLines(data);
        return new LedgerDocument(items, errors);
    }

    /// <summary>
    /// Parses a ledger file's bytes with every line checked as <see cref="Parse"/> checks it, but
    /// the long and rarely read fields (descriptions, notes, comments, …) left in each item's line
    /// until first used: the same document, for a fraction of the allocation when a change
    /// touches one item of thousands. Items read their deferred fields under a lock, so the
    /// document can be read from several threads as a parsed one can.
    /// </summary>
    public static LedgerDocument ParseDeferred(ReadOnlyMemory<byte> data)
    {
        var (items, errors) = LedgerCodec.ReadLines(data, deferred: true);
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

    public IReadOnlyCollection<WorkItem> Items => Map.Values;

    public int Count => Volatile.Read(ref _items)?.Count ?? _indexed!.Count;

    /// <summary>Lines that did not parse, with their line numbers.</summary>
    public List<LedgerLineError> Errors { get; }

    /// <summary>Ids that appeared on more than one line and were merged.</summary>
    public List<string> DuplicateIds { get; } = [];

    /// <summary>Conflict blocks a merge left in the file, resolved by item id (see <see cref="LedgerConflict"/>); the next write stores the result.</summary>
    public int ResolvedConflicts { get; init; }

    /// <summary>Whether those blocks were merged against their base (else both sides as they are, the later change winning).</summary>
    public bool ResolvedWithBase { get; init; }

    public bool Contains(string id) => Map.ContainsKey(id);

    public WorkItem? Find(string id) => Map.GetValueOrDefault(id);

    /// <summary>The item, or an error naming the id that is not there.</summary>
    public WorkItem Get(string id) =>
        Map.TryGetValue(id, out var item)
            ? item
            : throw new OrcException($"no work item '{id}'{Suggest(id)}", ExitCodes.NotFound);

    private string Suggest(string id)
    {
        var matches = Map.Keys.Where(k => k.EndsWith(id, StringComparison.Ordinal) || k.StartsWith(id, StringComparison.Ordinal)).Take(3).ToList();
        return matches.Count == 0 ? "" : $" (did you mean {string.Join(", ", matches)}?)";
    }

    public void Add(WorkItem item)
    {
        if (!Map.TryAdd(item.Id, item))
            throw new OrcException($"a work item '{item.Id}' already exists");
        Answers = null;
    }

    /// <summary>Replaces or adds an item by id.</summary>
    public void Put(WorkItem item)
    {
        Map[item.Id] = item;
        Answers = null;
    }

    public IEnumerable<string> Ids => Map.Keys;

    public List<WorkItem> Sorted()
    {
        var list = Map.Values.ToList();
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
        Map.Values.Where(i => i.Dependencies.Any(d => d.Type == DependencyTypes.ParentChild && d.DependsOnId == id));
}
