using Orchestrator.Core.Supervision;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Patrol;

/// <summary>
/// Boot: the smallest possible check, on its own timer: is the deacon alive? If not (never
/// started, stopped, hung, or crashed: then after its backoff), start it again.
/// </summary>
public sealed class BootService(ServiceLauncher launcher)
{
    public const string Source = ServiceDefinition.Boot;

    public string? Pass()
    {
        var did = launcher.EnsureAll(Source, s => s.Supervisor == Source);
        return did.Count == 0 ? null : string.Join("; ", did);
    }
}
