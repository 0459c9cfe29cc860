using Terminal.Gui.Input;
using Terminal.Gui.Text;
using Terminal.Gui.ViewBase;

namespace Orchestrator.Tui.Views;

/// <summary>
/// A yes/no question for anything destructive: y confirms; n, q or Esc cancels. A long question
/// is wrapped over a few lines rather than cut off.
/// </summary>
internal sealed class ConfirmOverlay : Overlay
{
    private const int MaxColumns = 70;
    private readonly Action _yes;
    private readonly List<string> _lines;

    public ConfirmOverlay(string question, Action yes) : this(Wrap(Core.Text.TerminalText.Line(question), MaxColumns), yes) { }

    private ConfirmOverlay(List<string> lines, Action yes)
        : base("Confirm", Math.Max(30, lines.Max(l => l.GetColumns()) + 4), lines.Count + 4)
    {
        _lines = lines;
        _yes = yes;
    }

    /// <summary>The question as drawn, one entry a line.</summary>
    public IReadOnlyList<string> Lines => _lines;

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.Y) { Close(); _yes(); return true; }
        if (key == Key.N || key == Key.Q) { Close(); return true; }
        return base.OnKeyDown(key) || true; // nothing else gets past a question
    }

    /// <summary>Words over lines of at most <paramref name="columns"/> columns (a longer word is cut when drawn).</summary>
    internal static List<string> Wrap(string text, int columns)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && (line + " " + word).GetColumns() > columns) { lines.Add(line); line = ""; }
            line = line.Length == 0 ? word : line + " " + word;
        }
        lines.Add(line);
        return lines;
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        SetAttribute(Palette.Normal);
        for (var y = 0; y < Viewport.Height; y++) { Move(0, y); AddStr(new string(' ', Viewport.Width)); }
        for (var i = 0; i < _lines.Count && i < Viewport.Height; i++)
        {
            Move(1, i);
            AddStr(ListPane.Fit(_lines[i], Viewport.Width - 2));
        }
        Move(1, Math.Min(_lines.Count + 1, Viewport.Height - 1));
        SetAttribute(Palette.StatusKey);
        AddStr("y");
        SetAttribute(Palette.Normal);
        AddStr(" yes   ");
        SetAttribute(Palette.StatusKey);
        AddStr("n");
        SetAttribute(Palette.Normal);
        AddStr(" no");
        return true;
    }
}
