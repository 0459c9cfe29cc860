using Orchestrator.Adapters.Profiles;
using Orchestrator.Adapters.Rigs;
using Orchestrator.Adapters.Storage;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Core.Merging;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Services.Runtime;

/// <summary>
/// What the agent runtime works with in one workspace: its private tmux server, the agent
/// profiles, the rig settings, the hooks and the merge queue, and how to start this orc again.
/// </summary>
/// <param name="tmux">Makes the tmux server the runtime uses, once, on first use (a test's fake); null: the workspace's own
/// <see cref="TmuxServer"/>.</param>
public sealed class RuntimeContext(WorkspaceContext workspace, IReadOnlyList<string> selfArgv, Func<RuntimeContext, ITmuxServer>? tmux = null)
    : IDisposable
{
    public const string SocketVariable = "ORC_TMUX_SOCKET";

    private ITmuxServer? _tmux;
    private ProfileCatalog? _profiles;

    public WorkspaceContext Workspace { get; } = workspace;

    /// <summary>The argv that starts this orc (for the sim agent and git's merge driver).</summary>
    public IReadOnlyList<string> SelfArgv { get; } = selfArgv;

    /// <summary>The workspace's tmux server (<see cref="TmuxServer"/>, or what the constructor's factory made).</summary>
    public ITmuxServer Tmux => _tmux ??= tmux?.Invoke(this) ?? new TmuxServer(
        Workspace.Environment(SocketVariable) is { Length: > 0 } s ? s : TmuxServer.SocketNameFor(Workspace.Paths.Root),
        Workspace.Paths.TmuxConfig, Workspace.Paths.LocksDir);

    public ProfileCatalog Profiles => _profiles ??= new ProfileCatalog(
    [
        Path.Combine(Workspace.Environment("XDG_CONFIG_HOME") is { Length: > 0 } x ? x : Path.Combine(Workspace.Environment("HOME") ?? "/nonexistent",
            ".config"), "orc", "profiles"),
        Workspace.Paths.ProfilesDir,
    ]);

    public RigStore Rigs => new(Workspace.Paths.RigSettingsDir);

    public RecordStore<Hook> Hooks => new(Workspace.Paths.AgentsDir, OrcJsonContext.Default.Hook);

    /// <summary>Archived hooks a new hook of the same agent name replaced (agents/archive/AGENT-TIME.json): their sessions stay in 'orc history'.</summary>
    public RecordStore<Hook> HookArchive => new(Path.Combine(Workspace.Paths.AgentsDir, "archive"), OrcJsonContext.Default.Hook);

    public EventLog Events => new(Workspace.Paths.EventsFile, Workspace.Paths.EventsLock);

    /// <summary>Items waiting for a free polecat slot (<c>dispatch/ITEM.json</c>, committed).</summary>
    public RecordStore<DispatchEntry> Dispatch => new(Path.Combine(Workspace.Paths.Root, "dispatch"), OrcJsonContext.Default.DispatchEntry);

    public RecordStore<Heartbeat> Heartbeats => new(Workspace.Paths.RunDir, OrcJsonContext.Default.Heartbeat);

    /// <summary>How long each agent's screen has not changed, shared by the witness and the views.</summary>
    public ScreenClock Screens => new(Workspace.Paths.RunDir);

    /// <summary>Records an event from <paramref name="source"/> in the feed.</summary>
    public void Record(string source, string kind, string? subject, string text) =>
        Events.Append(new Core.Events.OrcEvent { At = Core.Items.Timestamps.Format(Workspace.Now), Source = source, Kind = kind, Subject = subject,
            Text = text });

    public RecordStore<Submission> Queue(string rig) => new(Path.Combine(Workspace.Paths.QueueDir, rig), OrcJsonContext.Default.Submission);

    /// <summary>A profile's command line, with <c>{orc}</c> replaced by this orc's own argv.</summary>
    public List<string> CommandLine(AgentProfile profile)
    {
        var argv = new List<string>();
        if (profile.Command == AgentProfile.SelfPlaceholder) argv.AddRange(SelfArgv);
        else argv.Add(profile.Command);
        foreach (var a in profile.Args)
            if (a == AgentProfile.SelfPlaceholder) argv.AddRange(SelfArgv);
            else argv.Add(a);
        return argv;
    }

    /// <summary>True when the profile's program can be started here.</summary>
    public bool CanStart(AgentProfile profile) =>
        profile.Command == AgentProfile.SelfPlaceholder || ProfileCatalog.OnPath(profile.Command, Workspace.Environment("PATH"));

    /// <summary>One starter of an agent's window at a time, across processes (two 'start's at once make one window).</summary>
    public FileLock StartGate(string agent) =>
        FileLock.Acquire(Path.Combine(Workspace.Paths.LocksDir, $"agent-{agent}.lock"), TimeSpan.FromSeconds(60), "start " + agent);

    /// <summary>Detaches the tmux control client, if this process opened one.</summary>
    public void Dispose() => _tmux?.Dispose();
}
