using Terminal.Gui.Drawing;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;

namespace Orchestrator.Tui.Views;

/// <summary>
/// A bordered box drawn over the panes (help, a message, a form, a question). It takes the focus
/// while open; Esc closes it and gives the focus back to the pane that had it.
/// </summary>
internal abstract class Overlay : View
{
    protected Overlay(string title, int width, int height)
    {
        Title = title;
        BorderStyle = LineStyle.Double;
        CanFocus = true;
        X = Pos.Center();
        Y = Pos.Center();
        Width = Dim.Auto(minimumContentDim: Dim.Absolute(Math.Max(10, width - 2)), maximumContentDim: Dim.Percent(90));
        Height = Dim.Auto(minimumContentDim: Dim.Absolute(Math.Max(1, height - 2)), maximumContentDim: Dim.Percent(90));
        Arrangement = ViewArrangement.Fixed;
    }

    /// <summary>Called once it is closed (by Esc, an answer, or the caller).</summary>
    public event Action? Closed;

    public Palette Palette { get; set; } = Palette.Default;

    public void Close()
    {
        if (SuperView is { } parent)
        {
            parent.Remove(this);
            Closed?.Invoke();
            Dispose();
        }
    }

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.Esc) { Close(); return true; }
        return false;
    }
}
