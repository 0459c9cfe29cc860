using Orchestrator.Integration.Tests.Support;
using Orchestrator.Tui.Config;
using Terminal.Gui.Drawing;

namespace Orchestrator.Tui.Tests.Config;

[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ThemeSpecTests
{
    private static ThemeSpec Load(string name) => new ThemeCatalog().Load(name).Spec;

    private static Color C(ColorName16 name) => new(in name);

    [Fact]
    public void A_pane_shows_foreground_on_background_and_the_selected_row_on_the_selection_colour()
    {
        var scheme = ThemeSpec.Dark.PaneScheme(sixteen: true);
        Assert.Equal((C(ColorName16.Gray), C(ColorName16.Black)), (scheme.Normal.Foreground, scheme.Normal.Background));
        Assert.Equal((C(ColorName16.White), C(ColorName16.Blue)), (scheme.Focus.Foreground, scheme.Focus.Background));
        Assert.Equal(C(ColorName16.BrightCyan), scheme.HotNormal.Foreground);
    }

    [Fact]
    public void The_high_contrast_theme_shows_selection_as_black_on_yellow_and_the_status_bar_as_black_on_white()
    {
        var theme = Load("high-contrast");
        var selected = theme.PaneScheme().Focus;
        var bar = theme.StatusBarScheme().Normal;
        Assert.Equal((C(ColorName16.Black), new Color(0xff, 0xff, 0x00)), (selected.Foreground, selected.Background)); // brightyellow
        Assert.Equal((C(ColorName16.Black), C(ColorName16.White)), (bar.Foreground, bar.Background));
    }

    [Fact]
    public void A_true_colour_theme_can_be_drawn_with_16_colours()
    {
        var theme = Load("light");
        Assert.Equal(new Color(0xaf, 0xd7, 0xff), theme.Attribute("selection").Background);
        Assert.Equal(theme.ColorOf("selection").ToSixteen(), theme.Attribute("selection", sixteen: true).Background.GetClosestNamedColor16());
        Assert.Equal(C(ColorName16.Black), theme.Attribute("selection", sixteen: true).Foreground);
    }

    [Fact]
    public void The_focused_pane_border_uses_the_focus_colour()
    {
        var dark = ThemeSpec.Dark;
        Assert.Equal(C(ColorName16.BrightCyan), dark.BorderScheme(focused: true, sixteen: true).Normal.Foreground);
        Assert.Equal(C(ColorName16.DarkGray), dark.BorderScheme(focused: false, sixteen: true).Normal.Foreground);
    }

    [Theory]
    [InlineData("working", ColorName16.BrightGreen)]
    [InlineData("idle-with-hook", ColorName16.Gray)]
    [InlineData("starting", ColorName16.DarkGray)]
    [InlineData(null, ColorName16.DarkGray)]
    public void Agent_states_get_their_colour_and_unknown_ones_the_unknown_colour(string? state, ColorName16 expected)
    {
        Assert.Equal(expected, ThemeSpec.Dark.StateColor(state).ToSixteen());
        Assert.Equal(C(expected), ThemeSpec.Dark.StateAttribute(state, sixteen: true).Foreground);
    }

    [Fact]
    public void Item_statuses_get_their_colour_on_the_background()
    {
        var a = ThemeSpec.Dark.StatusAttribute("in_progress", sixteen: true);
        Assert.Equal((C(ColorName16.BrightCyan), C(ColorName16.Black)), (a.Foreground, a.Background));
        Assert.Equal(ThemeSpec.Dark.ColorOf("foreground"), ThemeSpec.Dark.StatusColor("tombstone"));
    }
}
