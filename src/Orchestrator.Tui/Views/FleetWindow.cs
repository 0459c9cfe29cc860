using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Panes;
using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Orchestrator.Tui.Views;

/// <summary>
/// The TUI's one window: the panes a layout names, placed in its columns, a status line (or the
/// prompt line over it) at the bottom, and overlays (help, forms, questions, text) on top. It
/// draws snapshots handed to it with <see cref="Apply"/>; it reads nothing itself. Keys are in
/// the other part of this class.
/// </summary>
internal sealed partial class FleetWindow : Window, IPaneVerbs
{
    private readonly List<ListPane> _panes = [];
    private LayoutSpec _layout;   // in effect: the chosen one, or LayoutSpec.Compact on a screen too small for it
    private LayoutSpec _chosen;
    private Palette _palette;
    private FleetSnapshot? _snapshot;
    private IReadOnlyDictionary<string, string> _screens = new Dictionary<string, string>();
    private Overlay? _overlay;
    private string? _banner;
    private ListPane? _zoomed;

    /// <summary>The pane shown alone (<c>z</c>), or null.</summary>
    public ListPane? Zoomed => _zoomed;

    /// <summary>Shows <paramref name="pane"/> alone over the whole screen, or (null) the layout again.</summary>
    public void Zoom(ListPane? pane)
    {
        var focused = FocusedPane;
        _zoomed = pane;
        Arrange();
        (pane ?? focused)?.SetFocus();
        UpdateKeys();
    }

