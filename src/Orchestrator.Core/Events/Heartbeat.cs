namespace Orchestrator.Core.Events;

/// <summary>
/// What a running service (refinery, witness, deacon, boot) says about itself, rewritten on every
/// pass: its pid, when it started, when it last beat, and what it did last. A heartbeat older
/// than a few intervals means the service is gone or stuck.
/// </summary>
public sealed record Heartbeat
{
    public required string Name { get; init; }
    public required int Pid { get; init; }
    public required string StartedAt { get; init; }
    public required string BeatAt { get; init; }
    public int IntervalSeconds { get; init; }
    public string State { get; init; } = "running";
    public string? Last { get; init; }
    public long Passes { get; init; }
    /// <summary>Started by <c>orc up</c> or a supervisor in a window of the workspace's tmux server (not by hand in a terminal).</summary>
    public bool Launched { get; init; }

    /// <summary>True when the last beat is older than three intervals (at least 30 s).</summary>
    public bool IsStale(DateTimeOffset now) =>
        !DateTimeOffset.TryParse(BeatAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var beat)
        || now - beat > TimeSpan.FromSeconds(Math.Max(30, IntervalSeconds * 3));
}
