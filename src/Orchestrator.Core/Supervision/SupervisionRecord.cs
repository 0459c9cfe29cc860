namespace Orchestrator.Core.Supervision;

/// <summary>
/// What a supervisor (boot for the deacon, the deacon for the rigs' services) knows about a
/// service's crashes, kept in <c>.orc/run/supervision/KEY.json</c>: how many times in a row it
/// crashed, the last error and its log, when it was last started and when it may be started
/// again, and whether the overseer was told about this streak.
/// </summary>
public sealed record SupervisionRecord
{
    public required string Name { get; init; }
    /// <summary>Crashes in a row (a run that lasted <see cref="RestartPolicy.StreakEndsAfter"/> ends a streak).</summary>
    public int Crashes { get; init; }
    /// <summary>Restarts after a crash, in all.</summary>
    public int Restarts { get; init; }
    /// <summary>The pid of the run whose crash is recorded (so one crash is counted once).</summary>
    public int? LastPid { get; init; }
    public string? LastCrashAt { get; init; }
    /// <summary>The last error line it died with.</summary>
    public string? LastError { get; init; }
    /// <summary>The crash report it wrote, if any (<c>.orc/logs/crash-….log</c>).</summary>
    public string? Log { get; init; }
    /// <summary>When it was last started by a supervisor or <c>orc up</c>.</summary>
    public string? StartedAt { get; init; }
    /// <summary>Not started again before this (the backoff after a crash).</summary>
    public string? NextStartAt { get; init; }
    /// <summary>The overseer (and the mayor) were mailed about the current streak.</summary>
    public bool Reported { get; init; }
}
