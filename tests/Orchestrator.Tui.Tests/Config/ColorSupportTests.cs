using Orchestrator.Testing;
using Orchestrator.Tui.Hosting;
using Xunit;

namespace Orchestrator.Tui.Tests.Config;

[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ColorSupportTests
{
    private static bool Sixteen(bool flag = false, string? term = null, string? colorterm = null, string? orcColors = null) =>
        ColorSupport.SixteenOnly(flag, name => name switch { "TERM" => term, "COLORTERM" => colorterm, "ORC_COLORS" => orcColors, _ => null });

    [Theory]
    [InlineData("linux")]
    [InlineData("vt100")]
    [InlineData("xterm-color")]
    [InlineData("screen-16color")]
    [InlineData("dumb")]
    public void A_terminal_that_has_only_16_colours_gets_16(string term) => Assert.True(Sixteen(term: term));

    [Theory]
    [InlineData("xterm-256color")]
    [InlineData("tmux-256color")]
    [InlineData("screen")] // tmux's default: tmux translates colours for the terminal outside
    [InlineData("xterm-direct")]
    [InlineData("")]
    public void A_terminal_with_more_gets_the_themes_colours(string term) => Assert.False(Sixteen(term: term));

    [Fact]
    public void True_colour_announced_by_COLORTERM_wins_over_a_plain_TERM() => Assert.False(Sixteen(term: "linux", colorterm: "truecolor"));

    [Fact]
    public void The_flag_and_ORC_COLORS_16_force_16_and_ORC_COLORS_256_forbids_it()
    {
        Assert.True(Sixteen(flag: true, term: "xterm-256color"));
        Assert.True(Sixteen(term: "xterm-256color", orcColors: "16"));
        Assert.False(Sixteen(term: "linux", orcColors: "256"));
    }
}
