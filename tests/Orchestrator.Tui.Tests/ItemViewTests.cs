using Orchestrator.Core.Items;
using Orchestrator.Services.Fleet;
using Orchestrator.Testing;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;
using Orchestrator.Tui.Views;
using Terminal.Gui.Input;
using Terminal.Gui.Text;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// An item opened in the TUI shows what 'orc item show' shows (agent, labels, files, parent,
/// dependencies both ways, every comment) and wraps long text to its box or pane instead of cutting it.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ItemViewTests
{
    private const string LongWord = "Supercalifragilisticexpialidocious-and-then-some-more-characters-than-a-line-holds";

    private static FleetSnapshot Rich()
    {
        var s = Fleet.Sample();
        var item = s.Ledger.Find("shop-3")!;
        item.Files = ["src/payments/api.cs", "src/payments/client.cs"];
        item.Description = "The payment API takes a cart and returns a receipt. "
            + string.Concat(Enumerable.Repeat("It must never charge twice for one cart, even when the client retries. ", 6)) + LongWord + "\nSecond paragraph.";
        for (var i = 1; i <= 7; i++)
            item.Comments.Add(new Comment { Id = i, IssueId = item.Id, Author = "ace", Text = $"comment number {i}", CreatedAt = $"2026-11-23T11:0{i}:00Z" });
        return s;
    }

    [Fact]
    public void Enter_on_an_item_without_a_details_pane_opens_all_of_it_wrapped_to_the_box()
    {
        using var ui = new Headless(Rich(), 80, 24, layout: "overview");
        ui.Window.Focus("items");
        ui.Window.Pane<ItemsPane>()!.Select("shop-3");
        ui.Press(Key.Enter);
        var box = Assert.IsType<TextOverlay>(ui.Window.CurrentOverlay, exactMatch: false);
        var text = string.Join('\n', box.ShownLines);
        foreach (var expected in new[] { "shop-3  Payment API", "labels: api", "owns: src/payments/api.cs, src/payments/client.cs",
            "parent: shop-1 Checkout v2",
                     "agent: ace on shop (working)", "depends on:", "shop-2", "blocks:", "shop-4", "comments (7):", "comment number 1", "comment number 7",
                         "Second paragraph." })
            Assert.Contains(expected, text);
        var width = box.Viewport.Width;
        Assert.All(box.ShownLines, l => Assert.True(l.GetColumns() <= width, $"wider than the box ({width}): {l}"));
        Assert.True(box.ShownLines.Count > box.Lines.Count, "the long description was not wrapped");
        // It scrolls: the end is reachable and shows the last comment.
        ui.Press(Key.End);
        Assert.Contains("comment number 7", ui.Screen());
        Assert.DoesNotContain("scroll sideways", ui.Screen());
    }

    [Fact]
    public void The_details_pane_wraps_to_its_width_and_enter_there_opens_the_whole_item()
    {
        using var ui = new Headless(Rich(), 120, 40, layout: "items-focus");
        ui.Window.Focus("items");
        ui.Window.Pane<ItemsPane>()!.Select("shop-3");
        var details = ui.Window.Pane<DetailsPane>()!;
        Assert.Equal("shop-3", details.ItemId);
        var width = details.Viewport.Width;
        Assert.All(details.Rows, r => Assert.True(r.Text.GetColumns() <= width, $"wider than the pane ({width}): {r.Text}"));
        Assert.Contains(details.Rows, r => r.Text.Contains("never charge twice"));
        Assert.DoesNotContain(details.Rows, r => r.Text.Contains("comment number 1")); // the pane keeps the last 5
        ui.Window.Focus("details");
        ui.Press(Key.Enter);
        var box = Assert.IsType<TextOverlay>(ui.Window.CurrentOverlay, exactMatch: false);
        Assert.Contains(box.ShownLines, l => l.Contains("comment number 1")); // the box has every one
    }
}
