using Orchestrator.Testing;
using Orchestrator.Tui.Config;

namespace Orchestrator.Tui.Tests.Config;

[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class SizeTests
{
    [Theory]
    [InlineData("30%", SizeKind.Percent, 30)]
    [InlineData("100%", SizeKind.Percent, 100)]
    [InlineData("40", SizeKind.Absolute, 40)]
    [InlineData("*", SizeKind.Fill, 0)]
    public void Sizes_read_as_percent_cells_or_the_rest(string text, SizeKind kind, int value)
    {
        var size = Size.TryParse(text, out var problem);
        Assert.Null(problem);
        Assert.Equal(new Size(kind, value), size);
        Assert.Equal(text, size!.Value.ToString());
    }

    [Theory]
    [InlineData("0%")]
    [InlineData("101%")]
    [InlineData("12.5%")]
    [InlineData("-3")]
    [InlineData("0")]
    [InlineData("wide")]
    public void Anything_else_is_not_a_size(string text)
    {
        Assert.Null(Size.TryParse(text, out var problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void Fixed_and_percent_sizes_come_first_and_the_rest_is_shared_by_the_fills()
    {
        Assert.Equal([24, 10, 23, 23], Size.Distribute(80, [Size.Percent(30), Size.Absolute(10), Size.Fill, Size.Fill]));
    }

    [Fact]
    public void Without_a_fill_the_last_size_takes_what_is_left()
    {
        Assert.Equal([8, 12], Size.Distribute(20, [Size.Percent(40), Size.Percent(40)]));
    }

    [Fact]
    public void Sizes_never_add_up_to_more_than_the_space()
    {
        Assert.Equal([10, 2, 0], Size.Distribute(12, [Size.Absolute(10), Size.Absolute(10), Size.Fill]));
    }

    [Theory]
    [InlineData(80, 58, 22)]   // 32% would be 25: the minimum takes cells from the other column
    [InlineData(120, 58, 62)]
    [InlineData(200, 64, 136)] // 32% is more than the minimum
    [InlineData(70, 50, 20)]   // the other column keeps 20 cells; the minimum is not met
    public void A_minimum_width_takes_cells_from_the_other_columns_down_to_20(int total, int left, int right)
    {
        var widths = Size.Distribute(total, [Size.Percent(32), Size.Fill], [58, 0]);
        Assert.Equal([left, right], widths);
        Assert.Equal(total, widths.Sum());
    }
}
