using Orchestrator.Tui.Tests.Support;

namespace Orchestrator.Tui.Tests;

/// <summary>The whole screen drawn headlessly and compared with approved snapshots.</summary>
public sealed class ScreenTests
{
    [Fact]
    public void The_overview_at_80x24_shows_every_pane()
    {
        using var ui = new Headless(Fleet.Sample(), 80, 24, screens: Fleet.Screens);
        Approved.Match("overview-80x24", ui.Screen());
    }

    [Fact]
    public void The_overview_at_200x50_shows_every_pane()
    {
        using var ui = new Headless(Fleet.Sample(), 200, 50, screens: Fleet.Screens);
        Approved.Match("overview-200x50", ui.Screen());
    }
}
