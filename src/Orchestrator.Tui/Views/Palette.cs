using Terminal.Gui.Drawing;
using Attribute = Terminal.Gui.Drawing.Attribute;

namespace Orchestrator.Tui.Views;

/// <summary>
/// The colours the views draw with, by role: made from a theme, so no view names a colour itself.
/// Agent states and item statuses each have their colour; anything unknown is drawn as normal text.
/// </summary>
internal sealed class Palette
{
    public required Attribute Normal { get; init; }
    public required Attribute Dim { get; init; }
    public required Attribute Title { get; init; }
    public required Attribute Border { get; init; }
    public required Attribute FocusBorder { get; init; }
    public required Attribute Selected { get; init; }
    public required Attribute SelectedInactive { get; init; }
    public required Attribute StatusBar { get; init; }
    public required Attribute StatusKey { get; init; }
    public required IReadOnlyDictionary<string, Attribute> States { get; init; }
    public required IReadOnlyDictionary<string, Attribute> Statuses { get; init; }

    public Attribute State(string state) => States.TryGetValue(state, out var a) ? a : Normal;

    public Attribute Status(string status) => Statuses.TryGetValue(status, out var a) ? a : Normal;

    /// <summary>A palette from role → colour tables (background shared by all roles).</summary>
    public static Palette From(Color background, IReadOnlyDictionary<string, Color> colors, IReadOnlyDictionary<string, Color> states, IReadOnlyDictionary<string, Color> statuses)
    {
        Color C(string role, Color fallback) => colors.TryGetValue(role, out var c) ? c : fallback;
        var fg = C("foreground", new Color(ColorName16.Gray));
        var focus = C("focus", new Color(ColorName16.BrightCyan));
        var selection = C("selection", focus);
        var statusBar = C("status_bar", fg);
        return new Palette
        {
            Normal = new Attribute(fg, background),
            Dim = new Attribute(C("dim", new Color(ColorName16.DarkGray)), background),
            Title = new Attribute(C("title", new Color(ColorName16.White)), background, TextStyle.Bold),
            Border = new Attribute(C("border", new Color(ColorName16.DarkGray)), background),
            FocusBorder = new Attribute(focus, background, TextStyle.Bold),
            Selected = new Attribute(background, selection),
            SelectedInactive = new Attribute(fg, background, TextStyle.Reverse),
            StatusBar = new Attribute(statusBar, background),
            StatusKey = new Attribute(focus, background, TextStyle.Bold),
            States = states.ToDictionary(kv => kv.Key, kv => new Attribute(kv.Value, background)),
            Statuses = statuses.ToDictionary(kv => kv.Key, kv => new Attribute(kv.Value, background)),
        };
    }

    /// <summary>The built-in dark palette, used until a theme is loaded and when a theme cannot be.</summary>
    public static Palette Default { get; } = From(
        new Color(ColorName16.Black),
        new Dictionary<string, Color>(),
        new Dictionary<string, Color>
        {
            ["working"] = new(ColorName16.BrightGreen), ["idle"] = new(ColorName16.Gray), ["waiting"] = new(ColorName16.BrightYellow),
            ["stuck"] = new(ColorName16.Yellow), ["looping"] = new(ColorName16.Magenta), ["error"] = new(ColorName16.Red), ["dead"] = new(ColorName16.BrightRed),
            ["done"] = new(ColorName16.Green), ["stopped"] = new(ColorName16.DarkGray), ["unknown"] = new(ColorName16.Gray),
        },
        new Dictionary<string, Color>
        {
            ["open"] = new(ColorName16.White), ["in_progress"] = new(ColorName16.BrightCyan), ["blocked"] = new(ColorName16.Yellow),
            ["deferred"] = new(ColorName16.DarkGray), ["closed"] = new(ColorName16.Green), ["hooked"] = new(ColorName16.BrightBlue),
            ["pinned"] = new(ColorName16.Magenta),
        });
}
