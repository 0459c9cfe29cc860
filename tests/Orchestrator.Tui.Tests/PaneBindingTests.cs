using Orchestrator.Testing;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;
using Orchestrator.Tui.Views;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>Each pane's keys are data (<see cref="PaneBinding"/>): help, hints and dispatch come from them.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class PaneBindingTests
{
    private static readonly ListPane[] Panes =
        [new RigsPane(), new ItemsPane(), new DetailsPane(), new TilesPane(), new QueuePane(), new MailPane(), new ConvoysPane(), new FeedPane(),
            new ReviewPane()];

    // Keys the window takes before any pane's binding (FleetWindow.OnKeyDown), and those a list moves with (ListPane).
    private const string Taken = "qQ?/:LTz123456789jkgG";

    [Fact]
    public void Every_pane_kind_has_a_pane_and_no_binding_is_shadowed_or_doubled()
    {
        Assert.Equal(Orchestrator.Tui.Config.PaneKinds.All.Order(), Panes.Select(p => p.Kind).Order());
        foreach (var pane in Panes)
        {
            var keys = pane.Bindings.Where(b => b.Run is not null).Select(b => b.Keys).ToList();
            Assert.True(keys.Count == keys.Distinct().Count(), $"{pane.Kind}: a key bound twice: {string.Join(" ", keys)}");
            foreach (var k in keys)
            {
                Assert.True(k == "Enter" || k.Length == 1, $"{pane.Kind}: '{k}' is not a key a binding can match");
                Assert.False(k.Length == 1 && Taken.Contains(k[0]), $"{pane.Kind}: '{k}' is taken by the window or the list before the pane sees it");
            }
        }
    }

    [Fact]
    public void The_help_overlay_lists_every_binding_of_every_pane_on_screen()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        var help = ui.Window.HelpText();
        foreach (var pane in ui.Window.Panes)
            foreach (var b in pane.Bindings)
                Assert.Contains($"  {b.Keys,-26} {b.What}", help);
        Assert.Contains("show", help.Split("Events")[1]); // Enter on an event: it worked before, and help never said so
    }

    [Fact]
    public void A_key_without_the_selection_it_acts_on_says_why_and_the_hints_leave_it_out()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        var rigs = ui.Window.Pane<RigsPane>()!;
        ui.Window.Focus("rigs");
        rigs.Select(rigs.Rows.First(r => r.Key.StartsWith("rig:", StringComparison.Ordinal)).Key);
        Assert.Null(rigs.Selected);
        ui.Type("K");
        Assert.Contains("K (kill): select an agent", ui.Screen());
        Assert.DoesNotContain(ui.Window.Status.Keys, k => k.Keys == "K");

        rigs.Select(rigs.Rows.First(r => r.Value is AgentSelection).Key);
        ui.Type("j");
        ui.Type("k");
        Assert.IsType<AgentSelection>(rigs.Selected);
        Assert.Contains(ui.Window.Status.Keys, k => k.Keys == "K");
    }

    [Fact]
    public void Rows_carry_what_they_stand_for()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40, layout: "items-focus");
        ui.Window.Focus("items");
        var items = ui.Window.Pane<ItemsPane>()!;
        Assert.Equal(new ItemSelection(items.SelectedKey!), items.Selected);
        Assert.Equal(items.SelectedKey, ui.Window.Pane<DetailsPane>()!.Selected?.Item);
    }
}
