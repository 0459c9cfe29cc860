using Orchestrator.Core.Merging;

namespace Orchestrator.Core.Tests;

public sealed class SetupBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Runs passes at one instant; returns the passes (1-based) that tried, each failing.</summary>
    private static List<int> Attempts(SetupBackoff b, int passes, DateTimeOffset now)
    {
        var tried = new List<int>();
        for (var pass = 1; pass <= passes; pass++)
        {
            if (b.ShouldWait(now)) continue;
            tried.Add(pass);
            b.Failed("checkout", "dirty", now);
        }
        return tried;
    }

    [Fact]
    public void Each_failure_in_a_row_doubles_the_passes_skipped()
    {
        var b = new SetupBackoff(TimeSpan.FromMinutes(5));
        Assert.Equal([1, 3, 6, 11, 20, 37], Attempts(b, 40, T0));
        Assert.Equal(6, b.Failing!.Failures);
        Assert.Equal(32, b.PassesToSkip);
    }

    [Fact]
    public void The_wait_never_exceeds_the_cap_of_wall_time()
    {
        var b = new SetupBackoff(TimeSpan.FromMinutes(5));
        Attempts(b, 200, T0); // many failures: 2^n passes to skip
        Assert.True(b.ShouldWait(T0.AddMinutes(4)));
        Assert.False(b.ShouldWait(T0.AddMinutes(5)));
    }

    [Fact]
    public void A_spell_starts_once_per_kind_and_ends_only_when_that_kind_works()
    {
        var b = new SetupBackoff(SetupBackoff.DefaultCap);
        Assert.Null(b.Succeeded("checkout"));
        Assert.True(b.Failed("checkout", "dirty", T0));
        Assert.False(b.Failed("checkout", "still dirty", T0));
        Assert.Null(b.Succeeded("scratch"));
        Assert.True(b.Failed("scratch", "no worktree", T0)); // another kind: a new spell
        Assert.False(b.Failed("scratch", "no worktree", T0));
        var spell = b.Succeeded("scratch");
        Assert.Equal(("scratch", 2, T0), (spell!.Kind, spell.Failures, spell.Since));
        Assert.Null(b.Failing);
        Assert.False(b.ShouldWait(T0));
    }
}
