using Orchestrator.Testing;
using Orchestrator.Tui.Config;
using Terminal.Gui.Drawing;

namespace Orchestrator.Tui.Tests.Config;

[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ThemeColorTests
{
    [Theory]
    [InlineData("#000000", ColorName16.Black)]
    [InlineData("#101418", ColorName16.Black)]
    [InlineData("#c0c0c0", ColorName16.Gray)]
    [InlineData("#808080", ColorName16.DarkGray)]
    [InlineData("#00008b", ColorName16.Blue)]
    [InlineData("#ff5f5f", ColorName16.BrightRed)]
    [InlineData("#ffff87", ColorName16.BrightYellow)]
    [InlineData("#af5f00", ColorName16.Yellow)]
    [InlineData("#ffc0cb", ColorName16.Gray)]
    [InlineData("#200000", ColorName16.Black)]
    [InlineData("#af8700", ColorName16.Yellow)]
    [InlineData("#008700", ColorName16.Green)]
    [InlineData("#5fd7ff", ColorName16.BrightCyan)]
    [InlineData("#fafafa", ColorName16.White)]
    public void Any_colour_maps_to_the_nearest_of_the_16_ANSI_colours(string hex, ColorName16 expected)
    {
        Assert.True(ThemeColor.TryParse(hex, out var color));
        Assert.Equal(expected, color.ToSixteen());
    }

    [Fact]
    public void Every_colour_name_maps_back_to_itself()
    {
        foreach (var name in Enum.GetValues<ColorName16>())
        {
            Assert.True(ThemeColor.TryParse(name.ToString().ToUpperInvariant(), out var color));
            Assert.Equal(name, color.ToSixteen());
            Assert.Equal(new Color(in name), color.ToColor(sixteen: true));
        }
    }

    [Theory]
    [InlineData("#12345")]
    [InlineData("#1234567")]
    [InlineData("#12345g")]
    [InlineData("purple")]
    [InlineData("")]
    public void Anything_else_is_not_a_colour(string text)
    {
        Assert.False(ThemeColor.TryParse(text, out _));
    }

    [Fact]
    public void A_true_colour_keeps_its_red_green_and_blue()
    {
        Assert.True(ThemeColor.TryParse("#1E2a3b", out var c));
        Assert.Equal(new ThemeColor(0x1e, 0x2a, 0x3b), c);
        Assert.Equal("#1e2a3b", c.ToString());
        var tg = c.ToColor();
        Assert.Equal((0x1e, 0x2a, 0x3b), (tg.R, tg.G, tg.B));
    }
}
