using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

public class ReadyTests
{
    private static List<string> Ready(LedgerDocument doc) => Ids(new DependencyGraph(doc).Ready(Now));

    [Fact]
    public void Open_items_without_blockers_are_ready()
    {
        var doc = Doc(Item("hq-a"), Item("hq-b"));

        Assert.Equal(["hq-a", "hq-b"], Ready(doc));
    }

    [Theory]
    [InlineData(Statuses.InProgress)]
    [InlineData(Statuses.Blocked)]
    [InlineData(Statuses.Hooked)]
    [InlineData(Statuses.Closed)]
    [InlineData(Statuses.Deferred)]
    [InlineData(Statuses.Pinned)]
    [InlineData(Statuses.Tombstone)]
    public void Only_open_items_are_ready(string status)
    {
        var doc = Doc(Item("hq-a", status: status), Item("hq-b"));

        Assert.Equal(["hq-b"], Ready(doc));
    }

    [Theory]
    [InlineData(DependencyTypes.Blocks, Statuses.Open)]
    [InlineData(DependencyTypes.Blocks, Statuses.InProgress)]
    [InlineData(DependencyTypes.Blocks, Statuses.Blocked)]
    [InlineData(DependencyTypes.Blocks, Statuses.Hooked)]
    [InlineData(DependencyTypes.ConditionalBlocks, Statuses.Open)]
    [InlineData(DependencyTypes.ConditionalBlocks, Statuses.InProgress)]
    [InlineData(DependencyTypes.ConditionalBlocks, Statuses.Blocked)]
    [InlineData(DependencyTypes.ConditionalBlocks, Statuses.Hooked)]
    [InlineData(DependencyTypes.WaitsFor, Statuses.Open)]
    [InlineData(DependencyTypes.WaitsFor, Statuses.InProgress)]
    [InlineData(DependencyTypes.WaitsFor, Statuses.Blocked)]
    [InlineData(DependencyTypes.WaitsFor, Statuses.Hooked)]
    public void A_blocking_dependency_on_an_active_item_blocks(string type, string targetStatus)
    {
        var doc = Doc(Item("hq-t", status: targetStatus), Item("hq-a", deps: Dep("hq-t", type)));
        var graph = new DependencyGraph(doc);

        Assert.DoesNotContain("hq-a", Ids(graph.Ready(Now)));
        Assert.True(graph.IsBlocked(doc.Get("hq-a")));
        Assert.Equal("hq-t", Assert.Single(graph.DirectBlockers(doc.Get("hq-a"))).Id);
    }

    [Theory]
    [InlineData(DependencyTypes.Blocks, Statuses.Closed)]
    [InlineData(DependencyTypes.Blocks, Statuses.Deferred)]
    [InlineData(DependencyTypes.Blocks, Statuses.Tombstone)]
    [InlineData(DependencyTypes.Blocks, Statuses.Pinned)]
    [InlineData(DependencyTypes.ConditionalBlocks, Statuses.Closed)]
    [InlineData(DependencyTypes.ConditionalBlocks, Statuses.Deferred)]
    [InlineData(DependencyTypes.WaitsFor, Statuses.Closed)]
    [InlineData(DependencyTypes.WaitsFor, Statuses.Deferred)]
    public void A_blocking_dependency_on_a_closed_or_deferred_item_does_not_block(string type, string targetStatus)
    {
        var doc = Doc(Item("hq-t", status: targetStatus), Item("hq-a", deps: Dep("hq-t", type)));

        Assert.Contains("hq-a", Ready(doc));
    }

    [Theory]
    [InlineData(DependencyTypes.Related)]
    [InlineData(DependencyTypes.DiscoveredFrom)]
    public void Related_and_discovered_from_do_not_block(string type)
    {
        var doc = Doc(Item("hq-t"), Item("hq-a", deps: Dep("hq-t", type)));

        Assert.Equal(["hq-a", "hq-t"], Ready(doc));
    }

    [Fact]
    public void A_dependency_on_a_missing_item_does_not_block()
    {
        var doc = Doc(Item("hq-a", deps: Dep("hq-gone")));

        Assert.Equal(["hq-a"], Ready(doc));
    }

    [Fact]
    public void A_blocked_parent_blocks_all_its_descendants()
    {
        var doc = Doc(
            Item("hq-t"),
            Item("hq-e", deps: Dep("hq-t")),
            Item("hq-e.1", deps: Dep("hq-e", DependencyTypes.ParentChild)),
            Item("hq-e.1.1", deps: Dep("hq-e.1", DependencyTypes.ParentChild)),
            Item("hq-e.2", deps: Dep("hq-e", DependencyTypes.ParentChild)));

        Assert.Equal(["hq-t"], Ready(doc));
    }

    [Fact]
    public void Descendants_of_an_unblocked_parent_are_ready()
    {
        var doc = Doc(
            Item("hq-t", status: Statuses.Closed),
            Item("hq-e", deps: Dep("hq-t")),
            Item("hq-e.1", deps: Dep("hq-e", DependencyTypes.ParentChild)),
            Item("hq-e.1.1", deps: Dep("hq-e.1", DependencyTypes.ParentChild)));

        Assert.Equal(["hq-e", "hq-e.1", "hq-e.1.1"], Ready(doc));
    }