    public FleetWindow(LayoutSpec layout, Palette palette, TuiHost host)
    {
        Host = host;
        _layout = layout;
        _chosen = layout;
        _palette = palette;
        BorderStyle = LineStyle.None;
        Title = "orc";
        Status = new StatusLine { X = 0, Y = Pos.AnchorEnd(1), Palette = palette };
        Prompt = new PromptLine { X = 0, Y = Pos.AnchorEnd(1) };
        Banner = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1, Visible = false, CanFocus = false };
        Banner.SetScheme(new Scheme(palette.State("dead")));
        Add(Status, Prompt, Banner);
        BuildPanes();
        ViewportChanged += (_, _) => Arrange();
    }

    /// <summary>What the window asks of the world: actions, attaching, the layout and theme catalogs.</summary>
    public TuiHost Host { get; }

    public StatusLine Status { get; }

    public PromptLine Prompt { get; }

    /// <summary>The top line, shown only when the fleet is in trouble a person must act on (its tmux server is gone).</summary>
    public Label Banner { get; }

    /// <summary>
    /// What the banner says for <paramref name="s"/>, or null: the workspace's tmux server is not
    /// running while agents hold work (it crashed or was killed: every agent stopped), with the
    /// one command that brings them back.
    /// </summary>
    public static string? BannerFor(FleetSnapshot s)
    {
        if (s.TmuxRunning) return null;
        var stranded = s.Agents.Count(a => a.Hook.State == Core.Agents.HookStates.Active && a.Hook.HoldsWork);
        return stranded == 0 ? null
            : $"tmux server gone: {stranded} {(stranded == 1 ? "agent" : "agents")} stopped, work kept · run 'orc up' to bring them back";
    }

    public IReadOnlyList<ListPane> Panes => _panes;

    /// <summary>The layout in effect: <see cref="ChosenLayout"/>, or the compact one while the screen is too small for it.</summary>
    public LayoutSpec LayoutSpec => _layout;

    /// <summary>The layout a person chose (L, <c>--layout</c>, <c>tui.layout</c>).</summary>
    public LayoutSpec ChosenLayout => _chosen;

    public Overlay? CurrentOverlay => _overlay;

    public ListPane? FocusedPane => _panes.FirstOrDefault(p => p.HasFocus);

    public T? Pane<T>() where T : ListPane => _panes.OfType<T>().FirstOrDefault();

    /// <summary>Shows a new snapshot (and pane screens) in every pane.</summary>
    public void Apply(FleetSnapshot snapshot, IReadOnlyDictionary<string, string>? screens = null)
    {
        _snapshot = snapshot;
        if (screens is not null) _screens = screens;
        foreach (var p in _panes)
        {
            if (p is TilesPane t) t.SetScreens(_screens);
            p.Show(snapshot);
        }
        var banner = BannerFor(snapshot);
        if (banner != _banner)
        {
            _banner = banner;
            Banner.Text = banner is null ? "" : " " + banner;
            Banner.Visible = banner is not null;
            Arrange();
        }
        if (Collapsed() != _collapsed) Arrange(); // a pane emptied or filled: give its lines to the others or take them back
        var summary = Status.Summary();
        Status.Snapshot = snapshot;
        if (Status.Summary() != summary) Status.SetNeedsDraw();
        FollowSelection();
    }

    /// <summary>Updates only the agents' screens (output arrived), redrawing just the tiles.</summary>
    public void ApplyScreens(IReadOnlyDictionary<string, string> screens)
    {
        _screens = screens;
        foreach (var t in _panes.OfType<TilesPane>()) t.SetScreens(screens);
    }

    public void UseLayout(LayoutSpec layout)
    {
        _chosen = layout;
        Switch(Effective(layout));
    }

    /// <summary>The chosen layout if the screen is big enough for it, else the compact one.</summary>
    private LayoutSpec Effective(LayoutSpec chosen) =>
        Viewport.Width <= 0 || chosen.Fits(Viewport.Width, Viewport.Height) ? chosen : LayoutSpec.Compact;

    private void Switch(LayoutSpec layout)
    {
        var focused = FocusedPane?.Kind;
        var filters = _panes.ToDictionary(p => p.Kind, p => p.Filter);
        _layout = layout;
        _zoomed = null;
        BuildPanes();
        foreach (var p in _panes)
            if (filters.TryGetValue(p.Kind, out var f) && f.Length > 0) p.SetFilter(f);
        if (_snapshot is not null) Apply(_snapshot);
        Focus(focused is not null && layout.Has(focused) ? focused : layout.FocusedPane);
    }

    public void UsePalette(Palette palette)
    {
        _palette = palette;
        Status.Palette = palette;
        Banner.SetScheme(new Scheme(palette.State("dead")));
        foreach (var p in _panes) { p.Palette = palette; p.SetScheme(SchemeFor(palette)); }
        SetScheme(SchemeFor(palette));
        if (_snapshot is not null) Apply(_snapshot);
        SetNeedsDraw();
    }

    private static Scheme SchemeFor(Palette p) => new(p.Normal) { Focus = p.FocusBorder, Normal = p.Border, Active = p.FocusBorder, Editable = p.Normal };

    private void BuildPanes()
    {
        foreach (var p in _panes) { Remove(p); p.Dispose(); }
        _panes.Clear();
        var number = 1;
        foreach (var spec in _layout.AllPanes)
        {
            ListPane pane = spec.Kind switch
            {
                PaneKinds.Rigs => new RigsPane(),
                PaneKinds.Items => new ItemsPane(),
                PaneKinds.Details => new DetailsPane(),
                PaneKinds.Tiles => new TilesPane { TilesPerRow = spec.TilesPerRow },
                PaneKinds.Queue => new QueuePane(),
                PaneKinds.Mail => new MailPane(),
                PaneKinds.Convoys => new ConvoysPane(),
                PaneKinds.Review => new ReviewPane(),
                _ => new FeedPane(),
            };
            pane.Number = number++;
            pane.Palette = _palette;
            pane.SetScheme(SchemeFor(_palette));
            pane.SelectionChanged += _ => FollowSelection();
            pane.HasFocusChanged += (_, _) =>
            {
                UpdateKeys();
                if (_panes.Count == _layout.AllPanes.Count && Collapsed() != _collapsed) Arrange(); // a one-line pane opens while it has the focus
            };
            _panes.Add(pane);
            Add(pane);
        }
        SetScheme(SchemeFor(_palette));
        Arrange();
    }

    /// <summary>Which panes are down to their title line, one flag per pane (see <see cref="Collapsed"/>).</summary>
    private string _collapsed = "";

    /// <summary>
    /// An empty pane that is not focused and not filtered (no agents, no mail, an empty queue)
    /// shrinks to its title line and gives its lines to the other panes of its column; a column
    /// keeps at least one pane open. One character per pane: '1' down to a line, '0' open.
    /// </summary>
    private string Collapsed()
    {
        // Before a snapshot, or while the panes are being made (focus moves as old ones go): all open.
        if (_snapshot is null || _panes.Count != _layout.AllPanes.Count) return new string('0', _panes.Count);
        var flags = new char[_panes.Count];
        var index = 0;
        foreach (var column in _layout.Columns)
        {
            var open = 0;
            for (var r = 0; r < column.Panes.Count; r++, index++)
            {
                var p = _panes[index];
                var shut = column.Panes.Count > 1 && p.Rows.Count == 0 && !p.HasFocus && p.Filter.Length == 0;
                flags[index] = shut ? '1' : '0';
                if (!shut) open++;
            }
            if (open == 0) flags[index - 1] = '0';
        }
        return new string(flags);
    }

    /// <summary>Places the panes for the current size: columns across, panes down each column, the bottom line kept free.</summary>
    private void Arrange()
    {
        if (Effective(_chosen) is var fit && fit != _layout)
        {
            Switch(fit); // builds the panes again, and arranges them
            if (fit == LayoutSpec.Compact)
            {
                var (w, h) = _chosen.MinimumSize;
                Status.Say($"the {_chosen.Name} layout needs {w}x{h}; showing the compact one until the terminal is that big");
            }
            return;
        }
        if (_panes.Count != _layout.AllPanes.Count) return; // being built: arranged once they are all there
        var width = Math.Max(1, Viewport.Width);
        var top = Banner.Visible ? 1 : 0;
        var height = Math.Max(1, Viewport.Height - 1 - top);
        var widths = Config.Size.Distribute(width, _layout.Columns.Select(c => c.Width).ToList(), _layout.Columns.Select(c => c.MinWidth).ToList());
        _collapsed = Collapsed();
        var x = 0;
        var index = 0;
        for (var c = 0; c < _layout.Columns.Count; c++)
        {
            var column = _layout.Columns[c];
            var shut = column.Panes.Select((_, r) => _collapsed[index + r] == '1').ToList();
            var open = Config.Size.Distribute(height - shut.Count(x => x), column.Panes.Where((_, r) => !shut[r]).Select(p => p.Height).ToList());
            var y = top;
            var next = 0;
            for (var r = 0; r < column.Panes.Count; r++)
            {
                var pane = _panes[index++];
                var h = shut[r] ? 1 : open[next++];
                pane.X = x;
                pane.Y = y;
                pane.Width = widths[c];
                pane.Height = h;
                pane.Visible = widths[c] >= 3 && (h >= 3 || shut[r]);
                y += h;
            }
            x += widths[c];
        }
        if (_zoomed is not null && _panes.Contains(_zoomed))
        {
            foreach (var p in _panes) p.Visible = p == _zoomed;
            _zoomed.X = 0;
            _zoomed.Y = top;
            _zoomed.Width = width;
            _zoomed.Height = height;
        }
        SetNeedsLayout();
    }

    /// <summary>The details pane follows the selected item (or the item of the selected agent).</summary>
    private void FollowSelection()
    {
        UpdateKeys();
        if (Pane<DetailsPane>() is not { } details || _snapshot is null) return;
        var source = FocusedPane is ItemsPane or RigsPane or TilesPane ? FocusedPane : Pane<ItemsPane>();
        var item = source is ItemsPane ? source.SelectedKey : (source?.Selected as AgentSelection)?.Agent.Hook.Item;
        if (item is not null || source is ItemsPane) details.ShowItem(item);
    }

    /// <summary>The status bar's hints: the focused pane's bindings that apply to its selection.</summary>
    private void UpdateKeys()
    {
        var pane = FocusedPane;
        IReadOnlyList<KeyHelp> keys = pane is null ? [] :
            pane.Bindings.Where(b => b.InStatusBar && b.Run is not null && b.WhyNot(pane.Selected) is null).Select(b => new KeyHelp(b.Keys, b.What)).ToList();
        if (keys.SequenceEqual(Status.Keys)) return; // unchanged: no frame
        Status.Keys = keys;
        Status.SetNeedsDraw();
    }

    /// <summary>Focuses the first pane of a kind; false when the layout has none.</summary>
    public bool Focus(string kind)
    {
        var pane = _panes.FirstOrDefault(p => p.Kind == kind && p.Visible);
        if (pane is null) return false;
        pane.SetFocus();
        UpdateKeys();
        return true;
    }

    /// <summary>
    /// Shows a box over the panes (closing the ones before, unless <paramref name="over"/>). While
    /// it is open the panes cannot take the focus (not with an arrow, Tab or a click), so its keys,
    /// Esc first, stay with it; when it closes the pane that had the focus gets it back. A box shown
    /// <paramref name="over"/> another (a question asked from the review view) gives the focus back
    /// to that one when it closes.
    /// </summary>
    public void ShowOverlay(Overlay overlay, bool over = false)
    {
        var under = over ? _overlay : null;
        if (under is null)
            while (_overlay is { } open)
            {
                open.Close();
                if (_overlay == open) _overlay = null; // already gone from the window
            }
        var back = FocusedPane;
        overlay.Palette = _palette;
        overlay.SetScheme(SchemeFor(_palette));
        overlay.Closed += () =>
        {
            if (_overlay != overlay) return;
            if (under is { SuperView: not null })
            {
                _overlay = under;
                under.SetFocus();
                UpdateKeys();
                return;
            }
            _overlay = null;
            foreach (var p in _panes) p.CanFocus = true;
            (back is not null && _panes.Contains(back) ? back : _panes.FirstOrDefault(p => p.Kind == _layout.FocusedPane))?.SetFocus();
            UpdateKeys();
        };
        _overlay = overlay;
        Add(overlay);
        overlay.SetFocus();
        if (overlay.SubViews.FirstOrDefault(v => v.CanFocus) is { } first) first.SetFocus();
        foreach (var p in _panes) p.CanFocus = false;
    }
}
