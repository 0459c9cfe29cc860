using Terminal.Gui.Drawing;

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
}
