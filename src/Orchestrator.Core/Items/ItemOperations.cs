using Orchestrator.Core.Graph;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Items;

/// <summary>
/// Every change a verb makes to the ledger, as pure functions over a <see cref="LedgerDocument"/>.
/// Each checks all its input before it changes anything, so a rejected call leaves the document
/// as it was. <see cref="Changed"/> collects the ids touched, for the commit message.
/// </summary>
public sealed partial class ItemOperations(LedgerDocument ledger, DateTimeOffset now, string actor, string defaultPrefix)
{
    private readonly string _now = Timestamps.Format(now);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    /// <summary>The ids changed, in the order first changed.</summary>
    public List<string> Changed { get; } = [];

    public LedgerDocument Ledger => ledger;

    public WorkItem Create(CreateItemRequest r)
    {
        var title = WorkItemRules.Title(r.Title);
        var description = WorkItemRules.Text(r.Description, "description");
        var design = WorkItemRules.Text(r.Design, "design");
        var acceptance = WorkItemRules.Text(r.AcceptanceCriteria, "acceptance");
        var notes = WorkItemRules.Text(r.Notes, "notes");
        var type = r.Type is null ? IssueTypes.Task : WorkItemRules.Type(r.Type);
        var priority = r.Priority is null ? 2 : WorkItemRules.Priority(r.Priority);
        var assignee = WorkItemRules.Name(r.Assignee, "assignee");
        var owner = WorkItemRules.Name(r.Owner, "owner");
        var labels = WorkItemRules.Labels(r.Labels);
        var files = WorkItemRules.Files(r.Files);
        WorkItemRules.DependencyCount(r.BlockedBy.Count + (r.ParentId is null ? 0 : 1) + (r.DiscoveredFrom is null ? 0 : 1));
        var defer = string.IsNullOrWhiteSpace(r.DeferUntil) ? null : WorkItemRules.When(r.DeferUntil, now, "defer-until");
        var externalRef = WorkItemRules.Name(r.ExternalRef, "external-ref");
        var prefix = r.Prefix ?? defaultPrefix;
        if (!IdGenerator.IsValidPrefix(prefix)) throw new OrcException($"prefix: '{TerminalText.Line(prefix)}' is not a valid id prefix (lowercase letters and digits, a letter first)");
        var parent = r.ParentId is null ? null : ledger.Get(r.ParentId);
        foreach (var b in r.BlockedBy) ledger.Get(b);
        if (r.DiscoveredFrom is not null) ledger.Get(r.DiscoveredFrom);

        var id = parent is not null
            ? IdGenerator.NextChildId(parent.Id, ledger.Ids)
            : IdGenerator.NewId(prefix, $"{title}\n{actor}\n{_now}", ledger.Count + 1, ledger.Contains);
        var item = new WorkItem
        {
            Id = id,
            Title = title,
            Description = description,
            Design = design,
            AcceptanceCriteria = acceptance,
            Notes = notes,
            IssueType = type,
            Priority = priority,
            Assignee = assignee,
            Owner = owner,
            CreatedBy = actor,
            CreatedAt = _now,
            UpdatedAt = _now,
            Labels = labels,
            Files = files,
            DeferUntil = defer,
            ExternalRef = externalRef,
        };
        if (parent is not null) item.Dependencies.Add(NewDep(id, parent.Id, DependencyTypes.ParentChild));
        foreach (var b in r.BlockedBy.Distinct()) item.Dependencies.Add(NewDep(id, b, DependencyTypes.Blocks));
        if (r.DiscoveredFrom is not null) item.Dependencies.Add(NewDep(id, r.DiscoveredFrom, DependencyTypes.DiscoveredFrom));
        ledger.Add(item);
        MarkChanged(id);
        return item;
    }

