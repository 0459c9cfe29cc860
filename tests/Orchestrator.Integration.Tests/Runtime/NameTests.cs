using Orchestrator.Core;
using Orchestrator.Core.Agents;

namespace Orchestrator.Integration.Tests.Runtime;

public class NameTests
{
    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("has space")]
    [InlineData("quo\"te")]
    [InlineData("it's")]
    [InlineData("-rf")]
    [InlineData("rig:1")]
    [InlineData("rig.1")]
    [InlineData("%1")]
    [InlineData("Upper")]
    [InlineData("")]
    [InlineData("a\u001b[2J")]
    public void Names_tmux_or_git_would_misread_are_refused(string name)
    {
        var e = Assert.Throws<OrcException>(() => Names.Validate(name, "rig"));
        Assert.StartsWith("rig: ", e.Message);
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("my-rig_2")]
    [InlineData("0day")]
    public void Plain_names_are_accepted(string name) => Assert.Equal(name, Names.Validate(name, "rig"));

    [Fact]
    public void The_name_pool_skips_taken_names_and_numbers_them_when_used_up()
    {
        Assert.Equal("ace", NamePool.Next(new HashSet<string> { "nux" }));
        var all = new HashSet<string>(NamePool.Names);
        Assert.Equal(NamePool.Names[0] + "2", NamePool.Next(all));
        Assert.All(NamePool.Names, n => Assert.True(Names.IsValid(n)));
    }

    [Fact]
    public void A_hook_moves_only_along_its_lifecycle()
    {
        var h = new Hook { Agent = "nux", Rig = "app", Branch = "polecat/nux/hq-1", Worktree = "/w", BaseCommit = "abc", Profile = "sim", CreatedAt = "t0" };
        h = h.MoveTo(HookStates.Active, "t1", "started").MoveTo(HookStates.Suspended, "t2", "killed").MoveTo(HookStates.Active, "t3",
            "resumed").MoveTo(HookStates.Completed, "t4", "done");
        Assert.Equal(4, h.History.Count);
        Assert.False(h.HoldsWork);
        Assert.Throws<OrcException>(() => h.MoveTo(HookStates.Suspended, "t5", "again"));
        Assert.Throws<OrcException>(() => h.MoveTo(HookStates.Created, "t5", "again"));
        Assert.Equal(HookStates.Active, h.MoveTo(HookStates.Active, "t5", "returned by the refinery").State);
        var archived = h.MoveTo(HookStates.Archived, "t5", "cleaned");
        Assert.Throws<OrcException>(() => archived.MoveTo(HookStates.Active, "t6", "again"));
    }
}
