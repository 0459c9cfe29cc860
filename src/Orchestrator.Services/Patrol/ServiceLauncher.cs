using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Processes;
using Orchestrator.Adapters.Storage;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Supervision;
using Orchestrator.Core.Text;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Patrol;

/// <summary>
/// Starts and supervises the workspace's services (<see cref="ServiceDefinition"/>: boot, the
/// deacon, and a refinery and a witness per rig) as <c>orc … run</c> processes in windows of the
/// <c>orc</c> session of the workspace's tmux server, so they outlive the terminal. How a service
/// is doing is <see cref="ServiceHealth.Classify"/> of its window, its heartbeat and its pid. A
/// service that crashed is started again after a backoff (<see cref="RestartPolicy"/>), its error
/// goes to the feed, and at the third crash in a row the overseer (and the mayor) are mailed once.
/// </summary>
public sealed class ServiceLauncher(RuntimeContext runtime, Mail.MailService mail, ILogger<ServiceLauncher> logger)
{
    public const string Session = ServiceDefinition.Session;

    /// <summary>Environment variable: seconds before the first restart of a crashed service (default 30; doubles with each crash in a row).</summary>
    public const string RestartDelayVariable = "ORC_RESTART_DELAY";

    /// <summary>Every service this workspace runs.</summary>
    public List<ServiceDefinition> Expected() => ServiceDefinition.All(runtime.Rigs.All().Select(r => r.Name));

    public RecordStore<SupervisionRecord> Records => new(Path.Combine(runtime.Workspace.Paths.RunDir, "supervision"), OrcJsonContext.Default.SupervisionRecord);

    private TimeSpan FirstDelay =>
        runtime.Workspace.Environment(RestartDelayVariable) is { } s && double.TryParse(s, System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var secs) && secs is >= 0 and <= 3600
            ? TimeSpan.FromSeconds(secs) : RestartPolicy.DefaultFirstDelay;

    /// <summary>How <paramref name="service"/> is doing; <paramref name="windows"/>: the server's windows if the caller listed them already.</summary>
    public ServiceHealth Health(ServiceDefinition service, IReadOnlyList<TmuxWindow>? windows = null)
    {
        var w = (windows ?? runtime.Tmux.ListWindows()).Where(x => x.Session == Session
            && x.Window == service.Window).OrderBy(x => x.PaneDead).FirstOrDefault();
        var beat = Try(() => runtime.Heartbeats.Find(service.RecordKey));
        var record = Try(() => Records.Find(service.RecordKey));
        return ServiceHealth.Classify(new ServiceObservation(w is not null, w?.PaneDead ?? false, w?.PanePid ?? 0, w?.ExitStatus,
            beat, beat is not null && ProcessTable.IsRunning(beat.Pid), record, runtime.Workspace.Now));
    }

    /// <summary>Starts (or restarts) one service's window.</summary>
    public void Start(ServiceDefinition service, string by)
    {
        var env = new Dictionary<string, string> { ["ORC_WORKSPACE"] = runtime.Workspace.Paths.Root, ["ORC_ROLE"] = service.Role };
        if (runtime.Workspace.Environment(RuntimeContext.SocketVariable) is { Length: > 0 } socket) env[RuntimeContext.SocketVariable] = socket;
        if (runtime.Workspace.Environment(RestartDelayVariable) is { Length: > 0 } delay) env[RestartDelayVariable] = delay;
        // alive but silent: replace it
        if (runtime.Tmux.FindWindow(Session, service.Window) is { PaneDead: false }) runtime.Tmux.KillWindow(Session, service.Window);
        // A predecessor that was just stopped may still be finishing its pass: wait for it to let go.
        runtime.Tmux.StartWindow(Session, service.Window, runtime.Workspace.Paths.Root, env, [.. runtime.SelfArgv, .. service.Args, "--wait", "60"]);
        var record = Try(() => Records.Find(service.RecordKey));
        Try(() => Records.Write(service.RecordKey,
            (record ?? new SupervisionRecord { Name = service.Name }) with { StartedAt = Timestamps.Format(runtime.Workspace.Now), NextStartAt = null }));
        runtime.Record(by, EventKinds.Started, service.Name, $"{by} started {service.Name}");
    }

