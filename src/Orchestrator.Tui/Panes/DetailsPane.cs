using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>
/// The selected work item in full (<see cref="ItemText"/>), wrapped to the pane's width. Follows the
/// selection of the items pane (or the item of the selected agent).
/// </summary>
internal sealed class DetailsPane() : ListPane("details", "Details")
{
    private string? _itemId;

    public string? ItemId => _itemId;

    public override string? FilterHelp => null;

    public override IReadOnlyList<PaneBinding> Bindings { get; } =
        [PaneBinding.On<ItemSelection>("Enter", "all of it", (v, s) => v.ShowItem(s.Id, inBox: true), "select an item") with { InStatusBar = false },
            .. ItemBindings.All];

    /// <summary>The item shown, whatever line is selected.</summary>
    public override Selection? Selected => _itemId is { } id ? new ItemSelection(id) : null;

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
        var item = _itemId is null ? null : s.Ledger.Find(_itemId);
        if (item is null)
            return _itemId is null ? [] : Numbered([($"{_itemId} is not in the ledger", Palette.Dim)]);
        // Wrapped to the pane's width, so nothing is cut; ↑ ↓ scroll what does not fit.
        var width = Math.Max(20, Viewport.Width - 1);
        return Numbered([.. ItemText.Lines(s, item, Palette, whole: false).SelectMany(l => Wrap(l.Text, width).Select(w => (w, l.Color)))]);
    }

    private static List<Row> Numbered(List<(string Text, Terminal.Gui.Drawing.Attribute? Color)> lines) =>
        lines.Select((l, i) => new Row(i.ToString(System.Globalization.CultureInfo.InvariantCulture), [new Span(l.Text, l.Color)])).ToList();

    protected override string EmptyText => "select an item";
}
