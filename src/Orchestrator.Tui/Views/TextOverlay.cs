using System.Text;
using Terminal.Gui.Input;
using Terminal.Gui.Text;
using Terminal.Gui.ViewBase;

namespace Orchestrator.Tui.Views;

/// <summary>
/// A scrollable page of text (help, a message, a command's output): j/k or arrows scroll down and
/// up, h/l or ← → sideways (for long lines), g/G the start and end; Esc or q closes. A last line
/// says what the box answers to when there is something to say (more text to the side, a command
/// running). Prose (an item, a message) is wrapped to the box instead of scrolling sideways.
/// </summary>
internal class TextOverlay : Overlay
{
    /// <summary>Lines a box keeps at most: past that the oldest go (a command that follows a feed runs for hours).</summary>
    public const int MaxLines = 20_000;

    /// <summary>Columns ← and → move the text by.</summary>
    public const int SideStep = 8;

    private readonly List<string> _lines = [];
    private int _top;
    private int _left;
    private int _widest;
    private bool _follow;
    private string? _footer;
    private readonly bool _wrap;
    private List<string>? _wrapped;
    private int _wrappedWidth = -1;

    /// <param name="wrap">Break long lines at spaces to the box's width (prose) instead of scrolling sideways (output, tables).</param>
    public TextOverlay(string title, string text, int screenWidth, int screenHeight, bool wrap = false)
        : base(title, BoxWidth(text, screenWidth), Math.Min(screenHeight - 4, RowsOf(text, wrap ? BoxWidth(text, screenWidth) - 2 : int.MaxValue) + 3))
    {
        _wrap = wrap;
        Add(Clean(text));
    }

    private static int BoxWidth(string text, int screenWidth) => Math.Min(screenWidth - 4, Math.Max(40, Widest(text) + 4));

    private static int RowsOf(string text, int width) =>
        width == int.MaxValue ? text.Split('\n').Length : text.Split('\n').Sum(l => ListPane.Wrap(l, width).Count());

    /// <summary>The lines as drawn: as added, or wrapped to the box's width.</summary>
    private List<string> Shown
    {
        get
        {
            if (!_wrap) return _lines;
            var width = Math.Max(10, Viewport.Width);
            if (_wrapped is null || _wrappedWidth != width)
            {
                _wrapped = [.. _lines.SelectMany(l => ListPane.Wrap(l, width))];
                _wrappedWidth = width;
            }
            return _wrapped;
        }
    }

    /// <summary>An empty box as big as the screen allows, filled with <see cref="Append"/>; it follows the end as lines arrive.</summary>
    protected TextOverlay(string title, int screenWidth, int screenHeight)
        : base(title, screenWidth - 4, screenHeight - 4)
    {
        _follow = true;
    }

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>The lines as the box draws them (wrapped when it wraps).</summary>
    public IReadOnlyList<string> ShownLines => Shown;

    /// <summary>The first column shown (0 unless scrolled sideways).</summary>
    public int Left => _left;

    /// <summary>The last line's text (null: none), followed by a hint to scroll sideways when a line is wider than the box.</summary>
    public string? Footer
    {
        get => _footer;
        set { _footer = value; SetNeedsDraw(); }
    }

    private static int Widest(string text) => text.Split('\n').Select(l => l.Length).DefaultIfEmpty(0).Max();

    // Whatever the text came from (an item, a message, a command's output), it is drawn, never sent raw.
    private static IEnumerable<string> Clean(string text) =>
        Core.Text.TerminalText.Block(text).Replace("\r", "").Split('\n').Select(l => l.Replace("\t", "    "));

    /// <summary>Adds lines at the end (following them if the view was at the end), dropping the oldest past <see cref="MaxLines"/>.</summary>
    public void Append(IEnumerable<string> lines)
    {
        Add(lines.SelectMany(Clean));
        if (_follow) _top = Math.Max(0, Shown.Count - TextRows);
        SetNeedsDraw();
    }

    private void Add(IEnumerable<string> lines)
    {
        foreach (var l in lines)
        {
            _lines.Add(l);
            _widest = Math.Max(_widest, l.GetColumns());
        }
        _wrapped = null;
        var over = _lines.Count - MaxLines;
        if (over > 0)
        {
            _lines.RemoveRange(0, over);
            _top = Math.Max(0, _top - over);
        }
    }

    /// <summary>The footer in effect: the one set, with a hint to scroll sideways when lines are wider than the box.</summary>
    private string? ShownFooter => _wrap || _widest <= Viewport.Width ? _footer : (_footer ?? "Esc closes") + " · ← → scroll sideways";

    private int TextRows => Math.Max(1, Viewport.Height - (ShownFooter is null ? 0 : 1));

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.Q) { Close(); return true; }
        var page = Math.Max(1, TextRows - 1);
        if (key == Key.J || key == Key.CursorDown) _top++;
        else if (key == Key.K || key == Key.CursorUp) _top--;
        else if (key == Key.PageDown || key == Key.Space) _top += page;
        else if (key == Key.PageUp) _top -= page;
        else if (key == Key.L || key == Key.CursorRight) _left += SideStep;
        else if (key == Key.H || key == Key.CursorLeft) _left -= SideStep;
        else if (key == Key.G || key == Key.Home) { _top = 0; _left = 0; }
        else if (key == Key.G.WithShift || key == Key.End) _top = Shown.Count;
        else if (key == Key.Tab || key == Key.Tab.WithShift) return true; // nowhere to go: the box keeps the focus
        else return base.OnKeyDown(key);
        var bottom = Math.Max(0, Shown.Count - TextRows);
        _top = Math.Clamp(_top, 0, bottom);
        _follow = _top == bottom;
        _left = _wrap ? 0 : Math.Clamp(_left, 0, Math.Max(0, _widest - Viewport.Width + 1));
        SetNeedsDraw();
        return true;
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        var rows = TextRows;
        var shown = Shown;
        for (var y = 0; y < rows; y++)
        {
            Move(0, y);
            var i = _top + y;
            SetAttribute(Palette.Normal);
            AddStr(ListPane.Pad(i < shown.Count ? From(shown[i], _left) : "", Viewport.Width));
        }
        if (ShownFooter is { } footer && Viewport.Height > 1)
        {
            Move(0, Viewport.Height - 1);
            SetAttribute(Palette.Dim);
            AddStr(ListPane.Pad(footer, Viewport.Width));
        }
        return true;
    }

    /// <summary>The text from column <paramref name="column"/> on (a wide character cut in two becomes a space).</summary>
    internal static string From(string text, int column)
    {
        if (column <= 0) return text;
        var sb = new StringBuilder();
        var at = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var w = Math.Max(0, rune.GetColumns());
            if (at >= column) sb.Append(rune.ToString());
            else if (at + w > column) sb.Append(' ');
            at += w;
        }
        return sb.ToString();
    }
}
