using Orchestrator.Core.Events;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Patrol;

/// <summary>
/// Starts the workspace's services (boot, deacon, and a refinery and a witness per rig) as
/// <c>orc … run</c> processes in windows of the <c>orc</c> session of the workspace's tmux
/// server, so they outlive the terminal. A service counts as alive when its window runs and its
/// heartbeat is fresh.
/// </summary>
public sealed class ServiceLauncher(RuntimeContext runtime)
{
    public const string Session = "orc";

    /// <summary>Every service this workspace runs: (heartbeat name, window name, orc arguments).</summary>
    public List<(string Name, string Window, string[] Args)> Expected()
    {
        var list = new List<(string, string, string[])>
        {
            ("boot", "boot", ["boot", "run"]),
            ("deacon", "deacon", ["deacon", "run"]),
        };
        foreach (var rig in runtime.Rigs.All())
        {
            list.Add(("refinery@" + rig.Name, "refinery-" + rig.Name, ["refinery", "run", rig.Name]));
            list.Add(("witness@" + rig.Name, "witness-" + rig.Name, ["witness", "run", rig.Name]));
        }
        return list;
    }

    public bool IsAlive(string name, string window)
    {
        var w = runtime.Tmux.FindWindow(Session, window);
        if (w is null || w.PaneDead) return false;
        var beat = runtime.Heartbeats.Find(name.Replace('@', '-'));
        // A heartbeat from another pid is an earlier run's: the new process has not beaten yet.
        return beat is null || beat.Pid != w.PanePid || (beat.State != "stopped" && !beat.IsStale(runtime.Workspace.Now));
    }

    /// <summary>Starts (or restarts) one service's window.</summary>
    public void Start(string name, string window, string[] args, string by)
    {
        var env = new Dictionary<string, string> { ["ORC_WORKSPACE"] = runtime.Workspace.Paths.Root, ["ORC_ROLE"] = name.Split('@')[0] };
        if (runtime.Workspace.Environment(RuntimeContext.SocketVariable) is { Length: > 0 } socket) env[RuntimeContext.SocketVariable] = socket;
        if (runtime.Tmux.FindWindow(Session, window) is { PaneDead: false }) runtime.Tmux.KillWindow(Session, window); // alive but silent: replace it
        // A predecessor that was just stopped may still be finishing its pass: wait for it to let go.
        runtime.Tmux.StartWindow(Session, window, runtime.Workspace.Paths.Root, env, [.. runtime.SelfArgv, .. args, "--wait", "60"]);
        runtime.Record(by, EventKinds.Started, name, $"{by} started {name}");
    }

    /// <summary>Starts every expected service that is not alive; returns their names.</summary>
    public List<string> EnsureAll(string by, Func<string, bool>? which = null)
    {
        var started = new List<string>();
        foreach (var (name, window, args) in Expected())
        {
            if (which is not null && !which(name)) continue;
            if (IsAlive(name, window)) continue;
            Start(name, window, args, by);
            started.Add(name);
        }
        return started;
    }
}
