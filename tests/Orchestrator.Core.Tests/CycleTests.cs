using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

public class CycleTests
{
    // hq-a depends on hq-b, hq-b on hq-c (a chain a → b → c).
    private static LedgerDocument Chain() => Doc(
        Item("hq-a", deps: Dep("hq-b")),
        Item("hq-b", deps: Dep("hq-c", DependencyTypes.WaitsFor)),
        Item("hq-c"));

    [Fact]
    public void CycleIfAdded_names_the_path_from_the_new_edge_back_to_its_start()
    {
        var graph = new DependencyGraph(Chain());

        Assert.Equal(["hq-c", "hq-a", "hq-b", "hq-c"], graph.CycleIfAdded("hq-c", "hq-a"));
        Assert.Equal(["hq-b", "hq-a", "hq-b"], graph.CycleIfAdded("hq-b", "hq-a"));
    }

    [Fact]
    public void CycleIfAdded_is_null_when_the_edge_closes_no_cycle()
    {
        var graph = new DependencyGraph(Chain());

        Assert.Null(graph.CycleIfAdded("hq-a", "hq-c"));
        Assert.Null(graph.CycleIfAdded("hq-c", "hq-missing"));
        Assert.Null(graph.CycleIfAdded("hq-missing", "hq-a"));
    }

    [Fact]
    public void A_self_dependency_is_a_cycle_of_one()
    {
        var graph = new DependencyGraph(Chain());

        Assert.Equal(["hq-a", "hq-a"], graph.CycleIfAdded("hq-a", "hq-a"));
    }

    [Fact]
    public void Parent_child_edges_count_for_cycles()
    {
        var doc = Doc(Item("hq-e"), Item("hq-e.1", deps: Dep("hq-e", DependencyTypes.ParentChild)));

        Assert.Equal(["hq-e", "hq-e.1", "hq-e"], new DependencyGraph(doc).CycleIfAdded("hq-e", "hq-e.1"));
    }

    [Theory]
    [InlineData(DependencyTypes.Related)]
    [InlineData(DependencyTypes.DiscoveredFrom)]
    public void Non_ordering_edges_do_not_form_cycles(string type)
    {
        var doc = Doc(Item("hq-a", deps: Dep("hq-b", type)), Item("hq-b"));

        Assert.Null(new DependencyGraph(doc).CycleIfAdded("hq-b", "hq-a"));
    }

    [Fact]
    public void AddDependency_refuses_an_edge_that_closes_a_cycle_and_leaves_the_ledger_unchanged()
    {
        var doc = Chain();
        var before = Write(doc);
        var ops = new ItemOperations(doc, Now, "tester", "hq");

        var ex = Assert.Throws<OrcException>(() => ops.AddDependency("hq-c", "hq-a"));

        Assert.Contains("dependency cycle", ex.Message);
        Assert.Contains("hq-c → hq-a → hq-b → hq-c", ex.Message);
        Assert.Equal(before, Write(doc));
        Assert.Empty(ops.Changed);
        Assert.True(doc.Get("hq-c").HasRawLine);
    }

    [Theory]
    [InlineData(DependencyTypes.Blocks)]
    [InlineData(DependencyTypes.ConditionalBlocks)]
    [InlineData(DependencyTypes.WaitsFor)]
    [InlineData(DependencyTypes.ParentChild)]
    public void Every_ordering_dependency_type_is_checked_for_cycles(string type)
    {
        var doc = Chain();
        var ops = new ItemOperations(doc, Now, "tester", "hq");

        var ex = Assert.Throws<OrcException>(() => ops.AddDependency("hq-c", "hq-a", type));

        Assert.Contains("dependency cycle", ex.Message);
        Assert.Empty(doc.Get("hq-c").Dependencies);
    }

    [Fact]
    public void A_related_edge_that_would_close_a_loop_is_allowed()
    {
        var doc = Chain();
        var ops = new ItemOperations(doc, Now, "tester", "hq");

        Assert.True(ops.AddDependency("hq-c", "hq-a", DependencyTypes.Related));
        Assert.Empty(new DependencyGraph(doc).FindCycles());
    }

    [Fact]
    public void AddDependency_refuses_a_self_dependency()
    {
        var doc = Chain();
        var before = Write(doc);
        var ops = new ItemOperations(doc, Now, "tester", "hq");

        var ex = Assert.Throws<OrcException>(() => ops.AddDependency("hq-a", "hq-a"));

        Assert.Contains("hq-a", ex.Message);
        Assert.Contains("itself", ex.Message);
        Assert.Equal(before, Write(doc));
    }

    [Fact]
    public void FindCycles_finds_nothing_in_an_acyclic_ledger()
    {
        Assert.Empty(new DependencyGraph(Chain()).FindCycles());
    }

    [Fact]
    public void FindCycles_reports_a_hand_made_cycle()
    {
        var doc = Doc(
            Item("hq-a", deps: Dep("hq-b")),
            Item("hq-b", deps: Dep("hq-c", DependencyTypes.ConditionalBlocks)),
            Item("hq-c", deps: Dep("hq-a", DependencyTypes.ParentChild)),
            Item("hq-d", deps: Dep("hq-a")));

        var cycle = Assert.Single(new DependencyGraph(doc).FindCycles());

        Assert.Equal(["hq-a", "hq-b", "hq-c", "hq-a"], cycle);
    }

    [Fact]
    public void FindCycles_reports_a_self_loop_and_separate_cycles()
    {
        var doc = Doc(
            Item("hq-a", deps: Dep("hq-a")),
            Item("hq-b", deps: Dep("hq-c")),
            Item("hq-c", deps: Dep("hq-b")));

        var cycles = new DependencyGraph(doc).FindCycles();

        Assert.Equal(2, cycles.Count);
        Assert.Contains(["hq-a", "hq-a"], cycles);
        Assert.Contains(["hq-b", "hq-c", "hq-b"], cycles);
    }

    [Fact]
    public void FindCycles_ignores_related_loops_and_missing_targets()
    {
        var doc = Doc(
            Item("hq-a", deps: [Dep("hq-b", DependencyTypes.Related), Dep("hq-gone")]),
            Item("hq-b", deps: Dep("hq-a", DependencyTypes.DiscoveredFrom)));

        Assert.Empty(new DependencyGraph(doc).FindCycles());
    }

    [Fact]
    public void A_short_cycle_is_described_in_full()
    {
        Assert.Equal("hq-a → hq-a", DependencyGraph.Describe(["hq-a", "hq-a"]));
        var eight = Enumerable.Range(0, 8).Select(i => $"hq-{i}").Append("hq-0").ToList();
        Assert.Equal(string.Join(" → ", eight), DependencyGraph.Describe(eight));
        Assert.Equal("hq-a -> hq-b -> hq-a", DependencyGraph.Describe(["hq-a", "hq-b", "hq-a"], " -> "));
    }

    [Fact]
    public void A_long_cycle_is_described_by_its_length_and_its_first_and_last_ids()
    {
        var cycle = Enumerable.Range(0, 20_000).Select(i => $"hq-{i}").Append("hq-0").ToList();

        Assert.Equal("hq-0 → hq-1 → hq-2 → … → hq-19997 → hq-19998 → hq-19999 → hq-0 (20,000 items; 19,994 not shown)", DependencyGraph.Describe(cycle));
        var nine = Enumerable.Range(0, 9).Select(i => $"hq-{i}").Append("hq-0").ToList();
        Assert.Equal("hq-0 → hq-1 → hq-2 → … → hq-6 → hq-7 → hq-8 → hq-0 (9 items; 3 not shown)", DependencyGraph.Describe(nine));
    }
}
