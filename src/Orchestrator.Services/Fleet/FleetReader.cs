using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Rigs;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Patrol;
using Orchestrator.Services.Planning;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Fleet;

/// <summary>
/// Reads a <see cref="FleetSnapshot"/>: the ledger, hooks, merge queues, the overseer's mail,
/// convoys and the event feed from the workspace, and the windows of its tmux server in one
/// query. An agent's state comes from its screen (the profile's patterns), refined the way the
/// witness refines it: output repeating at the end is looping, a working screen unchanged for
/// the rig's stuck_after is stuck. Screens the caller already holds are used instead of capturing.
/// </summary>
public sealed class FleetReader(RuntimeContext runtime, LedgerService ledger, Mail.MailService mail, Convoys.ConvoyService convoys, ServiceLauncher launcher)
{
    public const string Overseer = "overseer";

    /// <summary>How many recent events the snapshot carries.</summary>
    public int EventCount { get; init; } = 300;

    /// <param name="screenOf">The screen text of a pane the caller already captured, or null to capture it here.</param>
    public FleetSnapshot Read(Func<string, string?>? screenOf = null)
    {
        var problems = new List<string>();
        var now = runtime.Workspace.Now;
        var doc = Try(() => ledger.Read(), new Core.Ledger.LedgerDocument(), "ledger", problems);
        var rigs = Try(() => runtime.Rigs.All(), [], "rigs", problems);
        var windows = Try(() => runtime.Tmux.ListWindows(), [], "tmux", problems);
        var byTarget = TmuxServer.ByTarget(windows);
        var hooks = Try(() => runtime.Hooks.All().Where(h => h.State != HookStates.Archived).ToList(), [], "hooks", problems);

        var agents = new List<FleetAgent>();
        foreach (var h in hooks.OrderBy(h => h.Rig, StringComparer.Ordinal).ThenBy(h => h.Agent, StringComparer.Ordinal))
        {
            byTarget.TryGetValue((h.Rig, h.Agent), out var w);
            agents.Add(new FleetAgent(h, StateOf(h, w, rigs, screenOf, now), w?.PaneId, w?.ActivityUnix, w is { PaneDead: true } ? w.ExitStatus : null));
        }

        var services = Core.Supervision.ServiceDefinition.All(rigs.Select(r => r.Name)).Select(d => Service(d, windows)).ToList();

        var queue = new List<Submission>();
        foreach (var r in rigs)
            queue.AddRange(Try(() => runtime.Queue(r.Name).All(), [], "merge queue of " + r.Name, problems));
        // Open submissions in the order the refinery takes them, then the latest finished ones.
        var open = MergeOrder(queue.Where(s => s.IsOpen));
        var finished = queue.Where(s => !s.IsOpen).OrderByDescending(s => s.FinishedAt ?? s.SubmittedAt, StringComparer.Ordinal).Take(30);

        var inbox = Try(() => mail.List(Overseer), [], "mail", problems);
        var convoyList = Try(() => convoys.All(), [], "convoys", problems)
            .Select(c => new FleetConvoy(c, ConvoyRules.Progress(c, doc, item => PlanService.RigOf(item, hooks.FirstOrDefault(h => h.Item == item.Id), rigs))))
            .OrderBy(c => c.Convoy.IsOpen ? 0 : 1).ThenByDescending(c => c.Convoy.CreatedAt, StringComparer.Ordinal).ToList();
        var events = Try(() => runtime.Events.Tail(EventCount), [], "events", problems);

        return new FleetSnapshot(runtime.Workspace.Paths.Root, now, rigs, agents, services, doc,
            [.. open, .. finished], inbox, convoyList, events, windows.Count > 0, problems);
    }

    private static List<Submission> MergeOrder(IEnumerable<Submission> open) =>
        open.OrderBy(s => s.State == SubmissionStates.Merging ? 0 : 1).ThenBy(s => s.Priority).ThenBy(s => s.SubmittedAt, StringComparer.Ordinal).ToList();

    private string StateOf(Hook h, TmuxWindow? w, List<Rig> rigs, Func<string, string?>? screenOf, DateTimeOffset now) =>
        Runtime.AgentLook.StateOf(runtime, h, w, rigs, now, screenOf);

    private ServiceStatus Service(Core.Supervision.ServiceDefinition d, List<TmuxWindow> windows)
    {
        var w = windows.FirstOrDefault(x => x.Session == ServiceLauncher.Session && x.Window == d.Window);
        Core.Supervision.ServiceHealth? h = null;
        Core.Events.Heartbeat? beat = null;
        try { h = launcher.Health(d, windows); beat = runtime.Heartbeats.Find(d.RecordKey); } catch (OrcException) { }
        return new ServiceStatus(d.Name, d.Role, d.Rig, h?.Alive ?? false, beat?.Last, w?.PaneId, h?.State ?? Core.Supervision.ServiceStates.NeverRan, h?.Error,
            h?.Crashes ?? 0, d.Window);
    }

    private static T Try<T>(Func<T> read, T fallback, string what, List<string> problems)
    {
        // One unreadable part (a ledger mid-merge, a broken file) must not blank the whole view.
        try { return read(); }
        catch (Exception ex) when (ex is OrcException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            problems.Add($"{what}: {Core.Text.TerminalText.Line(ex.Message)}");
            return fallback;
        }
    }
}
