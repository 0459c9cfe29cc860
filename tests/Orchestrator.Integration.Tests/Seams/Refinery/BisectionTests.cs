using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Seams.Refinery;

/// <summary>
/// A batch gated as one stack, bisected when red: for every batch size and every place of zero,
/// one or two culprits, exactly the culprits go back (cause: the gate), everything else lands once,
/// in queue order, main only ever moves to a candidate the gate passed, and the gate runs no more
/// often than bisection promises. On the fake rig and gate: no repository, no process.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class BisectionTests
{
    private const int Largest = 8;

    /// <summary>(queue length, batch, culprits by number): every batch size 1…8, a full batch, culprits at every place.</summary>
    public static TheoryData<int, int, int[]> FullBatches()
    {
        var data = new TheoryData<int, int, int[]>();
        for (var n = 1; n <= Largest; n++)
        {
            data.Add(n, n, []);
            for (var i = 1; i <= n; i++) data.Add(n, n, [i]);
            for (var i = 1; i <= n; i++)
                for (var j = i + 1; j <= n; j++) data.Add(n, n, [i, j]);
        }
        return data;
    }

    /// <summary>A queue of 7 taken in batches of 1…6: one culprit at every place, and two, one in each of the first two batches.</summary>
    public static TheoryData<int, int, int[]> PartialBatches()
    {
        var data = new TheoryData<int, int, int[]>();
        for (var batch = 1; batch <= 6; batch++)
        {
            for (var i = 1; i <= 7; i++) data.Add(7, batch, [i]);
            if (batch * 2 <= 7) data.Add(7, batch, [1, batch + 1]);
            data.Add(7, batch, [batch, 7]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FullBatches))]
    [MemberData(nameof(PartialBatches))]
    public void Exactly_the_culprits_go_back_and_the_rest_lands_once_in_order(int count, int batch, int[] culprits)
    {
        using var h = new RefineryHarness(batch);
        var bad = culprits.Select(i => "S" + i).ToHashSet();
        h.GateBy(FakeGate.RedWith(bad));
        h.Submit(RefineryHarness.Numbered(count));

        var outcomes = h.Pass();

        var expected = Enumerable.Range(1, count).Select(i => "S" + i).Where(s => !bad.Contains(s)).ToList();
        Assert.Equal(expected, h.MainNames());
        Assert.Equal(expected.Order(StringComparer.Ordinal), h.InState(SubmissionStates.Merged));
        Assert.Equal(bad.Order(StringComparer.Ordinal), h.InState(SubmissionStates.Rejected));
        Assert.Equal(bad.Order(StringComparer.Ordinal), h.Rejections().Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.All(h.Rejections(), r => Assert.Equal(RejectionCauses.GateTag, r.Tag));
        Assert.All(bad, s => Assert.StartsWith("the gate (make test) failed", h.Queued(s).Reason));
        Assert.All(bad, s => Assert.Equal(Statuses.Open, h.Item(s).Status)); // its worker is gone: back to ready
        Assert.All(expected, s => Assert.Equal(Statuses.Closed, h.Item(s).Status));
        Assert.Equal(count, outcomes.Count);
        Assert.Equal(expected.Count, h.Events(Core.Events.EventKinds.Merged).Count);
        AssertMainMovedOnlyToGreen(h);
        AssertGateRunsWithinBisectionBound(h, count, batch, bad.Count);
    }

    /// <summary>(n, i, j): two submissions each green alone, red together; the later one is returned.</summary>
    public static TheoryData<int, int, int, int> Interactions()
    {
        var data = new TheoryData<int, int, int, int>();
        for (var n = 2; n <= 6; n++)
            for (var i = 1; i <= n; i++)
                for (var j = i + 1; j <= n; j++)
                    foreach (var batch in new[] { 1, n }.Distinct()) data.Add(n, batch, i, j);
        return data;
    }

    [Theory]
    [MemberData(nameof(Interactions))]
    public void Two_submissions_red_only_together_return_the_later_one(int count, int batch, int first, int second)
    {
        using var h = new RefineryHarness(batch);
        h.GateBy(FakeGate.RedWhenAll("S" + first, "S" + second));
        h.Submit(RefineryHarness.Numbered(count));

        h.Pass();

        var expected = Enumerable.Range(1, count).Where(i => i != second).Select(i => "S" + i).ToList();
        Assert.Equal(expected, h.MainNames());
        Assert.Equal(["S" + second], h.InState(SubmissionStates.Rejected));
        Assert.Equal([("S" + second, (string?)RejectionCauses.GateTag)], h.Rejections());
        AssertMainMovedOnlyToGreen(h);
        AssertGateRunsWithinBisectionBound(h, count, batch, 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void A_gate_red_once_then_green_costs_the_stack_its_last_submission(int count)
    {
        using var h = new RefineryHarness(count);
        h.GateBy(FakeGate.FlakyOnce());
        h.Submit(RefineryHarness.Numbered(count));

        h.Pass();

        // The whole stack was red, every shorter prefix green: bisection blames the last one.
        Assert.Equal(["S" + count], h.InState(SubmissionStates.Rejected));
        Assert.Equal(Enumerable.Range(1, count - 1).Select(i => "S" + i), h.MainNames());
        Assert.Equal(count == 1 ? 1 : 1 + Log2Ceiling(count), h.Gate.Runs.Count);
        AssertMainMovedOnlyToGreen(h);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void A_red_batch_records_which_submission_broke_it_and_how_many_before_it_are_green(int culprit)
    {
        using var h = new RefineryHarness(6);
        h.GateBy(FakeGate.RedWith("S" + culprit));
        h.Submit(RefineryHarness.Numbered(6));

        h.Pass();

        var bisected = Assert.Single(h.Events(Core.Events.EventKinds.GateRun), e => e.Text.StartsWith("bisected", StringComparison.Ordinal));
        Assert.Equal(h.Id("S" + culprit), bisected.Subject);
        Assert.Contains($"{culprit - 1} before it are green", bisected.Text);
        // The culprit's details are the output of the gate on the first red prefix, the one ending with it.
        Assert.Contains(h.Id("S" + culprit), h.Queued("S" + culprit).Details);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Without_a_gate_everything_lands_and_nothing_runs(int batch)
    {
        using var h = new RefineryHarness(batch, gate: "");
        h.GateBy(_ => false);
        h.Submit(RefineryHarness.Numbered(5));

        h.Pass();

        Assert.Equal(["S1", "S2", "S3", "S4", "S5"], h.MainNames());
        Assert.Empty(h.Gate.Runs);
        Assert.Equal(0, h.Refinery.GateRuns);
        Assert.Empty(h.Git.Scratches);
    }

    /// <summary>Each move of main goes from the tip it had to a candidate the gate passed; the gate ran on the stack it was told of.</summary>
    internal static void AssertMainMovedOnlyToGreen(RefineryHarness h)
    {
        var green = h.Gate.Runs.Where(r => r.Green).Select(r => r.Commit).ToHashSet();
        var history = h.Git.MainHistory();
        Assert.Equal(h.Git.Base, history[0]);
        var tip = h.Git.Base;
        foreach (var (from, to) in h.Git.Moves)
        {
            Assert.Equal(tip, from);
            Assert.Contains(to, green);
            tip = to;
        }
        Assert.Equal(history[^1], tip);
        Assert.Equal(h.Git.MainItems.Distinct().Count(), h.Git.MainItems.Count); // each landed once
        Assert.All(h.Gate.Runs, r => Assert.Equal(r.Stacked, r.Contains.TakeLast(r.Stacked.Count)));
        Assert.Equal(h.Gate.Runs.Select(r => r.Commit), h.Git.Scratches); // each run in a scratch worktree of its own candidate
        Assert.Equal(h.Gate.Runs.Count, h.Refinery.GateRuns);
    }

    /// <summary>
    /// A round gates its stack once, and a red stack of m (m &gt; 1) again ⌈log2 m⌉ times at most; with
    /// k culprits in a queue of n taken b at a time there are at most ⌈n/b⌉ + k rounds.
    /// </summary>
    internal static void AssertGateRunsWithinBisectionBound(RefineryHarness h, int count, int batch, int culprits)
    {
        var rounds = (count + batch - 1) / batch + culprits;
        var perRound = 1 + Log2Ceiling(batch);
        Assert.True(h.Gate.Runs.Count <= rounds * perRound, $"{h.Gate.Runs.Count} gate runs for {count} in batches of {batch} with {culprits} culprit(s)");
        if (culprits == 0) Assert.Equal((count + batch - 1) / batch, h.Gate.Runs.Count); // all green: one run per batch
    }

    internal static int Log2Ceiling(int m)
    {
        var k = 0;
        while ((1 << k) < m) k++;
        return k;
    }
}
