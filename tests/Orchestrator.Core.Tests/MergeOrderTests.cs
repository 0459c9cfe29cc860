using Orchestrator.Core.Merging;

namespace Orchestrator.Core.Tests;

public sealed class MergeOrderTests
{
    private static Submission S(string item, int priority = 2, string at = "2026-01-01T00:00:00Z") => new()
    {
        Item = item, Rig = "app", Agent = "a", Branch = "b", Commit = "c", BaseCommit = "base", SubmittedAt = at, Priority = priority,
    };

    [Fact]
    public void Dependencies_wait_then_priority_then_age_then_id()
    {
        var deps = new Dictionary<string, string[]> { ["x-b"] = ["x-a"], ["x-d"] = ["x-gone"] };
        var (ready, waiting) = MergeOrder.Plan(
            [S("x-b", 0), S("x-a", 2, "2026-01-02T00:00:00Z"), S("x-c", 2, "2026-01-01T00:00:00Z"), S("x-d", 1), S("x-e", 2, "2026-01-01T00:00:00Z")],
            id => deps.GetValueOrDefault(id) ?? []);
        Assert.Equal(["x-d", "x-c", "x-e", "x-a"], ready.Select(s => s.Item));
        var w = Assert.Single(waiting);
        Assert.Equal(("x-b", "x-a"), (w.Submission.Item, w.WaitsFor));
    }

    [Fact]
    public void What_depends_on_work_waiting_for_a_person_waits_too()
    {
        var deps = new Dictionary<string, string[]> { ["x-b"] = ["x-a"] };
        var (ready, waiting) = MergeOrder.Plan([S("x-b"), S("x-c")], id => deps.GetValueOrDefault(id) ?? [], elsewhere: ["x-a"]);
        Assert.Equal(["x-c"], ready.Select(s => s.Item));
        Assert.Equal(("x-b", "x-a"), (Assert.Single(waiting).Submission.Item, waiting[0].WaitsFor));
    }

    [Fact]
    public void A_cycle_leaves_both_waiting()
    {
        var deps = new Dictionary<string, string[]> { ["x-a"] = ["x-b"], ["x-b"] = ["x-a"] };
        var (ready, waiting) = MergeOrder.Plan([S("x-a"), S("x-b")], id => deps[id]);
        Assert.Empty(ready);
        Assert.Equal(2, waiting.Count);
    }

    [Theory]
    [InlineData(8, 4, 3)]
    [InlineData(8, 0, 3)]
    [InlineData(8, 7, 3)]
    [InlineData(20, 13, 5)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 0, 0)]
    public void Bisection_finds_the_first_bad_submission_in_log2_runs(int count, int bad, int maxRuns)
    {
        var runs = 0;
        var (culprit, green) = Bisection.FirstBad(count, k => { runs++; Assert.InRange(k, 1, count - 1); return k <= bad; });
        Assert.Equal(bad, culprit);
        Assert.Equal(bad, green);
        Assert.True(runs <= maxRuns, $"{runs} runs");
    }
}
