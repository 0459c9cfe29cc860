using Orchestrator.Core.Ledger;

namespace Orchestrator.Core.Tests;

public class IdComparerTests
{
    [Fact]
    public void Child_numbers_sort_numerically_after_their_parent()
    {
        var ids = new List<string> { "hq-b", "hq-a.10", "hq-a", "hq-a.2", "hq-a.2.1", "gt-z" };
        ids.Sort(IdComparer.Instance);
        Assert.Equal(["gt-z", "hq-a", "hq-a.2", "hq-a.2.1", "hq-a.10", "hq-b"], ids);
    }
}
