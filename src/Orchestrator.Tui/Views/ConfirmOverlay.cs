using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;

namespace Orchestrator.Tui.Views;

/// <summary>A yes/no question for anything destructive: y or Enter on "yes" confirms; n or Esc cancels.</summary>
internal sealed class ConfirmOverlay(string question, Action yes) : Overlay("Confirm", Math.Max(30, question.Length + 6), 4)
{
    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.Y) { Close(); yes(); return true; }
        if (key == Key.N || key == Key.Q) { Close(); return true; }
        return base.OnKeyDown(key) || true; // nothing else gets past a question
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        SetAttribute(Palette.Normal);
        for (var y = 0; y < Viewport.Height; y++) { Move(0, y); AddStr(new string(' ', Viewport.Width)); }
        Move(1, 0);
        AddStr(ListPane.Fit(Core.Text.TerminalText.Line(question), Viewport.Width - 2));
        Move(1, Math.Min(2, Viewport.Height - 1));
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
