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
        Assert.Equal(expected, Watch.Classify(profileState, holds, TimeSpan.FromSeconds(unchanged), TimeSpan.FromSeconds(300), repeating,
            TimeSpan.FromSeconds(sinceStart), TimeSpan.FromSeconds(30)));

    private static Hook HookIn(string state, string? why = null)
    {
        var h = new Hook { Agent = "ace", Rig = "app", Item = "app-1", Role = Roles.Polecat, Branch = "polecat/ace", Worktree = "/w", BaseCommit = "0",
            Profile = "sim", State = state, CreatedAt = "2026-12-02T10:00:00Z" };
        return why is null ? h : h with { History = [new HookEvent("2026-12-02T10:01:00Z", HookStates.Active, state, why)] };
    }

    [Theory]
    [InlineData(HookStates.Active, null, false, false, "working", 10, "dead")]
    [InlineData(HookStates.Completed, null, false, false, "working", 10, "done")]
    [InlineData(HookStates.Suspended, null, false, false, "working", 10, "stopped")]
    [InlineData(HookStates.Suspended, HookReasons.Escalated, false, false, "idle", 10, "waiting")]
    [InlineData(HookStates.Active, null, true, true, "working", 10, "dead")]
    [InlineData(HookStates.Idle, null, true, true, "working", 10, "stopped")]
    [InlineData(HookStates.Active, null, true, false, null, 10, "unknown")]
    [InlineData(HookStates.Active, null, true, false, "trust", 10, "waiting")]
    [InlineData(HookStates.Active, null, true, false, "error", 900, "error")]
    [InlineData(HookStates.Active, null, true, false, "unknown", 10, "working")]
    [InlineData(HookStates.Active, null, true, false, "unknown", 900, "stuck")]
    [InlineData(HookStates.Active, null, true, false, "idle", 900, "idle")]
    public void The_one_classifier_reads_hook_window_and_screen(string hookState, string? why, bool window, bool paneDead, string? profileState, int unchanged,
        string expected) =>
        Assert.Equal(expected, Watch.StateOf(new AgentSighting(HookIn(hookState, why), window, paneDead, profileState, false, TimeSpan.FromSeconds(unchanged),
            TimeSpan.FromSeconds(300))));

    [Theory]
    [InlineData("working")]
    [InlineData("idle")]
    [InlineData("waiting")]
    [InlineData("trust")]
    [InlineData("error")]
    [InlineData("unknown")]
    public void The_witness_and_the_views_agree_on_a_live_agent_past_its_grace(string profileState)
    {
        foreach (var (unchanged, repeating) in new[] { (10, false), (900, false), (10, true) })
        {
            var view = Watch.StateOf(new AgentSighting(HookIn(HookStates.Active), true, false, profileState, repeating, TimeSpan.FromSeconds(unchanged),
                TimeSpan.FromSeconds(300)));
            var witness = Watch.Classify(profileState, holdsWork: false, TimeSpan.FromSeconds(unchanged), TimeSpan.FromSeconds(300), repeating,
                TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(30));
            Assert.Equal(view, witness);
        }
    }
}