    public WorkItem Update(string id, UpdateItemRequest r)
    {
        if (r.IsEmpty) throw new OrcException("nothing to update: give at least one field to change (see 'orc item update --help')", ExitCodes.Usage);
        var item = ledger.Get(id);
        if (item.Status == Statuses.Tombstone) throw new OrcException($"{item.Id} is deleted (tombstone); it cannot be updated");
        var title = r.Title is null ? null : WorkItemRules.Title(r.Title);
        var description = WorkItemRules.Text(r.Description, "description");
        var design = WorkItemRules.Text(r.Design, "design");
        var acceptance = WorkItemRules.Text(r.AcceptanceCriteria, "acceptance");
        var notes = WorkItemRules.Text(r.Notes, "notes");
        var status = r.Status is null ? null : WorkItemRules.Status(r.Status);
        var type = r.Type is null ? null : WorkItemRules.Type(r.Type);
        int? priority = r.Priority is null ? null : WorkItemRules.Priority(r.Priority);
        var assignee = r.Assignee is null ? null : WorkItemRules.Name(r.Assignee, "assignee") ?? "";
        var owner = r.Owner is null ? null : WorkItemRules.Name(r.Owner, "owner") ?? "";
        var defer = r.DeferUntil is null ? null : r.DeferUntil.Length == 0 ? "" : WorkItemRules.When(r.DeferUntil, now, "defer-until");
        var externalRef = r.ExternalRef is null ? null : WorkItemRules.Name(r.ExternalRef, "external-ref") ?? "";
        var files = r.Files is null ? null : WorkItemRules.Files(r.Files);

        if (title is not null) item.Title = title;
        if (description is not null) item.Description = Empty(description);
        if (design is not null) item.Design = Empty(design);
        if (acceptance is not null) item.AcceptanceCriteria = Empty(acceptance);
        if (notes is not null) item.Notes = Empty(notes);
        if (type is not null) item.IssueType = type;
        if (priority is not null) item.Priority = priority.Value;
        if (assignee is not null) item.Assignee = Empty(assignee);
        if (owner is not null) item.Owner = Empty(owner);
        if (defer is not null) item.DeferUntil = Empty(defer);
        if (externalRef is not null) item.ExternalRef = Empty(externalRef);
        if (files is not null) item.Files = files;
        if (status is not null && status != item.Status) SetStatus(item, status, null);
        Touch(item);
        return item;
    }

    /// <summary>Closes the item; false when it was already closed (nothing changed).</summary>
    public bool Close(string id, string? reason)
    {
        var item = ledger.Get(id);
        var why = WorkItemRules.Text(reason, "reason");
        if (item.Status == Statuses.Closed) return false;
        if (item.Status == Statuses.Tombstone) throw new OrcException($"{item.Id} is deleted (tombstone); it cannot be closed");
        SetStatus(item, Statuses.Closed, why);
        Touch(item);
        CloseFinishedEpics(item);
        return true;
    }


    /// <summary>Reopens a closed item; false when it was not closed.</summary>
    public bool Reopen(string id)
    {
        var item = ledger.Get(id);
        if (item.Status == Statuses.Tombstone) throw new OrcException($"{item.Id} is deleted (tombstone); it cannot be reopened");
        if (!item.IsClosed) return false;
        SetStatus(item, Statuses.Open, null);
        Touch(item);
        return true;
    }

    public Comment AddComment(string id, string text)
    {
        var item = ledger.Get(id);
        if (string.IsNullOrWhiteSpace(text)) throw new OrcException("comment: must not be empty");
        var body = WorkItemRules.Text(text, "comment")!;
        var comment = new Comment
        {
            Id = item.Comments.Count == 0 ? 1 : item.Comments.Max(c => c.Id) + 1,
            IssueId = item.Id,
            Author = actor,
            Text = body,
            CreatedAt = _now,
        };
        item.Comments.Add(comment);
        Touch(item);
        return comment;
    }

    /// <summary>Adds labels; returns those that were new.</summary>
    public List<string> AddLabels(string id, IEnumerable<string> labels)
    {
        var item = ledger.Get(id);
        var wanted = WorkItemRules.Labels(labels);
        var has = item.Labels.ToHashSet(StringComparer.Ordinal);
        var added = wanted.Where(l => !has.Contains(l)).ToList();
        if (added.Count == 0) return added;
        if (item.Labels.Count + added.Count > ItemLimits.Labels)
            throw new OrcException($"label: {item.Id} would have {item.Labels.Count + added.Count} labels; the limit is {ItemLimits.Labels}");
        item.Labels.AddRange(added);
        Touch(item);
        return added;
    }

