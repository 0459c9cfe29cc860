using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>
/// The selected work item in full: fields, owned files, description, its dependency tree (what
/// blocks it, down to the roots; its children if it is an epic), the agent on it, and the latest
/// comments. Follows the selection of the items pane (or the item of the selected agent).
/// </summary>
internal sealed class DetailsPane() : ListPane("details", "Details")
{
    private string? _itemId;

    public string? ItemId => _itemId;

    public override string? FilterHelp => null;

    public override IReadOnlyList<KeyHelp> Keys => [new("e", "edit"), new("c", "comment"), new("x", "close"), new("s", "sling")];

    public void ShowItem(string? id)
    {
        if (id == _itemId) return;
        _itemId = id;
        Rebuild();
        Select("0");
    }

    protected override string TitleDetail => _itemId is null ? "" : _itemId;

    protected override List<Row> BuildRows(FleetSnapshot s, string filter)
    {
        var lines = new List<(string Text, Terminal.Gui.Drawing.Attribute? Color)>();
        var item = _itemId is null ? null : s.Ledger.Find(_itemId);
        if (item is null)
        {
            if (_itemId is not null) lines.Add(($"{_itemId} is not in the ledger", Palette.Dim));
            return Numbered(lines);
        }
        var graph = new DependencyGraph(s.Ledger);
        lines.Add(($"{item.Id}  {item.Title}", Palette.Title));
        lines.Add(($"{item.Status} · P{item.Priority} · {item.IssueType}" + (item.Assignee is { } a ? $" · @{a}" : ""), Palette.Status(item.Status)));
        if (item.Labels.Count > 0) lines.Add(("labels: " + string.Join(", ", item.Labels), Palette.Dim));
        if (item.Files.Count > 0) lines.Add(("owns: " + string.Join(", ", item.Files), Palette.Dim));
        if (s.Agents.FirstOrDefault(x => x.Hook.Item == item.Id) is { } agent)
            lines.Add(($"agent: {agent.Name} on {agent.Rig} ({agent.State}), branch {agent.Hook.Branch}", Palette.State(agent.State)));
        if (s.Queue.FirstOrDefault(q => q.Item == item.Id) is { } sub)
            lines.Add(($"merge queue: {sub.State}" + (sub.Reason is { } r ? $" ({r})" : ""), Palette.Dim));
        if (!string.IsNullOrWhiteSpace(item.Description))
        {
            lines.Add(("", null));
            foreach (var l in item.Description.Replace("\r", "").Split('\n').Take(40)) lines.Add((l, null));
        }
        var blockers = item.DependencyList.Where(d => d.Type is DependencyTypes.Blocks).ToList();
        if (blockers.Count > 0)
        {
            lines.Add(("", null));
            lines.Add(("depends on:", Palette.Title));
            Tree(s, item, "  ", lines, [item.Id], 0);
        }
        var children = s.Ledger.ChildrenOf(item.Id).ToList();
        if (children.Count > 0)
        {
            lines.Add(("", null));
            lines.Add(($"children ({children.Count(c => c.IsClosed)}/{children.Count} closed):", Palette.Title));
            foreach (var c in DependencyGraph.SortByPriorityThenAge(children))
                lines.Add(($"  {Mark(c, graph)} {c.Id} {c.Title}", Palette.Status(c.Status)));
        }
        var dependents = s.Ledger.Items.Where(i => i.DependencyList.Any(d => d.DependsOnId == item.Id && d.Type == DependencyTypes.Blocks)).ToList();
        if (dependents.Count > 0)
        {
            lines.Add(("", null));
            lines.Add(("blocks:", Palette.Title));
            foreach (var d in dependents) lines.Add(($"  {Mark(d, graph)} {d.Id} {d.Title}", Palette.Status(d.Status)));
        }
        if (item.Comments.Count > 0)
        {
            lines.Add(("", null));
            lines.Add(($"comments ({item.Comments.Count}):", Palette.Title));
            foreach (var c in item.Comments.TakeLast(5))
            {
                lines.Add(($"  {c.Author} {c.CreatedAt}:", Palette.Dim));
                foreach (var l in c.Text.Replace("\r", "").Split('\n').Take(6)) lines.Add(("    " + l, null));
            }
        }
        return Numbered(lines);
    }

    private static string Mark(WorkItem i, DependencyGraph graph) =>
        i.IsClosed ? "✔" : graph.IsBlocked(i) ? "⧗" : i.Status is Statuses.InProgress or Statuses.Hooked ? "●" : "○";

    private void Tree(FleetSnapshot s, WorkItem item, string indent, List<(string, Terminal.Gui.Drawing.Attribute?)> lines, HashSet<string> path, int depth)
    {
        var graph = new DependencyGraph(s.Ledger);
        foreach (var d in item.DependencyList.Where(d => d.Type is DependencyTypes.Blocks))
        {
            var dep = s.Ledger.Find(d.DependsOnId);
            if (dep is null) { lines.Add(($"{indent}? {d.DependsOnId} (not in the ledger)", Palette.Dim)); continue; }
            lines.Add(($"{indent}{Mark(dep, graph)} {dep.Id} {dep.Title} [{dep.Status}]", Palette.Status(dep.Status)));
            if (depth >= 8 || !path.Add(dep.Id)) continue; // deep or a cycle: stop here
            Tree(s, dep, indent + "  ", lines, path, depth + 1);
            path.Remove(dep.Id);
        }
    }

    private static List<Row> Numbered(List<(string Text, Terminal.Gui.Drawing.Attribute? Color)> lines) =>
        lines.Select((l, i) => new Row(i.ToString(System.Globalization.CultureInfo.InvariantCulture), [new Span(l.Text, l.Color)])).ToList();

    protected override string EmptyText => "select an item";
}
