using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Orchestrator.Adapters.Tmux;

namespace Orchestrator.Testing;

/// <summary>
/// One workspace with a fleet behind it, for a test: a <see cref="TempWorkspace"/> on a private
/// tmux socket (<c>ORC_TMUX_SOCKET</c>), a rig cloned from a source made by
/// <see cref="RigFixture.CreateSource"/>, helpers to run orc (in-process or as child processes) and
/// to wait for agents. Dispose stops the orc processes it started, kills only its own tmux server,
/// removes the socket file tmux 3.3 leaves behind, and deletes the workspace and the source.
/// </summary>
public sealed class FleetFixture : IDisposable
{
    private readonly List<Process> _processes = [];

    /// <param name="rig">The rig to add (null: none).</param>
    /// <param name="readme">The README.md of the rig's first commit.</param>
    /// <param name="grace">The rig's witness grace in seconds (null: the default).</param>
    public FleetFixture(string? rig = "app", string readme = "app\n", int? grace = null, string prefix = "hq", string rootSuffix = "")
    {
        TmuxServer.CheckVersion();
        Ws = new TempWorkspace(prefix: prefix, suffix: rootSuffix);
        Ws.Env["ORC_TMUX_SOCKET"] = Socket;
        Source = RigFixture.CreateSource(Ws, readme);
        Rig = rig;
        if (rig is null) return;
        Ok("rig", "add", rig, Source);
        if (grace is { } g) RigFixture.SetSetting(Ws, rig, "grace", g.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // (Set as a user editing the file would, uncommitted: the workspace's next commit takes it.)
    }

    public TempWorkspace Ws { get; }

    /// <summary>This workspace's private tmux socket name (never the user's).</summary>
    public string Socket { get; } = "orc-test-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The rig's source repository (beside the workspace).</summary>
    public string Source { get; }

    public string? Rig { get; }

    public string Root => Ws.Root;

    public string RigDir => Path.Combine(Ws.Root, "rigs", Rig ?? throw new InvalidOperationException("no rig"));

    /// <summary>A client of this workspace's tmux server (plain processes: a test may kill the server under it).</summary>
    public TmuxServer Tmux => field ??= new TmuxServer(Socket, Path.Combine(Ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(Ws.Root, ".orc",
        "locks")) { PreferControlMode = false };

    /// <summary>The environment a child orc process of this workspace runs with.</summary>
    public Dictionary<string, string> ProcessEnv(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string>(Ws.Env) { ["ORC_WORKSPACE"] = Ws.Root, ["HOME"] = Ws.Root, ["USER"] = "tester" };
        foreach (var (k, v) in extra) env[k] = v;
        return env;
    }

    /// <summary>Runs orc in-process; fails the test unless it exits 0.</summary>
    public CliResult Ok(params string[] args)
    {
        var r = Ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    /// <summary>Runs orc as a child process (the real binary, its own tmux client and locks) with a time-out.</summary>
    public CliResult Process(string[] args, int seconds = 60) => OrcProcess.Run(Ws.Root, args, ProcessEnv(), TimeSpan.FromSeconds(seconds));

    /// <summary>
    /// Starts a long-running orc (a service: refinery, witness, deacon) as a child process whose
    /// output is collected in <paramref name="output"/>; it is killed at Dispose if still running.
    /// </summary>
    public Process Start(string[] args, StringBuilder? output = null)
    {
        var p = System.Diagnostics.Process.Start(OrcProcess.StartInfo(Ws.Root, args, ProcessEnv()))!;
        p.StandardInput.Close();
        var sink = output ?? new StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (sink) sink.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (sink) sink.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        lock (_processes) _processes.Add(p);
        return p;
    }

    /// <summary>Creates an item in the rig (its prefix) and returns its id.</summary>
    public string Item(string title, params string[] extra) => Ws.Create(title, ["--prefix", Rig ?? "hq", .. extra]);

    /// <summary>Slings an item and returns the agent that took it.</summary>
    public string Sling(string item, params string[] extra) =>
        JsonDocument.Parse(Ok(["sling", item, "--json", .. extra]).Out).RootElement.GetProperty("agent").GetString()!;

    /// <summary>Every agent as <c>orc agents --json</c> lists it.</summary>
    public List<JsonElement> Agents() => [.. JsonDocument.Parse(Ok("agents", "--json").Out).RootElement.EnumerateArray().Select(e => e.Clone())];

    public JsonElement Agent(string name) => Agents().Single(a => a.GetProperty("agent").GetString() == name);

    public string State(string agent) => Agent(agent).GetProperty("state").GetString()!;

    /// <summary>Waits until the agent is in one of <paramref name="states"/>; returns its row.</summary>
    public JsonElement WaitForState(string agent, string[] states, int seconds = 45)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement a;
        do
        {
            a = Agent(agent);
            if (states.Contains(a.GetProperty("state").GetString())) return a;
            Thread.Sleep(250);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"{agent} never reached {string.Join("/", states)}: {a}\n{Ws.Orc("peek", agent).Out}");
        return a;
    }

    public JsonElement WaitForState(string agent, string state, int seconds = 45) => WaitForState(agent, [state], seconds);

    /// <summary>Waits until every one of <paramref name="agents"/> is in one of <paramref name="states"/>.</summary>
    public void WaitForAll(IEnumerable<string> agents, string[] states, int seconds = 60)
    {
        var names = agents.ToHashSet(StringComparer.Ordinal);
        string Pending() => string.Join(", ",
            Agents().Where(a => names.Contains(a.GetProperty("agent").GetString()!) && !states.Contains(a.GetProperty("state").GetString()))
            .Select(a => $"{a.GetProperty("agent").GetString()}={a.GetProperty("state").GetString()}"));
        RigFixture.Eventually(() => Pending().Length == 0, () => $"not yet {string.Join("/", states)}: {Pending()}", seconds);
    }

    /// <summary>The pid of this workspace's tmux server, or null when none answers.</summary>
    public int? TmuxServerPid()
    {
        var r = Tmux.RunProcess("display-message", "-p", "#{pid}");
        if (!r.Ok) r = Tmux.RunProcess("list-sessions", "-F", "#{pid}");
        return r.Ok && int.TryParse(r.Out.Split('\n')[0].Trim(), out var pid) ? pid : null;
    }

    /// <summary>kill -9 of this workspace's tmux server (only ours: found through our socket); returns its pid.</summary>
    public int KillTmuxServerHard()
    {
        var pid = TmuxServerPid() ?? throw new InvalidOperationException("no tmux server on " + Socket);
        Signal(pid, "KILL");
        RigFixture.Eventually(() => !File.Exists($"/proc/{pid}/stat") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal),
            () => $"tmux server {pid} still alive", 20);
        return pid;
    }

    /// <summary>Sends a signal to one process (kill -SIG PID).</summary>
    public static void Signal(int pid, string signal) => PrivateTmux.Signal(pid, signal);

    public void Dispose()
    {
        lock (_processes)
            foreach (var p in _processes)
            {
                try { if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(10_000); } }
                catch (InvalidOperationException) { }
                p.Dispose();
            }
        // Only our own server, by its socket, and every process of this workspace (PrivateTmux).
        PrivateTmux.Stop(Tmux, Ws.Root);
        Tmux.Dispose();
        Ws.Dispose();
        RigFixture.DeleteSource(Source);
    }
}
