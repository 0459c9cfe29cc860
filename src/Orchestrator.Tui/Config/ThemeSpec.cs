using Terminal.Gui.Drawing;
using TgAttribute = Terminal.Gui.Drawing.Attribute;

namespace Orchestrator.Tui.Config;

/// <summary>
/// The TUI's colours by role, by agent state and by work item status. Every dictionary holds every
/// key of <see cref="ColorRoles"/>, <see cref="StateNames"/> and <see cref="StatusNames"/>: keys a
/// theme file leaves out take the dark theme's value. Read from <c>themes/NAME.yaml</c> by
/// <see cref="ThemeParser"/>.
/// </summary>
public sealed record ThemeSpec(
    string Name,
    IReadOnlyDictionary<string, ThemeColor> Colors,
    IReadOnlyDictionary<string, ThemeColor> States,
    IReadOnlyDictionary<string, ThemeColor> Status)
{
    public const string DefaultName = "dark";

    /// <summary>
    /// background and foreground: normal text; focus: the focused pane's border and hot keys;
    /// border: other borders; title: pane titles and the selected row's text; selection: the
    /// selected row's background; status_bar: the status bar's background.
    /// </summary>
    public static readonly IReadOnlyList<string> ColorRoles = ["background", "foreground", "focus", "border", "title", "selection", "status_bar"];

    public static readonly IReadOnlyList<string> StateNames = ["working", "idle", "waiting", "stuck", "looping", "error", "dead", "done", "stopped", "unknown"];

    public static readonly IReadOnlyList<string> StatusNames = ["open", "in_progress", "blocked", "deferred", "closed", "hooked", "pinned"];

    /// <summary>The built-in dark theme: the default, and the value of every key a theme leaves out (themes/dark.yaml says the same).</summary>
    public static ThemeSpec Dark { get; } = new(
        DefaultName,
        Map(("background", ColorName16.Black), ("foreground", ColorName16.Gray), ("focus", ColorName16.BrightCyan),
            ("border", ColorName16.DarkGray), ("title", ColorName16.White), ("selection", ColorName16.Blue),
            ("status_bar", ColorName16.DarkGray)),
        Map(("working", ColorName16.BrightGreen), ("idle", ColorName16.Gray), ("waiting", ColorName16.BrightYellow),
            ("stuck", ColorName16.Yellow), ("looping", ColorName16.Magenta), ("error", ColorName16.Red), ("dead", ColorName16.BrightRed),
            ("done", ColorName16.Green), ("stopped", ColorName16.DarkGray), ("unknown", ColorName16.DarkGray)),
        Map(("open", ColorName16.White), ("in_progress", ColorName16.BrightCyan), ("blocked", ColorName16.Yellow),
            ("deferred", ColorName16.DarkGray), ("closed", ColorName16.Green), ("hooked", ColorName16.BrightBlue),
            ("pinned", ColorName16.Magenta)));

    private static Dictionary<string, ThemeColor> Map(params (string Key, ColorName16 Color)[] entries) =>
        entries.ToDictionary(e => e.Key, e => ThemeColor.FromName(e.Color), StringComparer.Ordinal);

    /// <summary>The colour of a role in <see cref="ColorRoles"/>; the foreground for anything else.</summary>
    public ThemeColor ColorOf(string role) =>
        Colors.TryGetValue(role, out var c) ? c : Role("foreground");

    // A role's colour, from the dark theme if this one (made by hand rather than parsed) lacks it.
    private ThemeColor Role(string role) => Colors.TryGetValue(role, out var c) ? c : Dark.Colors[role];

    /// <summary>
    /// The colour of an agent state; a state with a suffix (<c>idle-with-hook</c>) takes its first
    /// word's colour, anything else the <c>unknown</c> colour.
    /// </summary>
    public ThemeColor StateColor(string? state)
    {
        var s = state ?? "";
        if (States.TryGetValue(s, out var c)) return c;
        var dash = s.IndexOf('-');
        if (dash > 0 && States.TryGetValue(s[..dash], out c)) return c;
        return States.TryGetValue("unknown", out c) ? c : Dark.States["unknown"];
    }

    /// <summary>The colour of a work item status; the foreground for a status the theme does not know.</summary>
    public ThemeColor StatusColor(string? status) =>
        Status.TryGetValue(status ?? "", out var c) ? c : Role("foreground");

    /// <summary>
    /// A role's colour as text on the background. For the background roles (selection,
    /// status_bar), the text colour (foreground or background, whichever reads better) on that colour.
    /// </summary>
    public TgAttribute Attribute(string role, bool sixteen = false)
    {
        var bg = Role("background");
        return role switch
        {
            "background" => Make(Role("foreground"), bg, sixteen),
            "selection" or "status_bar" => Make(TextOn(Role(role), Role("title"), sixteen), Role(role), sixteen),
            _ => Make(ColorOf(role), bg, sixteen),
        };
    }

    /// <summary>An agent state's colour on the background.</summary>
    public TgAttribute StateAttribute(string? state, bool sixteen = false) => Make(StateColor(state), Role("background"), sixteen);

    /// <summary>A work item status's colour on the background.</summary>
    public TgAttribute StatusAttribute(string? status, bool sixteen = false) => Make(StatusColor(status), Role("background"), sixteen);

    /// <summary>
    /// The scheme for a pane's content: foreground on background; the selected row in
    /// <c>selection</c> (Focus when the pane has focus, Active otherwise); hot keys in <c>focus</c>.
    /// </summary>
    public Scheme PaneScheme(bool sixteen = false)
    {
        var (bg, fg, focus, border, sel) = (Role("background"), Role("foreground"), Role("focus"), Role("border"), Role("selection"));
        var selText = TextOn(sel, Role("title"), sixteen);
        return new Scheme(Make(fg, bg, sixteen))
        {
            HotNormal = Make(focus, bg, sixteen, TextStyle.Underline),
            Focus = Make(selText, sel, sixteen),
            HotFocus = Make(selText, sel, sixteen, TextStyle.Underline),
            Active = Make(selText, sel, sixteen),
            HotActive = Make(selText, sel, sixteen, TextStyle.Underline),
            Highlight = Make(Role("title"), bg, sixteen, TextStyle.Bold),
            Editable = Make(Role("title"), bg, sixteen),
            ReadOnly = Make(fg, bg, sixteen),
            Disabled = Make(border, bg, sixteen),
        };
    }

    /// <summary>The scheme for a pane's border and title: <c>focus</c> on the focused pane, <c>border</c> (title in <c>title</c>) on the others.</summary>
    public Scheme BorderScheme(bool focused, bool sixteen = false)
    {
        var bg = Role("background");
        var line = focused ? Role("focus") : Role("border");
        var title = focused ? Role("focus") : Role("title");
        return new Scheme(Make(line, bg, sixteen))
        {
            HotNormal = Make(title, bg, sixteen),
            Focus = Make(title, bg, sixteen, focused ? TextStyle.Bold : TextStyle.None),
            HotFocus = Make(title, bg, sixteen, TextStyle.Underline),
            Active = Make(title, bg, sixteen),
            HotActive = Make(title, bg, sixteen, TextStyle.Underline),
            Highlight = Make(title, bg, sixteen),
            Disabled = Make(Role("border"), bg, sixteen),
        };
    }

    /// <summary>The scheme for the status bar: text on <c>status_bar</c>, hot keys in <c>focus</c> (or the text colour when that would not read).</summary>
    public Scheme StatusBarScheme(bool sixteen = false)
    {
        var bar = Role("status_bar");
        var text = TextOn(bar, Role("title"), sixteen);
        var hot = Readable(Role("focus"), bar, sixteen) ? Role("focus") : text;
        return new Scheme(Make(text, bar, sixteen))
        {
            HotNormal = Make(hot, bar, sixteen, TextStyle.Bold),
            Focus = Make(text, bar, sixteen, TextStyle.Bold),
            HotFocus = Make(hot, bar, sixteen, TextStyle.Bold | TextStyle.Underline),
            Active = Make(text, bar, sixteen, TextStyle.Bold),
            HotActive = Make(hot, bar, sixteen, TextStyle.Bold),
            Highlight = Make(text, bar, sixteen, TextStyle.Bold),
            Disabled = Make(Role("border"), bar, sixteen),
        };
    }

    private static TgAttribute Make(ThemeColor fg, ThemeColor bg, bool sixteen, TextStyle style = TextStyle.None)
    {
        var f = fg.ToColor(sixteen);
        var b = bg.ToColor(sixteen);
        return new TgAttribute(in f, in b, in style);
    }

    // Text on a coloured bar: the theme's preferred text colour when it reads, else whichever of
    // foreground and background contrasts more (a white selection in a high-contrast theme gets black text).
    private ThemeColor TextOn(ThemeColor bar, ThemeColor preferred, bool sixteen)
    {
        if (Readable(preferred, bar, sixteen)) return preferred;
        var (fg, bg) = (Role("foreground"), Role("background"));
        return ThemeColor.Contrast(At(fg, sixteen), At(bar, sixteen)) >= ThemeColor.Contrast(At(bg, sixteen), At(bar, sixteen)) ? fg : bg;
    }

    private static bool Readable(ThemeColor text, ThemeColor on, bool sixteen) => ThemeColor.Contrast(At(text, sixteen), At(on, sixteen)) >= 3.0;

    private static ThemeColor At(ThemeColor c, bool sixteen) => sixteen ? ThemeColor.FromName(c.ToSixteen()) : c;
}
