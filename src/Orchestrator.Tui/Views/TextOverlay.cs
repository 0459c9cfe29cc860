using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;

namespace Orchestrator.Tui.Views;

/// <summary>A scrollable page of text (help, a message, a command's output). j/k or arrows scroll; Esc or q closes.</summary>
internal sealed class TextOverlay : Overlay
{
    private readonly List<string> _lines;
    private int _top;

    public TextOverlay(string title, string text, int screenWidth, int screenHeight)
        : base(title, Math.Min(screenWidth - 4, Math.Max(40, Widest(text) + 4)), Math.Min(screenHeight - 4, text.Split('\n').Length + 3))
    {
        // Whatever the text came from (an item, a message, a command's output), it is drawn, never sent raw.
        _lines = Core.Text.TerminalText.Block(text).Replace("\r", "").Split('\n').Select(l => l.Replace("\t", "    ")).ToList();
    }

    public IReadOnlyList<string> Lines => _lines;

    private static int Widest(string text) => text.Split('\n').Select(l => l.Length).DefaultIfEmpty(0).Max();

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.Q) { Close(); return true; }
        var page = Math.Max(1, Viewport.Height - 1);
        if (key == Key.J || key == Key.CursorDown) _top++;
        else if (key == Key.K || key == Key.CursorUp) _top--;
        else if (key == Key.PageDown || key == Key.Space) _top += page;
        else if (key == Key.PageUp) _top -= page;
        else if (key == Key.G || key == Key.Home) _top = 0;
        else if (key == Key.G.WithShift || key == Key.End) _top = _lines.Count;
        else return base.OnKeyDown(key);
        _top = Math.Clamp(_top, 0, Math.Max(0, _lines.Count - Viewport.Height));
        SetNeedsDraw();
        return true;
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        for (var y = 0; y < Viewport.Height; y++)
        {
            Move(0, y);
            var i = _top + y;
            SetAttribute(Palette.Normal);
            AddStr(ListPane.Pad(i < _lines.Count ? _lines[i] : "", Viewport.Width));
        }
        return true;
    }
}