    /// <summary>
    /// Starts every expected service (of those <paramref name="which"/> selects) that is not alive;
    /// returns what it did. A crashed one is recorded and reported, and started again when its
    /// backoff has passed, or at once when <paramref name="now"/> (a person's <c>orc up</c>).
    /// </summary>
    public List<string> EnsureAll(string by, Func<ServiceDefinition, bool>? which = null, bool now = false)
    {
        // One starter at a time: 'orc up' and a deacon it just started would otherwise both see a
        // service missing and both open its window (two 'witness-app' windows, two witnesses).
        using var _ = FileLock.Acquire(Path.Combine(runtime.Workspace.Paths.LocksDir, "services.lock"), TimeSpan.FromSeconds(30), $"{by} starting services");
        var did = new List<string>();
        var windows = runtime.Tmux.ListWindows();
        foreach (var service in Expected())
        {
            if (which is not null && !which(service)) continue;
            var health = Health(service, windows);
            var record = Try(() => Records.Find(service.RecordKey));
            if (health.Alive)
            {
                if (RestartPolicy.SeenAlive(record,
                    runtime.Workspace.Now) is var kept && kept != record && kept is not null) Try(() => Records.Write(service.RecordKey, kept));
                continue;
            }
            if (health.IsCrash)
            {
                record = NoteCrash(service, health, record, by);
                if (!now && !RestartPolicy.Due(record, runtime.Workspace.Now)) continue;
                Start(service, by);
                var restarted = Try(() => Records.Find(service.RecordKey));
                if (restarted is not null) Try(() => Records.Write(service.RecordKey, restarted with { Restarts = restarted.Restarts + 1 }));
                runtime.Record(by, EventKinds.Restarted, service.Name, $"{by} started {service.Name} again after crash {record?.Crashes ?? 1} in a row");
                did.Add($"restarted {Label(service)} (crash {record?.Crashes ?? 1} in a row)");
                continue;
            }
            Start(service, by);
            did.Add("started " + Label(service));
        }
        return did;
    }

    /// <summary>Records a crash once (error, crash report, backoff), tells the feed, and at the third in a row mails the supervisors.</summary>
    private SupervisionRecord? NoteCrash(ServiceDefinition service, ServiceHealth health, SupervisionRecord? record, string by)
    {
        var report = health.Pid is { } pid ? CrashLog.Find(runtime.Workspace.Paths.LogsDir, pid) : null;
        var how = health.Error ?? "crashed";
        var error = report?.Error ?? (LastErrorLine(service) is { } line ? $"{how}: {line}" : how);
        var next = RestartPolicy.Crashed(record, service.Name, health.Pid, error, report?.Path, runtime.Workspace.Now, FirstDelay);
        if (next == record) return record; // this crash is known already
        var wait = RestartPolicy.Delay(next.Crashes, FirstDelay);
        runtime.Record(by, EventKinds.Error, service.Name,
            $"{service.Name} crashed ({TerminalText.Line(error)}); crash {next.Crashes} in a row, started again in {Describe(wait)}" + (report is { } r
                ? $"; report {r.Path}" : ""));
        if (RestartPolicy.ShouldReport(next))
        {
            next = next with { Reported = true };
            try
            {
                mail.Send(by, mail.Supervisors(), $"{service.Name} keeps crashing ({next.Crashes} times in a row)",
                    $"{service.Name} died {next.Crashes} times in a row; {by} keeps starting it again, waiting longer each time (next in {Describe(wait)}).\n" +
                    $"Last error: {TerminalText.Line(error)}\n" + (report is { } rep ? $"Crash report: {rep.Path}\n" : "") +
                    $"Until it runs, {What(service)}.\nSee 'orc status' and 'orc feed --source {by}'; 'orc up' starts it at once.", TimeSpan.Zero);
            }
            catch (OrcException ex) { logger.LogWarning("{Service}: crash mail failed: {Message}", service.Name, ex.Message); }
            runtime.Record(by, EventKinds.GaveUp, service.Name,
                $"{service.Name} is crash-looping ({next.Crashes} crashes in a row); told {mail.Supervisors()}");
        }
        Try(() => Records.Write(service.RecordKey, next));
        return next;
    }

    /// <summary>The line of a dead service window that says why (the exception, or orc's error line), if the window shows one.</summary>
    private string? LastErrorLine(ServiceDefinition service)
    {
        string screen;
        try { screen = runtime.Tmux.CapturePane(Session, service.Window, 60); }
        catch (OrcException) { return null; }
        var lines = screen.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var line = lines.LastOrDefault(l => l.Contains("Exception", StringComparison.Ordinal) || l.StartsWith("orc: ", StringComparison.Ordinal));
        return line is null ? null : TerminalText.Line(line.Length > 300 ? line[..300] + "…" : line);
    }

    private static string Label(ServiceDefinition service) => service.Role == ServiceDefinition.Deacon ? "the deacon" : service.Name;

    private static string What(ServiceDefinition service) => service.Role switch
    {
        ServiceDefinition.Refinery => $"nothing lands on {service.Rig}'s main",
        ServiceDefinition.Witness => $"nobody restarts or nudges {service.Rig}'s agents",
        ServiceDefinition.Deacon => "nobody cleans up, restarts refineries and witnesses, or lands convoys",
        _ => "the deacon has no watchdog",
    };

    private static string Describe(TimeSpan t) => t.TotalSeconds < 90 ? $"{t.TotalSeconds:0} s" : $"{t.TotalMinutes:0.#} min";

    private T? Try<T>(Func<T?> f) where T : class
    {
        try { return f(); }
        catch (OrcException ex) { logger.LogWarning("supervision: {Message}", ex.Message); return null; }
    }
}
