using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Services.Fleet;
using Orchestrator.Testing;
using Orchestrator.Tui.Tests.Support;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>Panes keep up with the fleet: new rows show, cut lists say so, tiles change with their agent's state.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class PaneFollowTests
{
    private static FleetSnapshot WithEvents(int count)
    {
        var s = Fleet.Sample();
        var events = Enumerable.Range(0, count).Select(i => new OrcEvent
        {
            At = $"2026-11-23T12:{i / 60:00}:{i % 60:00}Z", Source = "deacon", Kind = EventKinds.Recovered, Subject = "e" + i, Text = $"event number {i}",
        }).ToList();
        return s with { Events = events };
    }

    [Fact]
    public void The_events_pane_keeps_showing_the_newest_rows_as_they_arrive()
    {
        using var ui = new Headless(WithEvents(3), 120, 40, screens: Fleet.Screens);
        Assert.Contains("event number 2", ui.Screen());
        // Far more rows arrive than the pane can show: the newest stays in view (it was lost before).
        for (var n = 10; n <= 60; n += 10) ui.Apply(WithEvents(n), Fleet.Screens);
        var screen = ui.Screen();
        Assert.Contains("event number 59", screen);
        Assert.Contains("▼", screen); // rows hidden below are marked
    }

    [Fact]
    public void A_focused_events_pane_follows_too_but_a_person_who_moved_down_keeps_their_place()
    {
        using var ui = new Headless(WithEvents(20), 120, 40, screens: Fleet.Screens);
        Assert.True(ui.Window.Focus("feed"));
        ui.Apply(WithEvents(40), Fleet.Screens);
        Assert.Contains("event number 39", ui.Screen());
        // Moving down is leaving the top: new rows then do not move the view.
        ui.Press(Key.J, Key.J, Key.J, Key.J, Key.J, Key.J, Key.J, Key.J, Key.J, Key.J);
        var selected = ui.Window.FocusedPane!.SelectedKey;
        ui.Apply(WithEvents(45), Fleet.Screens);
        Assert.Equal(selected?.Split(':')[2], ui.Window.FocusedPane!.SelectedKey?.Split(':')[2]);
        Assert.Contains("▲", ui.Screen());
    }

    [Fact]
    public void A_tile_changes_with_its_agents_state_without_new_output()
    {
        var stopped = Fleet.Sample() with
        {
            Agents = [new FleetAgent(Fleet.Hook("ace", "shop", "shop-3", HookStates.Suspended), AgentStates.Stopped, null, null, null)],
        };
        using var ui = new Headless(stopped, 120, 40, layout: "agents-wall");
        Assert.Contains("ace · shop-3 · stopped", ui.Screen());
        var idle = stopped with { Agents = [new FleetAgent(Fleet.Hook("ace", "shop", "shop-3"), AgentStates.Idle, "%1", null, null)] };
        ui.Apply(idle);
        var screen = ui.Screen();
        Assert.Contains("ace · shop-3 · idle", screen);
        Assert.DoesNotContain("stopped", screen);
    }

    [Fact]
    public void The_agents_pane_counts_the_tiles_it_shows_of_all()
    {
        var agents = Enumerable.Range(0, 31).Select(i => new FleetAgent(Fleet.Hook("a" + i, "shop", "shop-" + i), AgentStates.Working, "%" + i, null,
            null)).ToList();
        using var ui = new Headless(Fleet.Sample() with { Agents = agents }, 80, 24, screens: Fleet.Screens);
        Assert.Matches(@"Agents \(\d+ of 31\)", ui.Screen());
    }
}

/// <summary><c>z</c> shows the focused pane alone; <c>z</c> or Esc goes back.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ZoomTests
{
    [Fact]
    public void Z_zooms_the_focused_pane_to_the_whole_screen_and_z_or_esc_goes_back()
    {
        using var ui = new Headless(Fleet.Sample(), 80, 24, screens: Fleet.Screens);
        Assert.True(ui.Window.Focus("feed"));
        Assert.DoesNotContain("returned docs-9: conflict in README.md", ui.Screen()); // cut at 80x24 in the layout
        ui.Type("z");
        var zoomed = ui.Screen();
        Assert.Contains("refinery@docs rejected  returned docs-9: conflict in README.md", zoomed);
        Assert.DoesNotContain("Agents", zoomed);
        Assert.Contains("z or Esc goes back", zoomed);

        // A number zooms another pane; Esc goes back to the layout, with the focus kept.
        ui.Type("3");
        Assert.Contains("Mail", ui.Screen());
        Assert.DoesNotContain("Items (", ui.Screen());
        ui.Press(Key.Esc);
        var back = ui.Screen();
        Assert.Contains("Agents", back);
        Assert.Contains("Items (", back);
        Assert.Null(ui.Window.Zoomed);
        Assert.Equal("mail", ui.Window.FocusedPane?.Kind);

        ui.Type("z");
        Assert.NotNull(ui.Window.Zoomed);
        ui.Type("z");
        Assert.Null(ui.Window.Zoomed);
        Assert.Contains("Agents", ui.Screen());
    }
}
