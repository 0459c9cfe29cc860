using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;
using Terminal.Gui.Text;
using Terminal.Gui.ViewBase;

namespace Orchestrator.Tui.Panes;

/// <summary>
/// A wall of live agent terminals: one tile per agent with a header (agent, rig, role, item,
/// state) and the last lines of its pane, <see cref="TilesPerRow"/> to a row. The selected tile's
/// row is drawn taller. Pane text arrives through <see cref="SetScreens"/> as plain text (captured
/// without escape sequences, and made safe again here).
/// </summary>
internal sealed class TilesPane() : ListPane("tiles", "Agents")
{
    private IReadOnlyDictionary<string, string> _screens = new Dictionary<string, string>();
    // The text each tile on screen was last drawn from, by pane id (null: drawn without a screen).
    private readonly Dictionary<string, string?> _drawn = new(StringComparer.Ordinal);

    public int TilesPerRow { get; set; } = 3;

    /// <summary>The narrowest a tile gets: fewer tiles go to a row than the layout asks when the pane is narrow, so names are not cut.</summary>
    public const int MinTileWidth = 24;

    // How many tiles the last frame showed: the title says "(12 of 31)" when not all fit.
    private int _visible = -1;

    protected override string TitleDetail => Rows.Count == 0 ? "" : _visible >= 0
        && _visible < Rows.Count ? $"({_visible} of {Rows.Count})" : $"({Rows.Count})";

    public override IReadOnlyList<PaneBinding> Bindings => AgentBindings.All;

    public override string? FilterHelp => "agent, rig, item or state";

    /// <summary>
    /// The latest text of each pane, by pane id. Redraws only when a tile on screen would change:
    /// output of agents whose tiles are scrolled away costs no frame.
    /// </summary>
    public void SetScreens(IReadOnlyDictionary<string, string> screens)
    {
        _screens = screens;
        // A tile whose agent gains or loses its pane changes its row (see BuildRows), which redraws it.
        if (_drawn.Any(d => screens.GetValueOrDefault(d.Key) is var now && !ReferenceEquals(now, d.Value) && now != d.Value))
            SetNeedsDraw();
    }

    /// <summary>With agents to show, the tiles cover every cell: Terminal.Gui need not clear the viewport first.</summary>
    protected override bool OnClearingViewport() => CoversViewport;

    private bool CoversViewport => Snapshot is not null && Rows.Count > 0 && Viewport.Width >= 4 && Viewport.Height >= 2;

