using Microsoft.Extensions.Logging;
using Orchestrator.Core;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Patrol;

/// <summary>
/// Runs a service's pass on an interval until stopped, writing its heartbeat
/// (<c>.orc/run/NAME.json</c>) before and after every pass. A pass that throws is recorded as an
/// error event and the loop goes on: one bad pass must not stop the fleet's safety net.
/// </summary>
public sealed class PatrolLoop(RuntimeContext runtime, ILogger<PatrolLoop> logger)
{
    public void Run(string name, TimeSpan interval, Func<string?> pass, CancellationToken stop, bool once = false)
    {
        var started = Timestamps.Format(runtime.Workspace.Now);
        long passes = 0;
        string? last = null;
        string? lastError = null;
        var repeats = 0;
        var lastReported = DateTimeOffset.MinValue;
        runtime.Record(name, EventKinds.Started, null, $"{name} started (pid {Environment.ProcessId}, every {interval.TotalSeconds:0.#}s)");
        try
        {
            while (!stop.IsCancellationRequested && !WorkspaceGone)
            {
                Beat(name, started, interval, "running", last, passes);
                // A long pass (a slow gate, a dog) keeps beating, so it is not taken for dead.
                var beatEvery = TimeSpan.FromSeconds(Math.Clamp(interval.TotalSeconds, 1, 10));
                using var during = new Timer(_ => Beat(name, started, interval, "running", last, passes), null, beatEvery, beatEvery);
                try
                {
                    last = pass() ?? last;
                    lastError = null;
                }
                catch (Exception ex) when (ex is not (OutOfMemoryException or StackOverflowException or AccessViolationException))
                {
                    if (WorkspaceGone) break;
                    // The same error pass after pass (a corrupt rig, a missing library) is logged and
                    // put in the feed once, then again every ten minutes with how often it recurred.
                    var message = Core.Text.TerminalText.Line(ex.Message);
                    repeats = message == lastError ? repeats + 1 : 0;
                    if (repeats == 0 || runtime.Workspace.Now - lastReported >= RepeatReport)
                    {
                        logger.LogError(ex, "{Name}: pass failed", name);
                        runtime.Record(name, EventKinds.Error, null,
                            repeats == 0 ? $"{name}: {message}" : $"{name}: {message} (the same error {repeats + 1} passes in a row)");
                        lastReported = runtime.Workspace.Now;
                    }
                    lastError = message;
                    last = repeats == 0 ? "error: " + message : $"error ({repeats + 1} passes in a row): {message}";
                }
                passes++;
                Beat(name, started, interval, "running", last, passes);
                if (once) break;
                stop.WaitHandle.WaitOne(interval);
            }
        }
        finally
        {
            // A workspace deleted under a running service (a test's temporary one, a demo's) is not
            // written to again: no heartbeat, event or log would bring its folders back.
            if (!WorkspaceGone) Stop(name, started, interval, last, passes);
        }
    }

    /// <summary>How often an error that recurs every pass is put in the feed again.</summary>
    private static readonly TimeSpan RepeatReport = TimeSpan.FromMinutes(10);

    private static string KeyOf(string name) => Core.Supervision.ServiceDefinition.Parse(name)?.RecordKey ?? name.Replace('@', '-');

    /// <summary>True once the workspace's configuration is gone: the workspace was deleted.</summary>
    private bool WorkspaceGone => !File.Exists(runtime.Workspace.Paths.ConfigFile);

    private void Stop(string name, string started, TimeSpan interval, string? last, long passes)
    {
        // A successor may already be running (this one was stopped while finishing a pass):
        // its heartbeat is not ours to overwrite.
        var current = TryRead(name);
        if (current is null || current.Pid == Environment.ProcessId) Beat(name, started, interval, "stopped", last, passes);
        runtime.Record(name, EventKinds.Stopped, null, $"{name} stopped after {passes} pass{(passes == 1 ? "" : "es")}");
    }

    private Heartbeat? TryRead(string name)
    {
        try { return runtime.Heartbeats.Find(KeyOf(name)); }
        catch (OrcException) { return null; }
    }

    private void Beat(string name, string started, TimeSpan interval, string state, string? last, long passes)
    {
        if (WorkspaceGone) return;
        try
        {
            runtime.Heartbeats.Write(KeyOf(name), new Heartbeat
            {
                Name = name, Pid = Environment.ProcessId, StartedAt = started, BeatAt = Timestamps.Format(runtime.Workspace.Now),
                IntervalSeconds = (int)Math.Ceiling(interval.TotalSeconds), State = state, Last = last, Passes = passes,
                Launched = runtime.Workspace.Environment("ORC_ROLE") is { Length: > 0 },
            });
        }
        catch (OrcException ex) { logger.LogWarning("{Name}: heartbeat not written: {Message}", name, ex.Message); }
    }
}
