using Orchestrator.Core.Events;

namespace Orchestrator.Core.Supervision;

/// <summary>The states a service is shown in (<c>orc status</c>, its <c>--json</c>, the TUI).</summary>
public static class ServiceStates
{
    /// <summary>Its process is alive and its heartbeat fresh.</summary>
    public const string Running = "running";
    /// <summary>Its window was just started and has not beaten yet.</summary>
    public const string Starting = "starting";
    /// <summary>Its process is alive but silent for three intervals (hung): its supervisor replaces it.</summary>
    public const string Stale = "stale";
    /// <summary>Its window was closed and its process is finishing its pass: a successor may start (it waits for the lock).</summary>
    public const string Stopping = "stopping";
    /// <summary>It stopped when asked (<c>orc down</c>, Ctrl-C, its pass with --once).</summary>
    public const string Stopped = "stopped";
    /// <summary>It died without stopping (an unhandled exception, a signal, a vanished pid).</summary>
    public const string Crashed = "crashed";
    /// <summary>It crashed <see cref="RestartPolicy.ReportAfter"/> or more times in a row: its supervisor backs off and has told the overseer.</summary>
    public const string CrashLooping = "crash-looping";
    public const string NeverRan = "never ran";
}

/// <summary>What was seen of a service: its window (if any), its heartbeat, whether the heartbeat's pid lives, and its supervision record.</summary>
public sealed record ServiceObservation(
    bool HasWindow, bool PaneDead, int PanePid, int? ExitStatus,
    Heartbeat? Beat, bool BeatPidAlive, SupervisionRecord? Record, DateTimeOffset Now);

/// <summary>A service's state and why: the pid it runs as (or, crashed, the pid that died), the last error it died with, how often in a row it crashed, when it
/// is started again.</summary>
public sealed record ServiceHealth(string State, int? Pid, string? Error, int Crashes, int Restarts, string? NextStartAt, string? Log)
{
    /// <summary>Running or about to: its supervisor leaves it alone.</summary>
    public bool Alive => State is ServiceStates.Running or ServiceStates.Starting;

    public bool IsCrash => State is ServiceStates.Crashed or ServiceStates.CrashLooping;

    /// <summary>
    /// The liveness rule. The window and the pid say whether the process lives; the heartbeat says
    /// whether it works and whether it stopped on purpose; a process that is gone without having
    /// written "stopped" crashed. "running" is only ever said of a live process.
    /// </summary>
    public static ServiceHealth Classify(ServiceObservation o)
    {
        var beat = o.Beat;
        var record = o.Record;
        string state;
        int? pid = null;
        string? error = null;
        if (o.HasWindow && !o.PaneDead)
        {
            pid = o.PanePid;
            // A heartbeat from another pid is an earlier run's: the new process has not beaten yet.
            state = beat is null || beat.Pid != o.PanePid ? ServiceStates.Starting
                : beat.State == "stopped" ? ServiceStates.Stopped
                : beat.IsStale(o.Now) ? ServiceStates.Stale
                : ServiceStates.Running;
        }
        else if (o.HasWindow)
        {
            // The pane's process ended. Exit 0, or a last heartbeat of its own saying "stopped", is a stop.
            pid = o.PanePid;
            var stoppedItself = beat is { State: "stopped" } && beat.Pid == o.PanePid;
            if (o.ExitStatus == 0 || stoppedItself) state = ServiceStates.Stopped;
            else
            {
                state = ServiceStates.Crashed;
                error = record?.LastPid == o.PanePid && record.LastError is { } known ? known : ExitText(o.ExitStatus);
            }
        }
        else if (beat is null) state = record is null ? ServiceStates.NeverRan : ServiceStates.Stopped;
        else if (beat.State == "stopped") state = ServiceStates.Stopped;
        else if (o.BeatPidAlive)
        {
            pid = beat.Pid;
            // Started by hand in a terminal: it lives outside the workspace's tmux. Launched in a
            // window that is gone: it was told to stop (SIGHUP) and is finishing.
            state = beat.Launched ? ServiceStates.Stopping : beat.IsStale(o.Now) ? ServiceStates.Stale : ServiceStates.Running;
        }
        else
        {
            pid = beat.Pid;
            state = ServiceStates.Crashed;
            error = record?.LastPid == beat.Pid && record.LastError is { } known ? known : $"pid {beat.Pid} is gone without having stopped";
        }
        var crashes = record?.Crashes ?? 0;
        if (state == ServiceStates.Crashed && crashes >= RestartPolicy.ReportAfter) state = ServiceStates.CrashLooping;
        // Alive again after crashes: the streak is shown until it has run long enough to end it.
        return new ServiceHealth(state, pid, error ?? (crashes > 0 ? record?.LastError : null), crashes, record?.Restarts ?? 0, record?.NextStartAt,
            record?.Log);
    }

    /// <summary>How a process's exit reads: "exit 1", "killed by SIGABRT (exit 134)".</summary>
    public static string ExitText(int? status) => status switch
    {
        null => "died without stopping (tmux has no exit status)",
        > 128 and < 160 => $"killed by {SignalName(status.Value - 128)} (exit {status})",
        _ => $"exit {status}",
    };

    private static string SignalName(int n) => n switch
    {
        1 => "SIGHUP", 2 => "SIGINT", 3 => "SIGQUIT", 4 => "SIGILL", 6 => "SIGABRT", 7 => "SIGBUS", 8 => "SIGFPE",
        9 => "SIGKILL", 11 => "SIGSEGV", 13 => "SIGPIPE", 15 => "SIGTERM", _ => "signal " + n,
    };
}
