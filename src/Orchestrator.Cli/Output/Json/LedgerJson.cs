using Orchestrator.Core.Agents;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Cli.Output.Json;

/// <summary>shape <c>stats</c>: <c>orc stats</c>; the counts by status, type and priority in their usual order.</summary>
internal sealed record StatsJson(int Total, int Ready, int Blocked, int UnreadableLines,
    Dictionary<string, int> ByStatus, Dictionary<string, int> ByType, Dictionary<string, int> ByPriority);

/// <summary>shape <c>dep-tree</c>: <c>orc item dep tree</c>, one node per item, its dependencies (or dependents) as children.</summary>
internal sealed record DepTreeJson(string Id, string? DependencyType, string? Title, string? Status, int? Priority, bool? Missing, bool? Cycle,
    List<DepTreeJson> Children)
{
    /// <summary>The tree under <paramref name="id"/>, <paramref name="depth"/> levels deep; a node already on the path is a cycle, not expanded.</summary>
    public static DepTreeJson Of(LedgerDocument ledger, string id, string? type, Func<WorkItem, IEnumerable<(string Id, string Type)>> next,
        HashSet<string> path, int depth)
    {
        var item = ledger.Find(id);
        var cycle = path.Contains(id);
        var children = new List<DepTreeJson>();
        if (item is not null && !cycle && depth > 0)
        {
            path.Add(id);
            foreach (var (child, t) in next(item)) children.Add(Of(ledger, child, t, next, path, depth - 1));
            path.Remove(id);
        }
        return new(id, type, item?.Title, item?.Status, item?.Priority, item is null ? true : null, cycle ? true : null, children);
    }
}

/// <summary>shape <c>history</c>: <c>orc history ITEM</c>, each agent session on the item with its notes and comments.</summary>
internal sealed record HistoryJson(string Item, List<HistorySessionJson> Sessions, List<CommentJson> OtherComments)
{
    public static HistoryJson From(ItemHistory h) =>
        new(h.Item,
            h.Sessions.Select(e => new HistorySessionJson(e.Session.Agent, e.Session.Rig, e.Session.Role, e.Session.Profile, e.Session.Number,
                e.Session.StartedAt, e.Session.StartedBy, e.Session.EndedAt, e.Session.Ended,
                e.Session.Notes.Select(n => new SessionNoteJson(n.At, n.Kind, n.Text)).ToList(), e.Comments.Select(CommentJson.From).ToList())).ToList(),
            h.Other.Select(CommentJson.From).ToList());
}

internal sealed record HistorySessionJson(string Agent, string Rig, string Role, string Profile, int Session, string StartedAt, string StartedBy,
    string? EndedAt, string Ended, List<SessionNoteJson> Notes, List<CommentJson> Comments);

internal sealed record SessionNoteJson(string At, string Kind, string Text);

/// <summary>A comment as history lists it: who, when (if known), what.</summary>
internal sealed record CommentJson(string Author, string? CreatedAt, string Text)
{
    public static CommentJson From(Comment c) => new(c.Author, c.CreatedAt, c.Text);
}

/// <summary>shape <c>comment</c>: <c>orc item comment</c>.</summary>
internal sealed record ItemCommentJson(long Id, string IssueId, string Author, string Text, string CreatedAt)
{
    public static ItemCommentJson From(Comment c) => new(c.Id, c.IssueId, c.Author, c.Text, c.CreatedAt ?? "");
}

/// <summary>shape <c>import-summary</c>: <c>orc import</c>.</summary>
internal sealed record ImportSummaryJson(int Added, int Updated, int Unchanged);

/// <summary>shape <c>label-count</c>: <c>orc item label list</c>, one per label, most used first.</summary>
internal sealed record LabelCountJson(string Label, int Count);
