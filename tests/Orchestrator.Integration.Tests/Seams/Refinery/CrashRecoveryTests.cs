using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Seams.Refinery;

/// <summary>
/// A refinery killed at any step of a pass (before or after each git operation and gate run of the
/// fakes) and started again finishes the work as an uninterrupted one would have: the same work
/// lands, once each, in the same order, on green candidates only; the same work goes back, once each.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class CrashRecoveryTests
{
    /// <summary>A queue: how many, the batch size, the culprits of the gate, a pair that conflicts (0: none); and its steps uninterrupted.</summary>
    public sealed record Scenario(string Name, int Count, int Batch, int[] Culprits, (int First, int Second) Overlap, int Steps)
    {
        public override string ToString() => Name;
    }

    public static readonly Scenario[] Scenarios =
    [
        new("three green in one batch", 3, 3, [], (0, 0), 11),
        new("four in one batch, the third red", 4, 4, [3], (0, 0), 24),
        new("three one at a time, the second red", 3, 1, [2], (0, 0), 20),
        new("three in one batch, the third conflicts with the first", 3, 3, [], (1, 3), 11),
    ];

    public static TheoryData<string, int, bool> Crashes()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (var s in Scenarios)
            for (var step = 1; step <= s.Steps; step++)
                foreach (var after in new[] { false, true }) data.Add(s.Name, step, after);
        return data;
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var s in Scenarios) data.Add(s.Name);
        return data;
    }

    private static RefineryHarness Start(Scenario s)
    {
        var h = new RefineryHarness(s.Batch);
        h.GateBy(FakeGate.RedWith(s.Culprits.Select(i => "S" + i).ToArray()));
        var specs = RefineryHarness.Numbered(s.Count);
        if (s.Overlap.First > 0)
        {
            specs[s.Overlap.First - 1] = specs[s.Overlap.First - 1] with { Files = new Dictionary<string, string> { ["shared.txt"] = "first" } };
            specs[s.Overlap.Second - 1] = specs[s.Overlap.Second - 1] with { Files = new Dictionary<string, string> { ["shared.txt"] = "second" } };
        }
        h.Submit(specs);
        return h;
    }

    /// <summary>The scenario's count of steps is what the theory crashes at: every one of them.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Each_scenario_has_the_steps_the_crashes_cover(string name)
    {
        var s = Scenarios.Single(x => x.Name == name);
        using var h = Start(s);
        h.Pass();
        Assert.True(s.Steps == h.Git.Steps.Count, $"{name}: {h.Git.Steps.Count} steps: {string.Join(", ", h.Git.Steps)}");
        AssertFinished(h, s);
    }

    [Theory]
    [MemberData(nameof(Crashes))]
    public void Killed_at_any_step_the_next_refinery_finishes_the_work_exactly_once(string name, int step, bool after)
    {
        var s = Scenarios.Single(x => x.Name == name);
        using var h = Start(s);
        h.Git.CrashAt = (step, after);

        var crash = Assert.Throws<Crash>(() => h.Pass());
        Assert.Equal(step, h.Git.Steps.Count);

        h.Restart();
        h.Pass();

        AssertFinished(h, s);
        Assert.Empty(h.Events(EventKinds.Error));
        _ = crash;
    }

    private static void AssertFinished(RefineryHarness h, Scenario s)
    {
        var returned = s.Culprits.Append(s.Overlap.Second).Where(i => i > 0).Select(i => "S" + i).Order(StringComparer.Ordinal).ToList();
        var landed = Enumerable.Range(1, s.Count).Select(i => "S" + i).Where(n => !returned.Contains(n)).ToList();
        Assert.Equal(landed, h.MainNames()); // in queue order, each once
        Assert.Equal(landed.Order(StringComparer.Ordinal), h.InState(SubmissionStates.Merged));
        Assert.Equal(returned, h.InState(SubmissionStates.Rejected));
        Assert.Empty(h.InState(SubmissionStates.Queued));
        Assert.Empty(h.InState(SubmissionStates.Merging));
        Assert.Equal(landed.Order(StringComparer.Ordinal), h.Events(EventKinds.Merged).Select(e => h.Name(e.Subject!)).Order(StringComparer.Ordinal));
        Assert.Equal(returned, h.Rejections().Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.All(h.Rejections(), r => Assert.Equal(s.Culprits.Contains(int.Parse(r.Name[1..])) ? RejectionCauses.GateTag : RejectionCauses.ConflictTag,
            r.Tag));
        Assert.All(landed, n => Assert.Equal(Statuses.Closed, h.Item(n).Status));
        Assert.All(returned, n => Assert.Equal(Statuses.Open, h.Item(n).Status));
        var green = h.Gate.Runs.Where(r => r.Green).Select(r => r.Commit).ToHashSet();
        Assert.All(h.Git.Moves, m => Assert.Contains(m.To, green));
    }
}
