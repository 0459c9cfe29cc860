using Orchestrator.Core.Agents;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Merging;

namespace Orchestrator.Services.Fleet;

/// <summary>One agent as the TUI shows it: its hook, where its pane is, and what it looks like it is doing.</summary>
/// <param name="State">working, idle, waiting, stuck, looping, dead, stopped, done or unknown.</param>
/// <param name="PaneId">tmux's pane id (<c>%7</c>) while its window exists.</param>
public sealed record FleetAgent(Hook Hook, string State, string? PaneId, long? LastActivityUnix, int? ExitStatus)
{
    public string Name => Hook.Agent;
    public string Rig => Hook.Rig;
    public string Role => Hook.Role;
}

/// <summary>A long-running service (refinery, witness, deacon, boot) and whether it answers.</summary>
/// <summary>A service as the TUI shows it: its <see cref="Core.Supervision.ServiceStates"/> state, the error it last died with, its window.</summary>
public sealed record ServiceStatus(string Name, string Role, string? Rig, bool Alive, string? Last, string? PaneId,
    string State = Core.Supervision.ServiceStates.NeverRan, string? Error = null, int Crashes = 0, string? Window = null);

/// <summary>A convoy with its progress computed from the ledger.</summary>
public sealed record FleetConvoy(Convoy Convoy, ConvoyProgress Progress);

/// <summary>
/// Everything the TUI draws, read from disk and the tmux server in one go. Nothing in it lives
/// only in the memory of one process: two TUIs on one workspace read the same files and agree.
/// </summary>
public sealed record FleetSnapshot(
    string Workspace,
    DateTimeOffset TakenAt,
    IReadOnlyList<Core.Rigs.Rig> Rigs,
    IReadOnlyList<FleetAgent> Agents,
    IReadOnlyList<ServiceStatus> Services,
    LedgerDocument Ledger,
    IReadOnlyList<Submission> Queue,
    IReadOnlyList<Message> Inbox,
    IReadOnlyList<FleetConvoy> Convoys,
    IReadOnlyList<OrcEvent> Events,
    bool TmuxRunning,
    IReadOnlyList<string> Problems)
{
    public static FleetSnapshot Empty(string workspace) =>
        new(workspace, DateTimeOffset.MinValue, [], [], [], new LedgerDocument(), [], [], [], [], false, []);

    /// <summary>Agents counted by state, for the status bar.</summary>
    public int Count(string state) => Agents.Count(a => a.State == state);
}
