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

    /// <summary>A diff's added lines: the colour of work that is done (a closed item).</summary>
    public Attribute Added => Status("closed");

    /// <summary>A diff's removed lines: the colour of trouble (a dead agent).</summary>
    public Attribute Removed => State("dead");

    /// <summary>A diff's hunk headers (<c>@@ … @@</c>): the colour of work in progress.</summary>
    public Attribute Hunk => Status("in_progress");

    /// <summary>A palette from role → colour tables (background shared by all roles).</summary>
    public static Palette From(Color background, IReadOnlyDictionary<string, Color> colors, IReadOnlyDictionary<string, Color> states,
        IReadOnlyDictionary<string, Color> statuses)
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
            // The selected row: on the theme's selection colour, in whichever of the title and
            // background colours reads better on it; in a pane without the focus, on the quieter
            // border colour, so the focused pane's bar is the one that stands out.
            Selected = new Attribute(Readable(selection, C("title", new Color(ColorName16.White)), background), selection),
            SelectedInactive = new Attribute(Readable(C("border", new Color(ColorName16.DarkGray)), C("title", new Color(ColorName16.White)), background),
                C("border", new Color(ColorName16.DarkGray))),
            StatusBar = new Attribute(statusBar, background),
            StatusKey = new Attribute(focus, background, TextStyle.Bold),
            States = states.ToDictionary(kv => kv.Key, kv => new Attribute(kv.Value, background)),
            Statuses = statuses.ToDictionary(kv => kv.Key, kv => new Attribute(kv.Value, background)),
        };
    }

    /// <summary>WCAG 2 contrast ratio of two colours, 1 (none) to 21 (black on white).</summary>
    public static double Contrast(Color a, Color b)
    {
        static double Channel(int v)
        {
            var c = v / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        static double Luminance(Color c) => 0.2126 * Channel(c.R) + 0.7152 * Channel(c.G) + 0.0722 * Channel(c.B);
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    /// <summary>Of <paramref name="candidates"/>, the text colour with the most contrast on <paramref name="back"/>.</summary>
    public static Color Readable(Color back, params Color[] candidates) => candidates.MaxBy(c => Contrast(c, back));

    /// <summary>The built-in dark palette, used until a theme is loaded and when a theme cannot be.</summary>
    public static Palette Default { get; } = From(
        new Color(ColorName16.Black),
        new Dictionary<string, Color>(),
        new Dictionary<string, Color>
        {
            ["working"] = new(ColorName16.BrightGreen), ["idle"] = new(ColorName16.Gray), ["waiting"] = new(ColorName16.BrightYellow),
            ["stuck"] = new(ColorName16.Yellow), ["looping"] = new(ColorName16.Magenta), ["error"] = new(ColorName16.Red),
                ["dead"] = new(ColorName16.BrightRed),
            ["done"] = new(ColorName16.Green), ["stopped"] = new(ColorName16.DarkGray), ["unknown"] = new(ColorName16.Gray),
        },
        new Dictionary<string, Color>
        {
            ["open"] = new(ColorName16.White), ["in_progress"] = new(ColorName16.BrightCyan), ["blocked"] = new(ColorName16.Yellow),
            ["deferred"] = new(ColorName16.DarkGray), ["closed"] = new(ColorName16.Green), ["hooked"] = new(ColorName16.BrightBlue),
            ["pinned"] = new(ColorName16.Magenta),
        });
}
