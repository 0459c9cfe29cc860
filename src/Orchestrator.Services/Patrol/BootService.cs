using Orchestrator.Core.Events;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Patrol;

/// <summary>
/// Boot: the smallest possible check, on its own timer: is the deacon's heartbeat fresh? If not
/// (never started, stopped, or silent for three intervals), start it again.
/// </summary>
public sealed class BootService(RuntimeContext runtime, ServiceLauncher launcher)
{
    public const string Source = "boot";

    public string? Pass()
    {
        var started = launcher.EnsureAll(Source, n => n == "deacon");
        if (started.Count == 0) return null;
        runtime.Record(Source, EventKinds.Restarted, "deacon", "the deacon's heartbeat was stale or missing; started it again");
        return "started the deacon";
    }
}
