using Orchestrator.Testing;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Views;
using Terminal.Gui.Drawing;

namespace Orchestrator.Tui.Tests.Config;

/// <summary>Themes as the views draw them: through <see cref="TuiPalette"/>.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ThemeSpecTests
{
    private static ThemeSpec Load(string name) => new ThemeCatalog().Load(name).Spec;

    private static Color C(ColorName16 name) => new(in name);

    [Fact]
    public void A_pane_shows_foreground_on_background_and_the_selected_row_on_the_selection_colour()
    {
        var p = TuiPalette.From(ThemeSpec.Dark, sixteen: true);
        Assert.Equal((C(ColorName16.Gray), C(ColorName16.Black)), (p.Normal.Foreground, p.Normal.Background));
        Assert.Equal(C(ColorName16.Blue), p.Selected.Background);
        Assert.Equal(C(ColorName16.White), p.Selected.Foreground);
    }

    [Fact]
    public void The_high_contrast_theme_shows_the_selection_as_black_on_yellow()
    {
        var p = TuiPalette.From(Load("high-contrast"), sixteen: false);
        Assert.Equal((C(ColorName16.Black), new Color(0xff, 0xff, 0x00)), (p.Selected.Foreground, p.Selected.Background)); // brightyellow
        Assert.True(Palette.Contrast(p.StatusBar.Foreground, p.StatusBar.Background) >= 4.5);
    }

    [Fact]
    public void A_true_colour_theme_can_be_drawn_with_16_colours()
    {
        var theme = Load("light");
        Assert.Equal(new Color(0xaf, 0xd7, 0xff), TuiPalette.From(theme, sixteen: false).Selected.Background);
        Assert.Equal(theme.ColorOf("selection").ToSixteen(), TuiPalette.From(theme, sixteen: true).Selected.Background.GetClosestNamedColor16());
    }

    [Fact]
    public void The_focused_pane_border_uses_the_focus_colour()
    {
        var p = TuiPalette.From(ThemeSpec.Dark, sixteen: true);
        Assert.Equal(C(ColorName16.BrightCyan), p.FocusBorder.Foreground);
        Assert.Equal(C(ColorName16.DarkGray), p.Border.Foreground);
    }

    [Theory]
    [InlineData("working", ColorName16.BrightGreen)]
    [InlineData("idle-with-hook", ColorName16.Gray)]
    [InlineData("starting", ColorName16.DarkGray)]
    [InlineData(null, ColorName16.DarkGray)]
    public void Agent_states_get_their_colour_and_unknown_ones_the_unknown_colour(string? state, ColorName16 expected) =>
        Assert.Equal(expected, ThemeSpec.Dark.StateColor(state).ToSixteen());

    [Fact]
    public void Item_statuses_get_their_colour_on_the_background()
    {
        var a = TuiPalette.From(ThemeSpec.Dark, sixteen: true).Status("in_progress");
        Assert.Equal((C(ColorName16.BrightCyan), C(ColorName16.Black)), (a.Foreground, a.Background));
        Assert.Equal(ThemeSpec.Dark.ColorOf("foreground"), ThemeSpec.Dark.StatusColor("tombstone"));
    }
}
