using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Services.Fleet;
using Orchestrator.Services.Planning;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>
/// Work items, by priority then age, filtered with the item query (<c>/ready rig:app #ui</c>):
/// status, ready, blocked, rig, assignee, label, type, priority and text. Closed items are hidden
/// unless the filter says <c>all</c> or names the status. Row keys are item ids.
/// </summary>
internal sealed class ItemsPane() : ListPane("items", "Items")
{
    private int _shown;
    private int _total;

    public override IReadOnlyList<PaneBinding> Bindings { get; } =
        [PaneBinding.On<ItemSelection>("Enter", "show", (v, s) => v.ShowItem(s.Id, inBox: false), "select an item") with { InStatusBar = false },
            .. ItemBindings.All];

    public override string? FilterHelp => "ready blocked all status:S rig:R @assignee #label type:T p:N text";

    protected override string TitleDetail => _total == 0 ? "" : $"({_shown}/{_total})";

    protected override List<Row> BuildRows(FleetSnapshot s, string filter)
    {
        var query = ItemQuery.Parse(filter);
        var graph = new DependencyGraph(s.Ledger);
        var ready = query.Ready ? graph.Ready(s.TakenAt).Select(i => i.Id).ToHashSet(StringComparer.Ordinal) : null;
        // Agents holding no item (the mayor, idle crew) are left out; of two hooks on one item (a
        // finished one and the one working it again), the one holding the work counts.
        var hooks = s.Agents.Where(a => a.Hook.Item is not null).GroupBy(a => a.Hook.Item!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(a => a.Hook.HoldsWork).First().Hook, StringComparer.Ordinal);
        var rows = new List<Row>();
        var items = DependencyGraph.SortByPriorityThenAge(s.Ledger.Items.ToList());
        _total = items.Count;
        var idWidth = Math.Min(16, items.Select(i => i.Id.Length).DefaultIfEmpty(4).Max());
        foreach (var item in items)
        {
            var blocked = (query.Blocked || !item.IsClosed) && (item.Status == Statuses.Blocked || graph.IsBlocked(item));
            if (!query.Matches(item, ready?.Contains(item.Id) ?? false, blocked, query.Rig is null ? null : PlanService.RigOf(item,
                hooks.GetValueOrDefault(item.Id), s.Rigs)))
                continue;
            var status = blocked && item.Status == Statuses.Open ? "blocked" : item.Status;
            rows.Add(Row.Of(item.Id, new ItemSelection(item.Id),
                new Span(StatusGlyph(status) + " ", Palette.Status(status)),
                new Span(Pad(item.Id, idWidth) + " "),
                new Span($"P{item.Priority} ", item.Priority <= 1 ? Palette.State("waiting") : Palette.Dim),
                new Span(item.Title),
                new Span(item.Assignee is { } who ? "  @" + who : "", Palette.Dim)));
        }
        _shown = rows.Count;
        return rows;
    }

    /// <summary>A status in one column (the details pane spells it out).</summary>
    public static string StatusGlyph(string status) => status switch
    {
        Statuses.Open => "○",
        Statuses.InProgress => "◐",
        Statuses.Hooked => "●",
        Statuses.Blocked => "⧗",
        Statuses.Closed => "✔",
        Statuses.Deferred => "…",
        Statuses.Pinned => "◆",
        _ => "·",
    };

    protected override string EmptyText => Filter.Length > 0 ? "no item matches the filter" : "no open items; press n to create one";
}
