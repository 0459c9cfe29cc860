using Orchestrator.Core.Merging;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Seams.Refinery;

/// <summary>
/// The order work lands in, whatever the batch size: dependencies first, then priority (P0 first),
/// then age; never the order work happened to finish in.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class QueueOrderTests
{
    /// <summary>(priorities of S1…S4, submitted in that order; batch): every mix of P0, P1 and P2.</summary>
    public static TheoryData<int[], int> Priorities()
    {
        var data = new TheoryData<int[], int>();
        var n = 0;
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
                for (var c = 0; c < 3; c++)
                    for (var d = 0; d < 3; d++)
                        data.Add([a, b, c, d], 1 + n++ % 4);
        return data;
    }

    [Theory]
    [MemberData(nameof(Priorities))]
    public void Work_lands_by_priority_then_by_age(int[] priorities, int batch)
    {
        using var h = new RefineryHarness(batch);
        // Submitted S4 first, S1 last: among equals the oldest goes first, whatever its name.
        h.Submit(priorities.Select((p, i) => new Spec("S" + (i + 1)) { Priority = p, At = 10 - i }).ToList());

        h.Pass();

        var expected = priorities.Select((p, i) => (Name: "S" + (i + 1), Priority: p, At: 10 - i)).OrderBy(x => x.Priority).ThenBy(x => x.At)
            .Select(x => x.Name).ToList();
        Assert.Equal(expected, h.MainNames());
        // Each gate run stacks the next ones in that order on main.
        Assert.All(h.Gate.Runs, r => Assert.Equal(expected.Take(r.Contains.Count), r.Contains.Select(h.Name)));
        Assert.Equal((4 + batch - 1) / batch, h.Gate.Runs.Count);
    }

    /// <summary>(dependencies as "S1>S3" = S1 depends on S3; the order on main one at a time; batch).</summary>
    public static TheoryData<string, string, int> Dependencies()
    {
        string[][] table =
        [
            ["", "S1 S2 S3 S4"],
            ["S1>S2", "S2 S1 S3 S4"],
            ["S1>S4", "S2 S3 S4 S1"],
            ["S1>S4 S2>S4", "S3 S4 S1 S2"],
            ["S1>S2 S2>S3 S3>S4", "S4 S3 S2 S1"],
            ["S1>S3 S3>S4", "S2 S4 S3 S1"],
            ["S4>S1", "S1 S2 S3 S4"],
            ["S2>S1 S3>S1 S4>S1", "S1 S2 S3 S4"],
            ["S1>S2 S1>S3", "S2 S3 S1 S4"],
        ];
        var data = new TheoryData<string, string, int>();
        foreach (var row in table)
            foreach (var batch in new[] { 1, 2, 4 }) data.Add(row[0], row[1], batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(Dependencies))]
    public void Work_waits_for_the_work_it_depends_on(string dependencies, string order, int batch)
    {
        using var h = new RefineryHarness(batch);
        var deps = dependencies.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(d => d.Split('>')).ToLookup(d => d[0], d => d[1]);
        h.Submit(RefineryHarness.Numbered(4).Select(s => s with { DependsOn = deps[s.Name].ToList() }).ToList());

        h.Pass();

        Assert.Equal(Rounds(deps, 1), order.Split(' ')); // the table is the rule
        Assert.Equal(Rounds(deps, batch), h.MainNames());
        Assert.Equal(4, h.InState(SubmissionStates.Merged).Count);
    }

    /// <summary>
    /// The rule, as rounds: each takes up to <paramref name="batch"/> of the work whose dependencies
    /// have landed, oldest first; all of a round lands before the next is chosen.
    /// </summary>
    private static List<string> Rounds(ILookup<string, string> deps, int batch)
    {
        var waiting = new List<string> { "S1", "S2", "S3", "S4" };
        var landed = new List<string>();
        while (waiting.Count > 0)
        {
            var round = waiting.Where(s => deps[s].All(landed.Contains)).Take(batch).ToList();
            Assert.NotEmpty(round);
            landed.AddRange(round);
            waiting.RemoveAll(round.Contains);
        }
        return landed;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Work_that_depends_on_returned_work_lands_without_it(int batch)
    {
        using var h = new RefineryHarness(batch);
        h.GateBy(FakeGate.RedWith("S3"));
        h.Submit(RefineryHarness.Numbered(3).Select(s => s.Name == "S1" ? s with { DependsOn = ["S3"] } : s).ToList());

        h.Pass();

        // S1 waits for S3; the gate returns S3, and then S1 waits for nothing still in the queue.
        Assert.Equal(["S2", "S1"], h.MainNames());
        Assert.Equal(["S3"], h.InState(SubmissionStates.Rejected));
    }
}
