using Orchestrator.Services.Refinery;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;
using Terminal.Gui.Text;
using Terminal.Gui.ViewBase;
using Attribute = Terminal.Gui.Drawing.Attribute;

namespace Orchestrator.Tui.Views;

/// <summary>
/// One candidate waiting for review, over the whole screen (the status line stays): a header
/// (item, title, rig, agent, gate, wait, stat), then the item's description and acceptance
/// criteria and the diff, file by file, added lines in one colour and removed ones in another.
/// j/k or ↑ ↓ scroll, h/l or ← → sideways, PgUp/PgDn (Space) page, g/G or Home/End go to the ends, <c>]</c>/<c>[</c>
/// go to the next/previous file, <c>}</c>/<c>{</c> to the next/previous hunk; <c>a</c> approves
/// and <c>r</c> rejects (the window asks first); Esc or q closes.
/// </summary>
internal sealed class ReviewView : Overlay
{
    private const int HeaderRows = 2;
    private readonly List<ReviewLine> _lines;
    private readonly string _title;
    private readonly string _facts;
    private readonly int _widest;
    private int _top;
    private int _left;

    public ReviewView(ReviewDetail detail) : base($"review {detail.Entry.Submission.Item}", 40, 10)
    {
        Detail = detail;
        (_title, _facts) = ReviewLines.Header(detail);
        _lines = ReviewLines.Of(detail);
        _widest = _lines.Select(l => l.Text.GetColumns()).DefaultIfEmpty(0).Max();
        // The whole screen but the status line, whatever the base box's size.
        X = 0;
        Y = 0;
        Width = Dim.Fill();
        Height = Dim.Fill(1);
    }

    public ReviewDetail Detail { get; }

    public string Item => Detail.Entry.Submission.Item;

    /// <summary><c>a</c>: the window asks, then approves.</summary>
    public Action? Approve { get; set; }

    /// <summary><c>r</c>: the window asks for the reason, then rejects.</summary>
    public Action? Reject { get; set; }

    public IReadOnlyList<ReviewLine> Lines => _lines;

    /// <summary>The first body line shown.</summary>
    public int Top => _top;

    /// <summary>The file of the diff the view is in (the one of its first line; -1 above the diff).</summary>
    public int CurrentFile
    {
        get
        {
            for (var i = Math.Min(_top, _lines.Count - 1); i >= 0; i--)
                if (_lines[i].Kind == ReviewLineKind.File) return _lines[i].File;
            return -1;
        }
    }

    public const string FooterText = "↑↓ PgUp PgDn ←→ scroll · ] [ file · } { hunk · a approve · r reject · Esc back";

    private int BodyRows => Math.Max(1, Viewport.Height - HeaderRows - 1);

    protected override bool OnKeyDown(Key key)
    {
        var ch = FleetWindow.Char(key);
        if (ch == 'q') { Close(); return true; }
        if (ch == 'a') { Approve?.Invoke(); return true; }
        if (ch == 'r') { Reject?.Invoke(); return true; }
        var page = Math.Max(1, BodyRows - 1);
        var before = _top;
        var jump = ch is ']' or '[' or '}' or '{';
        if (key == Key.J || key == Key.CursorDown) _top++;
        else if (key == Key.K || key == Key.CursorUp) _top--;
        else if (key == Key.PageDown || key == Key.Space || key == Key.D.WithCtrl) _top += page;
        else if (key == Key.PageUp || key == Key.U.WithCtrl) _top -= page;
        else if (key == Key.L || key == Key.CursorRight) _left += TextOverlay.SideStep;
        else if (key == Key.H || key == Key.CursorLeft) _left -= TextOverlay.SideStep;
        else if (key == Key.G || key == Key.Home) { _top = 0; _left = 0; }
        else if (key == Key.G.WithShift || key == Key.End) { _top = _lines.Count; before = 0; }
        else if (ch == ']') _top = Next(ReviewLineKind.File, 1);
        else if (ch == '[') _top = Next(ReviewLineKind.File, -1);
        else if (ch == '}') _top = Next(ReviewLineKind.Hunk, 1);
        else if (ch == '{') _top = Next(ReviewLineKind.Hunk, -1);
        else if (key == Key.Tab || key == Key.Tab.WithShift) return true; // the view keeps the focus
        else return base.OnKeyDown(key);
        // A file or hunk near the end is still brought to the top (the view goes past the last line
        // for it); other moves stay within the text, or where such a jump left the view.
        var bottom = Math.Max(0, _lines.Count - BodyRows);
        var last = Math.Max(0, _lines.Count - 1);
        _top = Math.Clamp(_top, 0, jump ? last : Math.Max(bottom, Math.Min(before, last)));
        _left = Math.Clamp(_left, 0, Math.Max(0, _widest - Viewport.Width + 1));
        SetNeedsDraw();
        return true;
    }

    /// <summary>The next (or previous) line of a kind after (before) the top line; where the view is when there is none.</summary>
    private int Next(ReviewLineKind kind, int direction)
    {
        for (var i = _top + direction; i >= 0 && i < _lines.Count; i += direction)
            if (_lines[i].Kind == kind) return i;
        return _top;
    }

    private Attribute ColorOf(ReviewLineKind kind) => kind switch
    {
        ReviewLineKind.Heading or ReviewLineKind.File => Palette.Title,
        ReviewLineKind.Dim => Palette.Dim,
        ReviewLineKind.Warning => Palette.State("waiting"),
        ReviewLineKind.Hunk => Palette.Hunk,
        ReviewLineKind.Added => Palette.Added,
        ReviewLineKind.Removed => Palette.Removed,
        _ => Palette.Normal,
    };

    protected override bool OnDrawingContent(DrawContext? context)
    {
        var width = Viewport.Width;
        void Line(int y, string text, Attribute color)
        {
            Move(0, y);
            SetAttribute(color);
            AddStr(ListPane.Pad(text, width));
        }
        Line(0, _title, Palette.Title);
        Line(1, _facts, Palette.Dim);
        var rows = BodyRows;
        for (var y = 0; y < rows; y++)
        {
            var i = _top + y;
            if (i < _lines.Count) Line(HeaderRows + y, TextOverlay.From(_lines[i].Text, _left), ColorOf(_lines[i].Kind));
            else Line(HeaderRows + y, "", Palette.Normal);
        }
        var shown = _lines.Count == 0 ? "" : $"  {Math.Min(_lines.Count, _top + rows)}/{_lines.Count}";
        Line(Viewport.Height - 1, FooterText.Length + shown.Length <= width ? FooterText + shown : FooterText, Palette.Dim);
        DrawMarks(_top > 0, _top + rows < _lines.Count, rows);
        return true;
    }

    private void DrawMarks(bool above, bool below, int rows)
    {
        if (Viewport.Width < 2) return;
        SetAttribute(Palette.Title);
        if (above) { Move(Viewport.Width - 1, HeaderRows); AddStr("▲"); }
        if (below) { Move(Viewport.Width - 1, HeaderRows + rows - 1); AddStr("▼"); }
    }
}
