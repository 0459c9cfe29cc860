using System.Text;
using Orchestrator.Services.Fleet;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;
using Terminal.Gui.Text;
using Terminal.Gui.ViewBase;
using Attribute = Terminal.Gui.Drawing.Attribute;

namespace Orchestrator.Tui.Views;

/// <summary>
/// A bordered pane that shows rows and a selection, moved with j/k, arrows, PageUp/PageDown,
/// g/G (Home/End). The rows are rebuilt from each new snapshot; the selection follows the row's
/// key, so it stays on the same item while the list changes under it. A filter (set with
/// <c>/</c>) narrows the rows; what it matches is up to the pane.
/// </summary>
internal abstract class ListPane : View
{
    private List<Row> _rows = [];
    private int _selected;
    private int _top;

    protected ListPane(string kind, string title)
    {
        Kind = kind;
        BaseTitle = title;
        Title = title;
        CanFocus = true;
        BorderStyle = LineStyle.Rounded;
        // Rows may depend on the width (a narrow events pane drops columns): a new width rebuilds them.
        ViewportChanged += (_, _) => { if (Snapshot is not null && Viewport.Width != _builtWidth) Rebuild(); };
        BindNavigation();
    }

    private int _builtWidth = -1;

    /// <summary>The layout's name for this pane (<c>items</c>, <c>tiles</c>…).</summary>
    public string Kind { get; }

    /// <summary>The title without the position number and filter.</summary>
    public string BaseTitle { get; }

    /// <summary>Its number in the layout (the key that focuses it).</summary>
    public int Number { get; set; }

    public Palette Palette { get; set; } = Palette.Default;

    public string Filter { get; private set; } = "";

    public FleetSnapshot? Snapshot { get; private set; }

    public IReadOnlyList<Row> Rows => _rows;

    /// <summary>The key of the selected row, or null.</summary>
    public string? SelectedKey => _selected >= 0 && _selected < _rows.Count && _rows[_selected].Selectable ? _rows[_selected].Key : null;

    /// <summary>Raised when the selection moves to another row.</summary>
    public event Action<ListPane>? SelectionChanged;

    /// <summary>The rows for a snapshot, filtered.</summary>
    protected abstract List<Row> BuildRows(FleetSnapshot snapshot, string filter);

    /// <summary>What the selected row stands for, or null.</summary>
    public virtual Selection? Selected => _selected >= 0 && _selected < _rows.Count && _rows[_selected].Selectable ? _rows[_selected].Value : null;

    /// <summary>Keys this pane answers to besides moving: its help, its status-bar hints and their dispatch.</summary>
    public virtual IReadOnlyList<PaneBinding> Bindings => [];

    /// <summary>Whether <c>/</c> filters this pane, and what the filter matches.</summary>
    public virtual string? FilterHelp => "text";

    public void Show(FleetSnapshot snapshot)
    {
        Snapshot = snapshot;
        Rebuild();
    }

    public void SetFilter(string filter)
    {
        Filter = filter.Trim();
        Rebuild();
    }

    public void Select(string key)
    {
        var i = _rows.FindIndex(r => r.Key == key && r.Selectable);
        if (i >= 0) MoveTo(i);
    }

    /// <summary>
    /// True for lists with the newest row first (events, mail, the merge queue): while the view is at
    /// the top it stays there as rows arrive, so new rows show (see <see cref="Rebuild"/>).
    /// </summary>
    protected virtual bool NewestFirst => false;