    protected override List<Row> BuildRows(FleetSnapshot s, string filter) =>
        s.Agents
            .Where(a => filter.Length == 0 || $"{a.Name} {a.Rig} {a.Hook.Item} {a.State} {a.Role}".Contains(filter, StringComparison.OrdinalIgnoreCase))
            .Where(a => a.State != "done" || filter.Length > 0)
            .Select(a => Row.Of("agent:" + a.Name, new AgentSelection(a), new Span(Header(a)), new Span(a.PaneId ?? ""),
                new Span(a.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                new Span(Core.Agents.HookRules.Escalated(a.Hook) ? a.Hook.Note ?? "" : "")))
            .ToList();

    protected override bool OnKeyDown(Key key)
    {
        var index = Rows.ToList().FindIndex(r => r.Key == SelectedKey);
        int? target = null;
        if (key == Key.L || key == Key.CursorRight) target = index + 1;
        else if (key == Key.H || key == Key.CursorLeft) target = index - 1;
        else if (key == Key.CursorDown || key == Key.J) target = index + TilesPerRow;
        else if (key == Key.CursorUp || key == Key.K) target = index - TilesPerRow;
        if (target is { } t)
        {
            if (Rows.Count > 0) Select(Rows[Math.Clamp(t, 0, Rows.Count - 1)].Key);
            return true;
        }
        return base.OnKeyDown(key);
    }

    protected override string EmptyText => Filter.Length > 0 ? "no agent matches the filter" : "no agents; select an item and press s to sling it";

    protected override bool OnDrawingContent(DrawContext? context)
    {
        var width = Viewport.Width;
        var height = Viewport.Height;
        _drawn.Clear();
        var agents = Snapshot is null ? [] : Rows.Select(r => Snapshot.Agents.FirstOrDefault(a => "agent:" + a.Name == r.Key)).OfType<FleetAgent>().ToList();
        if (agents.Count < Rows.Count || !CoversViewport)
        {
            // The tiles will not cover every cell (and Terminal.Gui was told not to clear): blank it first.
            SetAttribute(Palette.Normal);
            for (var y = 0; y < height; y++) { Move(0, y); AddStr(new string(' ', Math.Max(0, width))); }
        }
        if (agents.Count == 0)
        {
            Move(1, 0);
            SetAttribute(Palette.Dim);
            AddStr(Fit(EmptyText, width - 1));
            return true;
        }
        var perRow = Math.Clamp(TilesPerRow, 1, Math.Max(1, width / MinTileWidth));
        var rowCount = (agents.Count + perRow - 1) / perRow;
        var selected = Math.Max(0, agents.FindIndex(a => "agent:" + a.Name == SelectedKey));
        var selectedRow = selected / perRow;
        // Tiles are at least 4 lines tall; the selected row gets half the pane when there is room.
        const int minHeight = 4;
        var fit = Math.Max(1, height / minHeight);
        var firstRow = Math.Clamp(selectedRow - fit + 1, 0, Math.Max(0, rowCount - fit));
        var visibleRows = Math.Min(fit, rowCount - firstRow);
        var heights = new int[visibleRows];
        if (visibleRows == 1) heights[0] = height;
        else
        {
            var big = Math.Max(minHeight, height / 2);
            var rest = (height - big) / (visibleRows - 1);
            if (rest < minHeight) { big = minHeight; rest = (height - big) / Math.Max(1, visibleRows - 1); }
            for (var r = 0; r < visibleRows; r++) heights[r] = firstRow + r == selectedRow ? big : rest;
            heights[^1] += height - heights.Sum();
        }
        var shown = Math.Min(agents.Count, (firstRow + visibleRows) * perRow) - firstRow * perRow;
        if (shown != _visible) { _visible = shown; UpdateTitle(); }
        var y0 = 0;
        for (var r = 0; r < visibleRows; r++)
        {
            var row = firstRow + r;
            var inRow = Math.Min(perRow, agents.Count - row * perRow);
            var tileWidth = width / perRow;
            for (var c = 0; c < inRow; c++)
            {
                var i = row * perRow + c;
                var w = c == perRow - 1 || c == inRow - 1 ? width - c * tileWidth : tileWidth;
                DrawTile(agents[i], c * tileWidth, y0, w, heights[r], i == selected);
            }
            y0 += heights[r];
        }
        return true;
    }

    /// <summary>
    /// What a tile's top line says. It is part of the tile's row, with what else a tile is drawn
    /// from besides its screen (pane, exit status, a question), so a change of any of them (stopped
    /// to idle, a new item) redraws the tile with the next snapshot. The name comes first, then what
    /// matters most to least (item, state, rig, role), so a narrow tile cuts the least useful.
    /// </summary>
    private static string Header(FleetAgent a) => $"{StateGlyphs.State(a.State)} {a.Name} · {a.Hook.Item ?? "-"} · {a.State} · {a.Rig} · {a.Role}";

    private void DrawTile(FleetAgent a, int x, int y, int w, int h, bool selected)
    {
        if (w < 4 || h < 2) return;
        var frame = selected ? (HasFocus ? Palette.FocusBorder : Palette.Title) : Palette.Border;
        // Header: the tile's top line carries who it is and what it does.
        var header = Header(a);
        Move(x, y);
        SetAttribute(frame);
        AddStr(selected ? "▛" : "┌");
        SetAttribute(selected ? (HasFocus ? Palette.Selected : Palette.SelectedInactive) : Palette.State(a.State));
        var head = Fit(" " + header + " ", w - 2);
        AddStr(head);
        SetAttribute(frame);
        AddStr(new string(selected ? '▀' : '─', Math.Max(0, w - 2 - head.GetColumns())));
        AddStr(selected ? "▜" : "┐");
        var body = h - 1;
        var lines = ScreenLines(a, body);
        for (var i = 0; i < body; i++)
        {
            Move(x, y + 1 + i);
            SetAttribute(frame);
            AddStr(selected ? "▌" : "│");
            SetAttribute(i < lines.Count ? Palette.Normal : Palette.Dim);
            AddStr(Pad(i < lines.Count ? lines[i] : "", w - 2));
            SetAttribute(frame);
            AddStr(selected ? "▐" : "│");
        }
    }

    /// <summary>The last <paramref name="count"/> non-trailing-blank lines of the agent's pane, safe to draw.</summary>
    private List<string> ScreenLines(FleetAgent a, int count)
    {
        string? text = null;
        if (a.PaneId is not null) _drawn[a.PaneId] = text = _screens.GetValueOrDefault(a.PaneId);
        if (text is null && Core.Agents.HookRules.Escalated(a.Hook))
            return ["(asked for a person)", Core.Text.TerminalText.Line(a.Hook.Note ?? ""), $"orc resume {a.Name} (when it can go on)"];
        if (text is null)
            return [a.State is "dead" or "stopped" or "done" ? (Core.Agents.AgentStates.Spoken(a.State,
                a.ExitStatus) is Core.Agents.AgentStates.Exited
                ? "(exited)" : $"({a.State}{(a.ExitStatus is { } e ? $", exit {e}" : "")})") : "(waiting for output)"];
        var lines = Core.Text.TerminalText.Block(text).Replace("\r", "").Split('\n').Select(l => l.Replace("\t", "    ").TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines.Skip(Math.Max(0, lines.Count - count)).ToList();
    }
}
