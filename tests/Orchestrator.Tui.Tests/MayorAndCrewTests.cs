using Orchestrator.Core.Agents;
using Orchestrator.Services.Fleet;
using Orchestrator.Testing;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;
using Orchestrator.Tui.Views;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>The mayor and the crew in the rig tree, as the fleet reader gives them (the mayor in window orc:mayor, crew in their rig's session).</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class MayorAndCrewTests
{
    [Fact]
    public void The_rig_tree_shows_the_mayor_at_the_top_and_crew_under_their_rig_and_enter_goes_to_their_windows()
    {
        var sample = Fleet.Sample();
        var mayor = Fleet.Hook("mayor", "orc", "-", HookStates.Idle, Roles.Mayor) with { Item = null, Branch = "", Worktree = "/ws" };
        var ada = Fleet.Hook("ada", "shop", "-", HookStates.Idle, Roles.Crew) with { Item = null, Branch = "crew/ada/home",
            Worktree = "/ws/worktrees/shop/ada" };
        var snapshot = sample with
        {
            Agents = [new FleetAgent(mayor, AgentStates.Idle, "%20", Fleet.Now.ToUnixTimeSeconds() - 5, null), new FleetAgent(ada, AgentStates.Working, "%21",
                Fleet.Now.ToUnixTimeSeconds(), null), .. sample.Agents],
        };
        var attached = new List<AttachTarget>();
        using var ui = new Headless(snapshot, 100, 40, attached: attached);
        Assert.True(ui.Window.Focus(PaneKinds.Rigs));
        var rigs = ui.Window.Pane<RigsPane>()!;
        var rows = rigs.Rows.Select(r => (r.Key, r.Text)).ToList();
        int At(string key) => rows.FindIndex(r => r.Key == key);

        // The mayor is a workspace-level row (never a rig called 'orc'); ada sits under shop, in a crew group.
        Assert.True(At("agent:mayor") is > 0 and var m && m < At("rig:shop"), string.Join("\n", rows.Select(r => r.Text)));
        Assert.Equal(-1, At("rig:orc"));
        var crewHeading = rows.FindIndex(r => r.Key == "" && r.Text.Trim() == "crew");
        Assert.True(At("rig:shop") < crewHeading && crewHeading < At("agent:ada") && At("agent:ada") < At("agent:ace") && At("agent:ada") < At("rig:docs"),
            string.Join("\n", rows.Select(r => r.Text)));
        var screen = ui.Screen();
        Assert.Contains("mayor", screen);
        Assert.Contains("ada", screen);

        rigs.Select("agent:mayor");
        ui.Press(Key.Enter);
        rigs.Select("agent:ada");
        ui.Press(Key.Enter);
        Assert.Equal([new AttachTarget("orc", "mayor", "mayor"), new AttachTarget("shop", "ada", "ada")], attached);
    }
}