    protected void Rebuild()
    {
        var before = SelectedKey;
        var old = _rows;
        var oldTitle = Title;
        var atTop = _top == 0 && _selected <= NearestSelectable(0, 1);
        _builtWidth = Viewport.Width;
        _rows = Snapshot is null ? [] : BuildRows(Snapshot, Filter);
        var index = before is null ? -1 : _rows.FindIndex(r => r.Key == before && r.Selectable);
        // A newest-first list whose view is at the top follows the new rows, unless a person works in
        // it (focused: the selection keeps its row, so Enter opens what they chose; the events follow anyway).
        if (NewestFirst && atTop && (!HasFocus || Kind == Config.PaneKinds.Feed)) index = 0;
        else if (index < 0) index = Math.Clamp(_selected, 0, Math.Max(0, _rows.Count - 1));
        _selected = NearestSelectable(index, 1);
        UpdateTitle();
        Scroll();
        // A snapshot a second mostly changes nothing: a pane whose rows are the same is not drawn again.
        if (SelectedKey != before || Title != oldTitle || !SameRows(old, _rows)) SetNeedsDraw();
        if (SelectedKey != before) SelectionChanged?.Invoke(this);
    }

    private static bool SameRows(List<Row> a, List<Row> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (a[i].Key != b[i].Key || a[i].Selectable != b[i].Selectable || !a[i].Spans.SequenceEqual(b[i].Spans)) return false;
        return true;
    }

    protected virtual string TitleDetail => "";

    /// <summary>Sets the title again when <see cref="TitleDetail"/> changed other than through new rows.</summary>
    protected void UpdateTitle()
    {
        var t = new StringBuilder();
        if (Number > 0) t.Append(Number).Append(' ');
        t.Append(BaseTitle);
        if (TitleDetail.Length > 0) t.Append(' ').Append(TitleDetail);
        if (Filter.Length > 0) t.Append(" /").Append(Filter);
        Title = t.ToString();
    }

    private int NearestSelectable(int from, int direction)
    {
        if (_rows.Count == 0) return 0;
        for (var i = Math.Clamp(from, 0, _rows.Count - 1); i >= 0 && i < _rows.Count; i += direction)
            if (_rows[i].Selectable) return i;
        for (var i = Math.Clamp(from, 0, _rows.Count - 1); i >= 0 && i < _rows.Count; i -= direction)
            if (_rows[i].Selectable) return i;
        return Math.Clamp(from, 0, _rows.Count - 1);
    }

    private void MoveTo(int index)
    {
        var before = SelectedKey;
        _selected = Math.Clamp(index, 0, Math.Max(0, _rows.Count - 1));
        Scroll();
        SetNeedsDraw();
        if (SelectedKey != before) SelectionChanged?.Invoke(this);
    }

    private void Move(int delta)
    {
        if (_rows.Count == 0) return;
        var i = _selected;
        var step = Math.Sign(delta);
        for (var n = Math.Abs(delta); n > 0; n--)
        {
            var next = i + step;
            while (next >= 0 && next < _rows.Count && !_rows[next].Selectable) next += step;
            if (next < 0 || next >= _rows.Count) break;
            i = next;
        }
        MoveTo(i);
    }

    private int PageSize => Math.Max(1, Viewport.Height - 1);

    private void Scroll()
    {
        var h = Math.Max(1, Viewport.Height);
        if (_selected < _top) _top = _selected;
        if (_selected >= _top + h) _top = _selected - h + 1;
        _top = Math.Clamp(_top, 0, Math.Max(0, _rows.Count - h));
    }

    /// <summary>
    /// Navigation, as Terminal.Gui's commands bound to keys (vi's and the usual ones); the pane's
    /// verbs are its <see cref="Bindings"/>, which the window dispatches with the selection.
    /// </summary>
    private void BindNavigation()
    {
        AddCommand(Command.Down, () => { Move(1); return true; });
        AddCommand(Command.Up, () => { Move(-1); return true; });
        AddCommand(Command.PageDown, () => { Move(PageSize); return true; });
        AddCommand(Command.PageUp, () => { Move(-PageSize); return true; });
        AddCommand(Command.Start, () => { MoveTo(NearestSelectable(0, 1)); return true; });
        AddCommand(Command.End, () => { MoveTo(NearestSelectable(_rows.Count - 1, -1)); return true; });
        foreach (var (key, command) in new[]
        {
            (Key.J, Command.Down), (Key.CursorDown, Command.Down), (Key.K, Command.Up), (Key.CursorUp, Command.Up),
            (Key.PageDown, Command.PageDown), (Key.D.WithCtrl, Command.PageDown), (Key.PageUp, Command.PageUp), (Key.U.WithCtrl, Command.PageUp),
            (Key.Home, Command.Start), (Key.G, Command.Start), (Key.End, Command.End), (Key.G.WithShift, Command.End),
        })
            KeyBindings.ReplaceCommands(key, command);
    }

