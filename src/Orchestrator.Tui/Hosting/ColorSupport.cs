namespace Orchestrator.Tui.Hosting;

/// <summary>
/// Whether to draw with the 16 ANSI colours only: asked for (<c>--16-colors</c>, <c>ORC_COLORS=16</c>),
/// or a terminal that says it has no more (the Linux console, a VT, <c>xterm-color</c>…). Terminals
/// that claim 256 colours or true colour, and tmux/screen (which translate colours for the terminal
/// outside), get the theme's colours; <c>ORC_COLORS=256</c> insists on them.
/// </summary>
internal static class ColorSupport
{
    private static readonly HashSet<string> SixteenColorTerms = new(StringComparer.Ordinal)
    {
        "linux", "vt100", "vt102", "vt220", "vt320", "ansi", "cons25", "xterm-color", "xterm-16color",
        "screen-16color", "tmux-16color", "rxvt", "rxvt-unicode", "eterm-color", "putty", "dumb",
    };

    public static bool SixteenOnly(bool flag, Func<string, string?> environment)
    {
        if (flag) return true;
        switch (environment("ORC_COLORS"))
        {
            case "16": return true;
            case "256" or "truecolor" or "24bit": return false;
        }
        if (environment("COLORTERM") is "truecolor" or "24bit") return false;
        var term = environment("TERM") ?? "";
        if (term.Contains("256color", StringComparison.Ordinal) || term.Contains("direct", StringComparison.Ordinal)) return false;
        return SixteenColorTerms.Contains(term);
    }
}
