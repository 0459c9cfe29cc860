using Orchestrator.Core.Items;

namespace Orchestrator.Core.Supervision;

/// <summary>
/// When a crashed service is started again: after 30 s, then 1, 2, 4 … minutes (at most 30) for
/// each further crash in a row; a run that lasted 10 minutes ends the streak. At the third crash
/// in a row the overseer is told, once per streak.
/// </summary>
public static class RestartPolicy
{
    public const int ReportAfter = 3;
    public static readonly TimeSpan StreakEndsAfter = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultFirstDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(30);

    /// <summary>The wait before the restart that follows crash number <paramref name="crashes"/> of a streak (1-based).</summary>
    public static TimeSpan Delay(int crashes, TimeSpan first)
    {
        if (crashes <= 0) return TimeSpan.Zero;
        var factor = Math.Pow(2, Math.Min(crashes - 1, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(first.Ticks * factor, MaxDelay.Ticks));
        return delay < first ? first : delay;
    }

    /// <summary>
    /// The record after a crash of the run with <paramref name="pid"/> is seen: counted once per
    /// pid; a crash after a long run starts a new streak.
    /// </summary>
    public static SupervisionRecord Crashed(SupervisionRecord? record, string name, int? pid, string error, string? log, DateTimeOffset now,
        TimeSpan firstDelay)
    {
        if (record is not null && pid is not null && record.LastPid == pid) return record; // already counted
        var startedAt = At(record?.StartedAt);
        var longRun = startedAt is { } s && now - s >= StreakEndsAfter;
        var crashes = record is null || longRun ? 1 : record.Crashes + 1;
        return new SupervisionRecord
        {
            Name = name,
            Crashes = crashes,
            Restarts = record?.Restarts ?? 0,
            LastPid = pid,
            LastCrashAt = Timestamps.Format(now),
            LastError = error,
            Log = log,
            StartedAt = record?.StartedAt,
            NextStartAt = Timestamps.Format(now + Delay(crashes, firstDelay)),
            Reported = !longRun && (record?.Reported ?? false),
        };
    }

    /// <summary>True when a crashed service may be started again now.</summary>
    public static bool Due(SupervisionRecord? record, DateTimeOffset now) =>
        record?.NextStartAt is not { } next || At(next) is not { } at || now >= at;

    /// <summary>True when this crash is the one to tell the overseer about.</summary>
    public static bool ShouldReport(SupervisionRecord record) => record.Crashes >= ReportAfter && !record.Reported;

    /// <summary>
    /// The record of a service seen alive: a run that has lasted <see cref="StreakEndsAfter"/>
    /// ends the streak (null: nothing to keep); otherwise unchanged.
    /// </summary>
    public static SupervisionRecord? SeenAlive(SupervisionRecord? record, DateTimeOffset now) =>
        record is not null && At(record.StartedAt) is { } s && now - s >= StreakEndsAfter && record.Crashes > 0
            ? record with { Crashes = 0, NextStartAt = null, Reported = false }
            : record;

    private static DateTimeOffset? At(string? text) => Timestamps.TryParse(text, out var t) ? t : null;
}
