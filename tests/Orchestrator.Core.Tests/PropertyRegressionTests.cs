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
}
