using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;
using Attribute = Terminal.Gui.Drawing.Attribute;

namespace Orchestrator.Tui.Panes;

/// <summary>
/// One work item in full, as the Details pane and the item box show it: what <c>orc item show</c>
/// prints (fields, labels, owned files, description, what it depends on down to the roots, its
/// children, what it blocks, comments) and what only the fleet knows (the agent on it, its place in
/// the merge queue). One line each, unwrapped; the caller wraps them to its width.
/// </summary>
internal static class ItemText
{
    /// <param name="whole">Every description line and comment (the item box); else the Details pane's share (40 lines, the last 5 comments).</param>
    public static List<(string Text, Attribute? Color)> Lines(FleetSnapshot s, WorkItem item, Palette palette, bool whole)
    {
        var lines = new List<(string Text, Attribute? Color)>();
        var graph = new DependencyGraph(s.Ledger);
        lines.Add(($"{item.Id}  {item.Title}", palette.Title));
        lines.Add(($"{item.Status} · P{item.Priority} · {item.IssueType}" + (item.Assignee is { } a ? $" · @{a}" : "") + (graph.IsBlocked(item)
            && !item.IsClosed ? " · blocked" : ""), palette.Status(item.Status)));
        if (item.ParentId is { } parent) lines.Add(($"parent: {parent}" + (s.Ledger.Find(parent) is { } p ? $" {p.Title}" : ""), palette.Dim));
        if (item.Labels.Count > 0) lines.Add(("labels: " + string.Join(", ", item.Labels), palette.Dim));
        if (item.Files.Count > 0) lines.Add(("owns: " + string.Join(", ", item.Files), palette.Dim));
        if (s.Agents.FirstOrDefault(x => x.Hook.Item == item.Id) is { } agent)
            lines.Add(($"agent: {agent.Name} on {agent.Rig} ({agent.State}), branch {agent.Hook.Branch}", palette.State(agent.State)));
        if (s.Queue.FirstOrDefault(q => q.Item == item.Id) is { } sub)
            lines.Add(($"merge queue: {sub.State}" + (sub.Reason is { } r ? $" ({r})" : ""), palette.Dim));
        if (whole && item.CreatedAt is { Length: > 0 } created) lines.Add(($"created {created}" + (item.UpdatedAt is { Length: > 0 } updated
            && updated != created ? $" · updated {updated}" : "") + (item.ClosedAt is { Length: > 0 } closed ? $" · closed {closed}" : ""), palette.Dim));
        if (!string.IsNullOrWhiteSpace(item.Description))
        {
            lines.Add(("", null));
            var description = item.Description.Replace("\r", "").Split('\n');
            foreach (var l in whole ? description : description.Take(40)) lines.Add((l, null));
            if (!whole && description.Length > 40) lines.Add(($"… {description.Length - 40} more lines (Enter opens the item)", palette.Dim));
        }
        if (item.DependencyList.Any(d => d.Type is DependencyTypes.Blocks))
        {
            lines.Add(("", null));
            lines.Add(("depends on:", palette.Title));
            Tree(s, graph, item, "  ", lines, [item.Id], 0, palette);
        }
        var children = s.Ledger.ChildrenOf(item.Id).ToList();
        if (children.Count > 0)
        {
            lines.Add(("", null));
            lines.Add(($"children ({children.Count(c => c.IsClosed)}/{children.Count} closed):", palette.Title));
            foreach (var c in DependencyGraph.SortByPriorityThenAge(children))
                lines.Add(($"  {Mark(c, graph)} {c.Id} {c.Title}", palette.Status(c.Status)));
        }
        var dependents = s.Ledger.Items.Where(i => i.DependencyList.Any(d => d.DependsOnId == item.Id && d.Type == DependencyTypes.Blocks)).ToList();
        if (dependents.Count > 0)
        {
            lines.Add(("", null));
            lines.Add(("blocks:", palette.Title));
            foreach (var d in dependents) lines.Add(($"  {Mark(d, graph)} {d.Id} {d.Title}", palette.Status(d.Status)));
        }
        if (item.Comments.Count > 0)
        {
            lines.Add(("", null));
            lines.Add(($"comments ({item.Comments.Count}):", palette.Title));
            foreach (var c in whole ? item.Comments : item.Comments.TakeLast(5))
            {
                lines.Add(($"  {c.Author} {c.CreatedAt}:", palette.Dim));
                var text = c.Text.Replace("\r", "").Split('\n');
                foreach (var l in whole ? text : text.Take(6)) lines.Add(("    " + l, null));
            }
        }
        return lines;
    }

    private static string Mark(WorkItem i, DependencyGraph graph) =>
        i.IsClosed ? "✔" : graph.IsBlocked(i) ? "⧗" : i.Status is Statuses.InProgress or Statuses.Hooked ? "●" : "○";

    private static void Tree(FleetSnapshot s, DependencyGraph graph, WorkItem item, string indent, List<(string, Attribute?)> lines, HashSet<string> path,
        int depth, Palette palette)
    {
        foreach (var d in item.DependencyList.Where(d => d.Type is DependencyTypes.Blocks))
        {
            var dep = s.Ledger.Find(d.DependsOnId);
            if (dep is null) { lines.Add(($"{indent}? {d.DependsOnId} (not in the ledger)", palette.Dim)); continue; }
            lines.Add(($"{indent}{Mark(dep, graph)} {dep.Id} {dep.Title} [{dep.Status}]", palette.Status(dep.Status)));
            if (depth >= 8 || !path.Add(dep.Id)) continue; // deep or a cycle: stop here
            Tree(s, graph, dep, indent + "  ", lines, path, depth + 1, palette);
            path.Remove(dep.Id);
        }
    }
}
