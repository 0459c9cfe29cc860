namespace Orchestrator.Core.Merging;

/// <summary>
/// When a step the refinery needs before it can land anything keeps failing the same way (the
/// rig's checkout is dirty, the gate's scratch worktree cannot be made), trying again every pass
/// only repeats the failure. After the n-th failure in a row this skips 2^(n-1) passes (1, 2, 4, …),
/// but never waits longer than <see cref="Cap"/> of wall time since the last attempt. A failing
/// spell starts with the first failure of a kind and ends when that kind of step works again:
/// the caller reports those two moments, not every attempt.
/// </summary>
public sealed class SetupBackoff(TimeSpan cap)
{
    public static readonly TimeSpan DefaultCap = TimeSpan.FromMinutes(5);

    /// <summary>A failing spell: what fails, the latest message, since when, and how many attempts failed.</summary>
    public sealed record Spell(string Kind, string Message, DateTimeOffset Since, int Failures);

    private int _skipped;
    private DateTimeOffset _lastAttempt;

    public TimeSpan Cap { get; } = cap;

    /// <summary>The current failing spell, or null when nothing is failing.</summary>
    public Spell? Failing { get; private set; }

    /// <summary>Passes to skip after the current number of failures in a row.</summary>
    public int PassesToSkip => Failing is null ? 0 : 1 << Math.Min(Failing.Failures - 1, 20);

    /// <summary>True when this pass should not try (it is counted as skipped).</summary>
    public bool ShouldWait(DateTimeOffset now)
    {
        if (Failing is null || _skipped >= PassesToSkip || now - _lastAttempt >= Cap) return false;
        _skipped++;
        return true;
    }

    /// <summary>Records a failed attempt. True when it starts a spell (the first failure, or of another kind than before).</summary>
    public bool Failed(string kind, string message, DateTimeOffset now)
    {
        var starts = Failing is null || Failing.Kind != kind;
        Failing = starts ? new Spell(kind, message, now, 1) : Failing! with { Message = message, Failures = Failing.Failures + 1 };
        _skipped = 0;
        _lastAttempt = now;
        return starts;
    }

    /// <summary>Records that a <paramref name="kind"/> step worked: the spell it ends, if that was what failed.</summary>
    public Spell? Succeeded(string kind)
    {
        if (Failing is not { } spell || spell.Kind != kind) return null;
        Failing = null;
        _skipped = 0;
        return spell;
    }
}