    /// <summary>Removes labels; returns those that were there.</summary>
    public List<string> RemoveLabels(string id, IEnumerable<string> labels)
    {
        var item = ledger.Get(id);
        var has = item.Labels.ToHashSet(StringComparer.Ordinal);
        var removed = WorkItemRules.LabelsToFind(labels).Where(has.Contains).ToList();
        if (removed.Count == 0) return removed;
        var gone = removed.ToHashSet(StringComparer.Ordinal);
        item.Labels.RemoveAll(gone.Contains);
        Touch(item);
        return removed;
    }

    /// <summary>Makes <paramref name="id"/> depend on <paramref name="dependsOn"/>; false if that edge exists.</summary>
    public bool AddDependency(string id, string dependsOn, string type = DependencyTypes.Blocks)
    {
        var t = WorkItemRules.DependencyType(type);
        if (id == dependsOn) throw new OrcException($"{id} cannot depend on itself");
        var item = ledger.Get(id);
        ledger.Get(dependsOn);
        if (item.Dependencies.Any(d => d.DependsOnId == dependsOn && d.Type == t)) return false;
        if (t == DependencyTypes.ParentChild && item.ParentId is { } p)
            throw new OrcException($"{id} already has a parent ({p}); remove that dependency first");
        WorkItemRules.DependencyCount(item.Dependencies.Count + 1);
        if (DependencyTypes.IsOrdering(t) && new DependencyGraph(ledger).CycleIfAdded(id, dependsOn) is { } cycle)
            throw new OrcException($"dependency cycle: {DependencyGraph.Describe(cycle)} (not added)");
        item.Dependencies.Add(NewDep(id, dependsOn, t));
        Touch(item);
        return true;
    }

    /// <summary>Removes dependencies of <paramref name="id"/> on <paramref name="dependsOn"/> (of one type, or all).</summary>
    public int RemoveDependency(string id, string dependsOn, string? type)
    {
        var item = ledger.Get(id);
        var t = type is null ? null : WorkItemRules.DependencyType(type);
        var n = item.Dependencies.RemoveAll(d => d.DependsOnId == dependsOn && (t is null || d.Type == t));
        if (n == 0) throw new OrcException($"{id} has no {(t is null ? "" : t + " ")}dependency on {TerminalText.Line(dependsOn)}", ExitCodes.NotFound);
        Touch(item);
        return n;
    }

    /// <summary>Brings in items from another ledger (e.g. a Beads export): new ids are added, known ones merged.</summary>
    public ImportSummary Import(LedgerDocument incoming)
    {
        int added = 0, updated = 0, unchanged = 0;
        foreach (var item in incoming.Sorted())
        {
            var existing = ledger.Find(item.Id);
            if (existing is null)
            {
                ledger.Add(item);
                MarkChanged(item.Id);
                added++;
                continue;
            }
            if (LedgerMerge.SameContent(existing, item)) { unchanged++; continue; }
            var merged = LedgerMerge.MergeItem(null, existing, item);
            if (LedgerMerge.SameContent(merged, existing)) { unchanged++; continue; }
            // Each side met the limits; their union (labels, files, dependencies) must too.
            try { WorkItemRules.Record(merged); }
            catch (OrcException ex) { throw new OrcException($"item {item.Id}, merged with the ledger's: {ex.Message}; nothing imported"); }
            ledger.Put(merged);
            MarkChanged(item.Id);
            updated++;
        }
        return new ImportSummary(added, updated, unchanged);
    }

    private void SetStatus(WorkItem item, string status, string? reason)
    {
        item.Status = status;
        if (status == Statuses.Closed)
        {
            item.ClosedAt = _now;
            item.CloseReason = Empty(reason ?? "");
        }
        else
        {
            item.ClosedAt = null;
            item.CloseReason = null;
        }
    }

    private void Touch(WorkItem item)
    {
        item.Touch(_now);
        MarkChanged(item.Id);
    }

    private void MarkChanged(string id)
    {
        if (_changed.Add(id)) Changed.Add(id);
    }

    private Dependency NewDep(string id, string on, string type) =>
        new() { IssueId = id, DependsOnId = on, Type = type, CreatedAt = _now, CreatedBy = actor };

    private static string? Empty(string s) => s.Length == 0 ? null : s;
}
