using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

/// <summary>Counterexamples the property tests found, kept as plain tests.</summary>
public class PropertyRegressionTests
{
    [Fact]
    public void An_item_whose_parent_cycle_reaches_a_blocked_second_parent_is_blocked_whichever_item_is_asked_first()
    {
        // hq-3 → parent hq-0 → parents hq-3 (a cycle) and hq-5, which waits on the hooked hq-3.
        // Asking hq-0 first used to leave hq-3 remembered as unblocked, half way round the cycle.
        var doc = Doc(
            Item("hq-0", status: Statuses.Closed, deps: [Dep("hq-3", DependencyTypes.ParentChild), Dep("hq-5", DependencyTypes.ParentChild)]),
            Item("hq-3", status: Statuses.Open, deps: Dep("hq-0", DependencyTypes.ParentChild)),
            Item("hq-5", status: Statuses.Blocked, deps: Dep("hq-3", DependencyTypes.WaitsFor)));
        var graph = new DependencyGraph(doc);

        Assert.True(graph.IsBlocked(doc.Get("hq-0")));
        Assert.True(graph.IsBlocked(doc.Get("hq-3")));
        Assert.DoesNotContain("hq-3", Ids(new DependencyGraph(doc).Ready(Now)));
    }

    [Fact]
    public void Comments_both_sides_added_with_the_same_number_merge_the_same_whichever_side_is_ours()
    {
        const string b = """{"id":"hq-0","title":"t","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z","comments":[{"id":1,"issue_id":"hq-0","author":"bo","text":"first","created_at":"2026-01-02T00:00:00Z"}]}""";
        var ours = b.Replace("\"updated_at\":\"2026-01-02T00:00:00Z\"", "\"updated_at\":\"2026-01-04T05:00:00+05:00\"")
            .Replace("}]}", "},{\"id\":2,\"issue_id\":\"hq-0\",\"author\":\"ours\",\"text\":\"beta\",\"created_at\":\"2026-01-02T00:00:00+00:00\"}]}");
        var theirs = b.Replace("\"updated_at\":\"2026-01-02T00:00:00Z\"", "\"updated_at\":\"2026-01-04T05:00:00+05:00\"")
            .Replace("}]}", "},{\"id\":2,\"issue_id\":\"hq-0\",\"author\":\"theirs\",\"text\":\"gamma\",\"created_at\":\"2026-01-04T05:00:00+05:00\"}]}");

        var ab = Assert.Single(LedgerMerge.Merge(Doc(b), Doc(ours), Doc(theirs)).Items);
        var ba = Assert.Single(LedgerMerge.Merge(Doc(b), Doc(theirs), Doc(ours)).Items);

        Assert.Equal(Write([ab]), Write([ba]));
        Assert.Equal(["1 first", "2 beta", "3 gamma"], ab.Comments.Select(c => $"{c.Id} {c.Text}"));
    }

    [Fact]
    public void A_field_both_sides_changed_at_the_same_instant_merges_the_same_whichever_side_is_ours()
    {
        const string b = """{"id":"hq-0","title":"base","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}""";
        // The same instant, written two ways.
        var ours = b.Replace("\"base\"", "\"ours\"").Replace("\"updated_at\":\"2026-01-01T00:00:00Z\"", "\"updated_at\":\"2026-01-02T00:00:00Z\"");
        var theirs = b.Replace("\"base\"", "\"theirs\"").Replace("\"updated_at\":\"2026-01-01T00:00:00Z\"", "\"updated_at\":\"2026-01-02T00:00:00+00:00\"");

        var ab = Assert.Single(LedgerMerge.Merge(Doc(b), Doc(ours), Doc(theirs)).Items);
        var ba = Assert.Single(LedgerMerge.Merge(Doc(b), Doc(theirs), Doc(ours)).Items);

        Assert.Equal(Write([ab]), Write([ba]));
    }
}
