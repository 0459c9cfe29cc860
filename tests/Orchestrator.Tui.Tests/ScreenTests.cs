using Orchestrator.Testing;
using Orchestrator.Tui.Tests.Support;

namespace Orchestrator.Tui.Tests;

/// <summary>The whole screen drawn headlessly and compared with approved snapshots.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
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

    public static TheoryData<string, int, int> LayoutsAndSizes => new()
    {
        { "overview", 80, 24 }, { "overview", 120, 40 }, { "overview", 200, 60 },
        { "items-focus", 80, 24 }, { "items-focus", 120, 40 }, { "items-focus", 200, 60 },
        { "agents-wall", 80, 24 }, { "agents-wall", 120, 40 }, { "agents-wall", 200, 60 },
    };

    /// <summary>Every shipped layout at a small, a medium and a large terminal, approved by a person.</summary>
    [Theory]
    [MemberData(nameof(LayoutsAndSizes))]
    public void Each_shipped_layout_at_each_size(string layout, int width, int height)
    {
        using var ui = new Headless(Fleet.Sample(), width, height, layout: layout, screens: Fleet.Screens);
        Approved.Match($"{layout}-{width}x{height}", ui.Screen());
    }
}
