using Orchestrator.Adapters.Processes;
using Orchestrator.Core.Rigs;

namespace Orchestrator.Services.Refinery;

/// <summary>
/// One run of a rig's gate on a candidate: the rig (its gate line and time limit), the candidate
/// commit and the items stacked in it (first to last), the scratch worktree it runs in, its
/// environment, and what to tell when the command has started (its <see cref="SessionMark"/>).
/// </summary>
public sealed record GateRun(Rig Rig, string Commit, IReadOnlyList<string> Items, string Directory, IReadOnlyDictionary<string, string?> Environment,
    Action<SessionMark> Started);

/// <summary>
/// How the refinery runs a rig's gate: the seam its bisection and landing decisions are tested
/// through with a gate that answers per candidate stack. <see cref="ProcessGateRunner"/> runs the command.
/// </summary>
public interface IGateRunner
{
    CommandOutcome Run(GateRun run);
}

/// <summary>The gate as a child process in the scratch worktree, its process group stopped at the rig's time limit (<see cref="CommandRunner"/>).</summary>
public sealed class ProcessGateRunner : IGateRunner
{
    public static readonly ProcessGateRunner Instance = new();

    public CommandOutcome Run(GateRun run) =>
        CommandRunner.Run(run.Rig.GateArgv, run.Directory, run.Environment, TimeSpan.FromSeconds(run.Rig.GateTimeoutSeconds), started: run.Started);
}
