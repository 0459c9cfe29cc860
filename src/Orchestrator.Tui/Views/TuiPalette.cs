using Orchestrator.Tui.Config;

namespace Orchestrator.Tui.Views;

/// <summary>Turns a theme into the palette the views draw with (in 16 colours when the terminal has only those).</summary>
internal static class TuiPalette
{
    public static Palette From(ThemeSpec theme, bool sixteen)
    {
        var colors = ThemeSpec.ColorRoles.ToDictionary(r => r, r => theme.ColorOf(r).ToColor(sixteen));
        return Palette.From(
            theme.ColorOf("background").ToColor(sixteen),
            colors,
            ThemeSpec.StateNames.ToDictionary(s => s, s => theme.StateColor(s).ToColor(sixteen)),
            ThemeSpec.StatusNames.ToDictionary(s => s, s => theme.StatusColor(s).ToColor(sixteen)));
    }
}
