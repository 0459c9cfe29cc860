namespace Orchestrator.Core.Items;

/// <summary>The ledger's housekeeping: delete as a tombstone, epics that close themselves, duplicates and superseded items.</summary>
public sealed partial class ItemOperations
{
    /// <summary>
    /// Deletes an item as bd does: it stays in the ledger as a tombstone (status <c>tombstone</c>,
    /// with bd's <c>deleted_at</c>, <c>deleted_by</c>, <c>delete_reason</c> and <c>original_type</c>),
    /// so a merge with a copy that still has it cannot bring it back. An item that open items wait
    /// for (blocks, or children of an epic) is refused unless <paramref name="force"/>; the result
    /// names them (they no longer wait for it). False when it was already deleted.
    /// </summary>
    public (bool Deleted, List<WorkItem> Unblocked) Delete(string id, string? reason, bool force)
    {
        var item = ledger.Get(id);
        var why = WorkItemRules.Text(reason, "reason");
        if (item.Status == Statuses.Tombstone) return (false, []);
        var waiting = Dependents(item.Id).ToList();
        if (waiting.Count > 0 && !force)
            throw new OrcException($"{item.Id}: {waiting.Count} open item(s) wait for it ({string.Join(", ", waiting.Take(5).Select(w => w.Id))}"
                + $"{(waiting.Count > 5 ? ", …" : "")}); nothing deleted (--force deletes it anyway and they stop waiting for it)");
        var originalType = item.IssueType;
        item.Status = Statuses.Tombstone;
        item.ClosedAt = null;
        item.CloseReason = null;
        item.Extra.RemoveAll(e => e.Key is DeletedAt or DeletedBy or DeleteReason or OriginalType);
        item.Extra.Add(new(DeletedAt, JsonString(_now)));
        item.Extra.Add(new(DeletedBy, JsonString(actor)));
        if (why is { Length: > 0 }) item.Extra.Add(new(DeleteReason, JsonString(why)));
        item.Extra.Add(new(OriginalType, JsonString(originalType)));
        Touch(item);
        CloseFinishedEpics(item);
        return (true, waiting);
    }

    /// <summary>bd's fields on a tombstone.</summary>
    public const string DeletedAt = "deleted_at", DeletedBy = "deleted_by", DeleteReason = "delete_reason", OriginalType = "original_type";

    /// <summary>Open items that wait for <paramref name="id"/>: by an ordering dependency, or as its children.</summary>
    public IEnumerable<WorkItem> Dependents(string id) =>
        ledger.Sorted().Where(i => !i.IsClosed && i.Id != id && i.DependencyList.Any(d => d.DependsOnId == id && DependencyTypes.IsOrdering(d.Type)));

    private static string JsonString(string s) => System.Text.Json.Nodes.JsonValue.Create(s).ToJsonString();

    /// <summary>Epics this change closed because their last open child closed (or was deleted), innermost first.</summary>
    public List<WorkItem> EpicsClosed { get; } = [];

    /// <summary>The reason an epic closed by its last child's closing is given.</summary>
    public const string AllChildrenClosed = "all its children are closed";

    /// <summary>Open epics whose children are all closed: <c>orc item close-eligible</c> closes them.</summary>
    public List<WorkItem> CloseEligible()
    {
        var children = ChildrenByParent();
        return ledger.Sorted().Where(e => IsFinishedEpic(e, children)).ToList();
    }

    /// <summary>Closes the epics in <see cref="CloseEligible"/> (each once), and any epic that completes; returns them.</summary>
    public List<WorkItem> CloseEligibleEpics()
    {
        var finished = CloseEligible();
        foreach (var e in finished) { SetStatus(e, Statuses.Closed, AllChildrenClosed); Touch(e); }
        foreach (var e in finished) CloseFinishedEpics(e);
        return [.. finished, .. EpicsClosed];
    }

    /// <summary>An epic closes itself when its last open child closes, and so on up (a poured molecule's epic is the molecule's to close).</summary>
    private void CloseFinishedEpics(WorkItem item)
    {
        if (item.ParentId is null) return;
        var children = ChildrenByParent();
        var parent = ledger.Find(item.ParentId);
        while (parent is not null && IsFinishedEpic(parent, children))
        {
            SetStatus(parent, Statuses.Closed, AllChildrenClosed);
            Touch(parent);
            EpicsClosed.Add(parent);
            parent = parent.ParentId is { } up ? ledger.Find(up) : null;
        }
    }

    private Dictionary<string, List<WorkItem>> ChildrenByParent()
    {
        var map = new Dictionary<string, List<WorkItem>>(StringComparer.Ordinal);
        foreach (var i in ledger.Items)
            if (i.ParentId is { } p)
            {
                if (!map.TryGetValue(p, out var list)) map[p] = list = [];
                list.Add(i);
            }
        return map;
    }

    private static bool IsFinishedEpic(WorkItem e, Dictionary<string, List<WorkItem>> children) =>
        e.IssueType == IssueTypes.Epic && (e.Status is Statuses.Open or Statuses.Blocked)
        && !e.Labels.Contains(Formulas.MoleculeLabels.Molecule)
        && children.TryGetValue(e.Id, out var kids) && kids.All(k => k.IsClosed);

    /// <summary>
    /// Closes <paramref name="id"/> as a duplicate of <paramref name="canonical"/> (bd's <c>duplicate --of</c>):
    /// a <c>duplicates</c> link to it and the reason "duplicate of CANONICAL". False when it was already closed.
    /// </summary>
    public bool MarkDuplicate(string id, string canonical) => CloseWithLink(id, canonical, DependencyTypes.Duplicates, $"duplicate of {canonical}");

    /// <summary>Closes <paramref name="id"/> as replaced by <paramref name="replacement"/>: a <c>superseded-by</c> link and the reason.</summary>
    public bool MarkSuperseded(string id, string replacement) =>
        CloseWithLink(id, replacement, DependencyTypes.SupersededBy, $"superseded by {replacement}");

    private bool CloseWithLink(string id, string other, string type, string reason)
    {
        var item = ledger.Get(id);
        var target = ledger.Get(other);
        if (item.Id == target.Id) throw new OrcException($"{item.Id} cannot be linked to itself");
        if (item.Status == Statuses.Tombstone) throw new OrcException($"{item.Id} is deleted (tombstone)");
        if (target.Status == Statuses.Tombstone) throw new OrcException($"{target.Id} is deleted (tombstone); link to an item that exists");
        var wasOpen = !item.IsClosed;
        AddDependency(item.Id, target.Id, type);
        if (wasOpen) Close(item.Id, reason);
        return wasOpen;
    }
}
