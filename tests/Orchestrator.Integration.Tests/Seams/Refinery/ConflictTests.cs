using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Seams.Refinery;

/// <summary>
/// Work that cannot be squashed onto main goes back for rework with the cause, and never reaches
/// the gate: a conflict with main (or with what was stacked before it), conflict markers, a branch
/// that is gone. The rest lands as if it had not been there.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ConflictTests
{
    /// <summary>(n, batch, i, j): Si and Sj change the same file differently; Sj, later in the queue, conflicts.</summary>
    public static TheoryData<int, int, int, int> Overlaps()
    {
        var data = new TheoryData<int, int, int, int>();
        for (var n = 2; n <= 6; n++)
            for (var i = 1; i <= n; i++)
                for (var j = i + 1; j <= n; j++)
                    foreach (var batch in new[] { 1, n }.Distinct()) data.Add(n, batch, i, j);
        return data;
    }

    [Theory]
    [MemberData(nameof(Overlaps))]
    public void The_later_of_two_overlapping_submissions_goes_back_with_the_file(int count, int batch, int first, int second)
    {
        using var h = new RefineryHarness(batch);
        var specs = RefineryHarness.Numbered(count);
        specs[first - 1] = specs[first - 1] with { Files = new Dictionary<string, string> { ["shared.txt"] = "first" } };
        specs[second - 1] = specs[second - 1] with { Files = new Dictionary<string, string> { ["shared.txt"] = "second", ["own.txt"] = "x" } };
        h.Submit(specs);

        h.Pass();

        var later = "S" + second;
        Assert.Equal(Enumerable.Range(1, count).Where(i => i != second).Select(i => "S" + i), h.MainNames());
        Assert.Equal([later], h.InState(SubmissionStates.Rejected));
        Assert.Equal([(later, (string?)RejectionCauses.ConflictTag)], h.Rejections());
        Assert.Equal("conflicts with main in shared.txt", h.Queued(later).Reason);
        Assert.Equal("conflicting files:\nshared.txt", h.Queued(later).Details);
        Assert.Equal(Statuses.Open, h.Item(later).Status);
        Assert.DoesNotContain(h.Gate.Runs, r => r.Contains.Contains(h.Id(later)));
        Assert.Equal("first", h.Git.Commit(h.Git.TipOf("main")).Files["shared.txt"]);
        BisectionTests.AssertMainMovedOnlyToGreen(h);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(3, 3)]
    [InlineData(5, 2)]
    [InlineData(5, 5)]
    public void Overlapping_submissions_with_the_same_change_do_not_conflict(int count, int batch)
    {
        using var h = new RefineryHarness(batch);
        h.Submit(RefineryHarness.Numbered(count).Select(s => s with { Files = new Dictionary<string, string> { ["same.txt"] = "one fix" } }).ToList());

        h.Pass();

        Assert.Equal(Enumerable.Range(1, count).Select(i => "S" + i), h.MainNames());
        Assert.Empty(h.Rejections());
    }

    /// <summary>(n, batch, i): the i-th of n leaves conflict markers, or its branch is gone.</summary>
    public static TheoryData<int, int, int> Places()
    {
        var data = new TheoryData<int, int, int>();
        for (var n = 1; n <= 6; n++)
            for (var i = 1; i <= n; i++)
                foreach (var batch in new[] { 1, n }.Distinct()) data.Add(n, batch, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Places))]
    public void Work_that_leaves_conflict_markers_goes_back_and_the_rest_lands(int count, int batch, int place)
    {
        using var h = new RefineryHarness(batch);
        var specs = RefineryHarness.Numbered(count);
        specs[place - 1] = specs[place - 1] with { Markers = "src/a.cs" };
        h.Submit(specs);

        h.Pass();

        var bad = "S" + place;
        Assert.Equal(Enumerable.Range(1, count).Where(i => i != place).Select(i => "S" + i), h.MainNames());
        Assert.Equal([(bad, (string?)RejectionCauses.ConflictTag)], h.Rejections());
        Assert.Equal("leaves conflict markers in src/a.cs", h.Queued(bad).Reason);
        Assert.DoesNotContain(h.Gate.Runs, r => r.Contains.Contains(h.Id(bad)));
        BisectionTests.AssertMainMovedOnlyToGreen(h);
        BisectionTests.AssertGateRunsWithinBisectionBound(h, count - 1, batch, 0);
    }

    [Theory]
    [MemberData(nameof(Places))]
    public void Work_whose_branch_is_gone_goes_back_with_that_cause(int count, int batch, int place)
    {
        using var h = new RefineryHarness(batch);
        var specs = RefineryHarness.Numbered(count);
        specs[place - 1] = specs[place - 1] with { BranchGone = true };
        h.Submit(specs);

        h.Pass();

        var bad = "S" + place;
        Assert.Equal(Enumerable.Range(1, count).Where(i => i != place).Select(i => "S" + i), h.MainNames());
        Assert.Equal([(bad, (string?)"branch")], h.Rejections());
        Assert.StartsWith("its branch polecat/", h.Queued(bad).Reason);
        Assert.DoesNotContain(h.Git.Squashes, s => s.Tip == h.Queued(bad).Commit); // never squashed
        BisectionTests.AssertMainMovedOnlyToGreen(h);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(1, 4)]
    [InlineData(2, 2)]
    [InlineData(2, 4)]
    [InlineData(4, 2)]
    [InlineData(4, 4)]
    [InlineData(5, 5)]
    public void A_conflict_and_a_red_gate_in_one_queue_are_each_returned_with_their_own_cause(int batch, int culprit)
    {
        using var h = new RefineryHarness(batch);
        var specs = RefineryHarness.Numbered(5);
        specs[0] = specs[0] with { Files = new Dictionary<string, string> { ["shared.txt"] = "S1" } };
        specs[2] = specs[2] with { Files = new Dictionary<string, string> { ["shared.txt"] = "S3" } };
        h.GateBy(FakeGate.RedWith("S" + culprit));
        h.Submit(specs);

        h.Pass();

        var causes = h.Rejections().ToDictionary(r => r.Name, r => r.Tag);
        Assert.Equal(RejectionCauses.ConflictTag, causes["S3"]);
        Assert.Equal(RejectionCauses.GateTag, causes["S" + culprit]);
        Assert.Equal(2, causes.Count);
        Assert.Equal(new[] { "S1", "S2", "S4", "S5" }.Where(s => s != "S" + culprit), h.MainNames());
        BisectionTests.AssertMainMovedOnlyToGreen(h);
    }
}
