using Orchestrator.Testing;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// An empty pane (no agents yet, no mail, an empty merge queue) is down to its title line and its
/// lines go to the panes with content; it opens again when rows arrive or when it takes the focus.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class EmptyPaneTests
{
    [Fact]
    public void Empty_panes_shrink_to_their_title_line_and_open_when_focused_or_filled()
    {
        var full = Fleet.Sample();
        var quiet = full with { Inbox = [], Queue = [] };
        using var ui = new Headless(quiet, 80, 24, layout: "overview");
        var mail = ui.Window.Pane<MailPane>()!;
        var queue = ui.Window.Pane<QueuePane>()!;
        var items = ui.Window.Pane<ItemsPane>()!;
        ui.Screen();
        Assert.Equal(1, mail.Frame.Height);
        Assert.Equal(1, queue.Frame.Height);
        Assert.Contains("Mail", ui.Screen()); // its title still shows: it can be found and focused
        var tall = items.Frame.Height;

        ui.Window.Focus("mail");
        ui.Screen();
        Assert.True(mail.Frame.Height > 1, "a focused empty pane opens");
        Assert.True(items.Frame.Height < tall);
        ui.Window.Focus("items");
        ui.Screen();
        Assert.Equal(1, mail.Frame.Height);

        ui.Apply(full);
        ui.Screen();
        Assert.True(mail.Frame.Height > 1, "mail arrived: the pane opens");
        Assert.True(queue.Frame.Height > 1);
        Assert.Contains("bee is waiting for an answer", ui.Screen());
    }
}

/// <summary>A terminal too small for the chosen layout shows a simpler one, and the chosen one again once it is big enough.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class SmallTerminalTests
{
    [Fact]
    public void A_screen_smaller_than_the_layout_needs_shows_the_compact_layout_until_it_grows()
    {
        using var ui = new Headless(Fleet.Sample(), 60, 20, layout: "overview");
        Assert.Equal("compact", ui.Window.LayoutSpec.Name);
        Assert.Equal("overview", ui.Window.ChosenLayout.Name);
        var screen = ui.Screen();
        Assert.Contains("Payment API", screen);            // items, readable
        Assert.Contains("ace · shop-3", screen);           // an agent's tile
        Assert.Contains("compact", screen);                // the status line says why
        Assert.Equal(["items", "tiles", "feed"], ui.Window.Panes.Select(p => p.Kind));

        ui.Resize(120, 40);
        Assert.Equal("overview", ui.Window.LayoutSpec.Name);
        Assert.Contains("Rigs", ui.Screen());
        ui.Resize(80, 24);
        Assert.Equal("overview", ui.Window.LayoutSpec.Name); // 80x24 is the overview's own size
    }

    [Fact]
    public void Every_shipped_layout_fits_80_by_24()
    {
        foreach (var name in new Orchestrator.Tui.Config.LayoutCatalog().Names())
        {
            var spec = new Orchestrator.Tui.Config.LayoutCatalog().Load(name).Spec;
            Assert.True(spec.Fits(80, 24), $"{name} needs {spec.MinimumSize}");
        }
    }
}

/// <summary>After '/' and Enter the filter stays, the hint goes, and keys work on the filtered pane at once.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class FilterEnterTests
{
    [Fact]
    public void After_a_filter_and_enter_the_hint_line_is_the_panes_again_and_keys_act_on_the_filtered_rows()
    {
        using var ui = new Headless(Fleet.Sample(), 80, 24, layout: "overview");
        var items = ui.Window.Pane<ItemsPane>()!;
        ui.Type("/shop");
        Assert.Contains("/shop", ui.Screen().TrimEnd().Split('\n')[^1]);
        ui.Press(Key.Enter);
        var last = ui.Screen().TrimEnd().Split('\n')[^1];
        Assert.DoesNotContain("filter:", last);
        Assert.Contains("? help", last);
        Assert.True(items.HasFocus);
        Assert.All(items.Rows, r => Assert.StartsWith("shop-", r.Key));
        var first = items.SelectedKey;
        ui.Type("j");
        Assert.NotEqual(first, items.SelectedKey); // keys are not dead
        ui.Press(Key.Enter);
        Assert.NotNull(ui.Window.CurrentOverlay); // Enter opens the selected item, nothing else
        Assert.Contains(items.SelectedKey!, ((Orchestrator.Tui.Views.TextOverlay)ui.Window.CurrentOverlay!).Lines[0]);
    }
}
