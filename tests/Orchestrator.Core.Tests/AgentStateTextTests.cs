using Orchestrator.Core.Agents;

namespace Orchestrator.Core.Tests;

/// <summary>How an agent's state and end read to a person: a program that ended with status 0 "exited", not "dead (exit 0)".</summary>
public sealed class AgentStateTextTests
{
    [Theory]
    [InlineData("dead", 0, "exited")]
    [InlineData("dead", 1, "dead")]
    [InlineData("dead", 137, "dead")]
    [InlineData("dead", null, "dead")]
    [InlineData("working", null, "working")]
    [InlineData("stopped", 0, "stopped")]
    public void A_state_reads_as_people_say_it(string state, int? exit, string spoken) =>
        Assert.Equal(spoken, AgentStates.Spoken(state, exit));

    [Theory]
    [InlineData(0, true, "exited")]
    [InlineData(1, true, "died (exit 1)")]
    [InlineData(137, true, "was killed by SIGKILL (exit 137)")]
    [InlineData(null, true, "died")]
    [InlineData(null, false, "died (no window)")]
    public void How_a_program_ended_reads(int? exit, bool window, string text) =>
        Assert.Equal(text, AgentStates.Ended(exit, window));
}