    [Fact]
    public void A_parent_being_open_does_not_by_itself_block_its_children()
    {
        var doc = Doc(Item("hq-e"), Item("hq-e.1", deps: Dep("hq-e", DependencyTypes.ParentChild)));

        Assert.Equal(["hq-e", "hq-e.1"], Ready(doc));
    }

    [Fact]
    public void A_blocked_child_does_not_block_its_parent()
    {
        var doc = Doc(
            Item("hq-t"),
            Item("hq-e"),
            Item("hq-e.1", deps: [Dep("hq-e", DependencyTypes.ParentChild), Dep("hq-t")]));

        Assert.Equal(["hq-e", "hq-t"], Ready(doc));
    }

    [Fact]
    public void An_item_deferred_into_the_future_is_not_ready()
    {
        var doc = Doc(
            Item("hq-future", deferUntil: "2026-03-02T00:00:00Z"),
            Item("hq-past", deferUntil: "2026-02-28T00:00:00Z"),
            Item("hq-date", deferUntil: "2026-02-01"),
            Item("hq-nano", deferUntil: "2026-03-01T12:00:00.000000001-01:00"));

        Assert.Equal(["hq-date", "hq-past"], Ready(doc).Order());
    }

    [Fact]
    public void An_unparsable_defer_until_does_not_hide_an_item()
    {
        var doc = Doc(Item("hq-a", deferUntil: "someday"));

        Assert.Equal(["hq-a"], Ready(doc));
    }

    [Fact]
    public void Ready_items_are_sorted_by_priority_then_creation_time_then_id()
    {
        var doc = Doc(
            Item("hq-a", priority: 3, created: "2026-01-01T00:00:00Z"),
            Item("hq-b", priority: 1, created: "2026-01-05T00:00:00Z"),
            Item("hq-c", priority: 1, created: "2026-01-02T00:00:00Z"),
            Item("hq-d", priority: 0, created: "2026-01-09T00:00:00Z"),
            Item("hq-f", priority: 1, created: "2026-01-05T00:00:00Z"),
            Item("hq-e", priority: 1, created: "2026-01-05T01:00:00+02:00"));

        // hq-e was created at 2026-01-04T23:00Z, before hq-b and hq-f.
        Assert.Equal(["hq-d", "hq-c", "hq-e", "hq-b", "hq-f", "hq-a"], Ready(doc));
    }

    [Fact]
    public void Blocked_lists_items_waiting_on_others_and_items_marked_blocked()
    {
        var doc = Doc(
            Item("hq-t", priority: 3),
            Item("hq-a", priority: 2, deps: Dep("hq-t")),
            Item("hq-m", priority: 1, status: Statuses.Blocked),
            Item("hq-c", status: Statuses.Closed, deps: Dep("hq-t")),
            Item("hq-d", status: Statuses.Deferred, deps: Dep("hq-t")),
            Item("hq-free"));

        var blocked = new DependencyGraph(doc).Blocked();

        Assert.Equal(["hq-m", "hq-a"], blocked.Select(b => b.Item.Id));
        Assert.Empty(blocked[0].Blockers);
        Assert.Equal("hq-t", Assert.Single(blocked[1].Blockers).Item.Id);
    }

    [Fact]
    public void BlockersOf_names_the_ancestor_a_blocker_is_inherited_through()
    {
        var doc = Doc(
            Item("hq-t1"),
            Item("hq-t2", status: Statuses.InProgress),
            Item("hq-e", deps: Dep("hq-t1")),
            Item("hq-e.1", deps: [Dep("hq-e", DependencyTypes.ParentChild), Dep("hq-t2", DependencyTypes.WaitsFor)]),
            Item("hq-e.1.1", deps: Dep("hq-e.1", DependencyTypes.ParentChild)));

        var blockers = new DependencyGraph(doc).BlockersOf(doc.Get("hq-e.1.1"));

        Assert.Equal([("hq-t2", "hq-e.1"), ("hq-t1", "hq-e")], blockers.Select(b => (b.Item.Id, b.Via)));
    }

    [Fact]
    public void BlockersOf_an_item_with_its_own_blocker_has_no_via()
    {
        var doc = Doc(Item("hq-t"), Item("hq-a", deps: [Dep("hq-t"), Dep("hq-t", DependencyTypes.WaitsFor)]));

        var blocker = Assert.Single(new DependencyGraph(doc).BlockersOf(doc.Get("hq-a")));

        Assert.Equal("hq-t", blocker.Item.Id);
        Assert.Null(blocker.Via);
    }

    [Fact]
    public void A_parent_child_cycle_in_a_hand_edited_file_does_not_hang_readiness()
    {
        var doc = Doc(
            Item("hq-t"),
            Item("hq-a", deps: [Dep("hq-b", DependencyTypes.ParentChild), Dep("hq-t")]),
            Item("hq-b", deps: Dep("hq-a", DependencyTypes.ParentChild)),
            Item("hq-c", deps: Dep("hq-d", DependencyTypes.ParentChild)),
            Item("hq-d", deps: Dep("hq-c", DependencyTypes.ParentChild)));
        var graph = new DependencyGraph(doc);

        Assert.Equal(["hq-c", "hq-d", "hq-t"], Ids(graph.Ready(Now)));
        Assert.Contains(graph.BlockersOf(doc.Get("hq-b")), b => b.Item.Id == "hq-t" && b.Via == "hq-a");
    }
}