    protected override void OnHasFocusChanged(bool newHasFocus, View? previousFocusedView, View? focusedView)
    {
        base.OnHasFocusChanged(newHasFocus, previousFocusedView, focusedView);
        SetNeedsDraw();
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        Scroll();
        var width = Viewport.Width;
        for (var y = 0; y < Viewport.Height; y++)
        {
            var index = _top + y;
            Move(0, y);
            if (index >= _rows.Count)
            {
                SetAttribute(Palette.Normal);
                AddStr(new string(' ', width));
                if (index == 0 && _rows.Count == 0) { Move(1, 0); SetAttribute(Palette.Dim); AddStr(Fit(EmptyText, width - 1)); }
                continue;
            }
            var row = _rows[index];
            var selected = index == _selected && row.Selectable;
            var x = 0;
            foreach (var span in row.Spans)
            {
                if (x >= width) break;
                var text = Fit(Core.Text.TerminalText.Line(span.Text), width - x);
                SetAttribute(selected ? (HasFocus ? Palette.Selected : Palette.SelectedInactive) : span.Color ?? Palette.Normal);
                AddStr(text);
                x += text.GetColumns();
            }
            SetAttribute(selected ? (HasFocus ? Palette.Selected : Palette.SelectedInactive) : Palette.Normal);
            if (x < width) AddStr(new string(' ', width - x));
        }
        DrawScrollMarks(_top > 0, _top + Viewport.Height < _rows.Count);
        return true;
    }

    /// <summary>
    /// ▲ in the top right corner of the content when rows are hidden above, ▼ in the bottom right
    /// when rows are hidden below: a list cut by the pane's height says so.
    /// </summary>
    protected void DrawScrollMarks(bool above, bool below)
    {
        if (Viewport.Width < 2 || Viewport.Height < 1) return;
        SetAttribute(Palette.Title);
        if (above) { Move(Viewport.Width - 1, 0); AddStr("▲"); }
        if (below && (Viewport.Height > 1 || !above)) { Move(Viewport.Width - 1, Viewport.Height - 1); AddStr("▼"); }
    }

    /// <summary>What an empty pane says.</summary>
    protected virtual string EmptyText => Filter.Length > 0 ? "nothing matches the filter" : "nothing here yet";

    /// <summary><paramref name="text"/> cut to <paramref name="columns"/> terminal columns (wide characters count twice).</summary>
    public static string Fit(string text, int columns)
    {
        if (columns <= 0) return "";
        if (text.Length <= columns && text.GetColumns() <= columns) return text;
        var sb = new StringBuilder();
        var used = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var w = Math.Max(0, rune.GetColumns());
            if (used + w > columns - 1) { sb.Append('…'); break; }
            sb.Append(rune.ToString());
            used += w;
        }
        return sb.ToString();
    }

    /// <summary>Text padded or cut to exactly <paramref name="columns"/> columns.</summary>
    /// <summary>
    /// A line broken at spaces into lines of at most <paramref name="width"/> columns (a word longer
    /// than that is cut into pieces); the pieces keep the line's indent, so a nested list stays one.
    /// </summary>
    public static IEnumerable<string> Wrap(string line, int width)
    {
        if (width < 4 || line.GetColumns() <= width) return [line];
        var body = line.TrimStart(' ');
        var indent = new string(' ', Math.Min(line.Length - body.Length, width / 2));
        return Terminal.Gui.Text.TextFormatter.WordWrapText(body, width - indent.Length).Select(piece => indent + piece);
    }

    public static string Pad(string text, int columns)
    {
        var fit = Fit(text, columns);
        var w = fit.GetColumns();
        return w < columns ? fit + new string(' ', columns - w) : fit;
    }
}
