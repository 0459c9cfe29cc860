using Orchestrator.Core.Agents;

namespace Orchestrator.Core.Tests;

public sealed class WatchTests
{
    private const string Block = "running the tests again\nerror: expected 2, got 3\ntrying the same fix\n";

    [Fact]
    public void A_block_repeated_three_times_at_the_end_is_a_loop()
    {
        var screen = "started\n" + Block + Block + Block + "\n\n";
        Assert.Equal((3, 3), Watch.RepeatingBlock(screen));
    }

    [Fact]
    public void Varied_output_or_two_repeats_or_a_spinner_line_is_not_a_loop()
    {
        Assert.Null(Watch.RepeatingBlock("a\nb\nc\nd\ne\nf\n"));
        Assert.Null(Watch.RepeatingBlock("x\n" + Block + Block));
        Assert.Null(Watch.RepeatingBlock("building...\nbuilding...\nbuilding...\n"));
        Assert.Null(Watch.RepeatingBlock(Block + Block + Block + "new line at last\n"));
    }

    [Theory]
    [InlineData("working", true, 10, false, 5, "starting")]
    [InlineData("working", true, 10, true, 60, "looping")]
    [InlineData("waiting", true, 10, false, 60, "waiting")]
    [InlineData("trust", true, 10, false, 60, "waiting")]
    [InlineData("idle", true, 10, false, 60, "idle-with-hook")]
    [InlineData("idle", false, 10, false, 60, "idle")]
    [InlineData("working", true, 400, false, 600, "stuck")]
    [InlineData("unknown", true, 10, false, 60, "working")]
    public void An_observation_is_classified(string profileState, bool holds, int unchanged, bool repeating, int sinceStart, string expected) =>
        Assert.Equal(expected, Watch.Classify(profileState, holds, TimeSpan.FromSeconds(unchanged), TimeSpan.FromSeconds(300), repeating, TimeSpan.FromSeconds(sinceStart), TimeSpan.FromSeconds(30)));
}
