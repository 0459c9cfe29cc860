using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Faults;

/// <summary>
/// The workspace's tmux server frozen (SIGSTOP) under a live agent: orc's commands say the server
/// does not answer within their bound instead of hanging, and <c>orc down --force</c> ends it.
/// Real tmux, a real sim agent, real orc processes.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FrozenTmuxTests : IDisposable
{
    private readonly FleetFixture _f = new();
    private readonly List<int> _stopped = [];

    public void Dispose()
    {
        foreach (var pid in _stopped) Signal("CONT", pid); // never leave a stopped server behind
        _f.Dispose();
    }

    private static void Signal(string signal, int pid)
    {
        using var p = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        p.WaitForExit();
    }

    [Fact]
    public void A_stopped_tmux_server_is_reported_as_not_answering_and_down_force_ends_it()
    {
        var id = _f.Item("keeps running", "-l", "sim:hang");
        var agent = JsonDocument.Parse(_f.Ok("sling", id, "--json").Out).RootElement.GetProperty("agent").GetString()!;
        RigFixture.Eventually(() => _f.State(agent) == "working", () => $"{agent} is {_f.State(agent)}");
        var socket = _f.Tmux.SocketPath;
        var server = Assert.Single(TmuxServerProcess.PidsListeningOn(socket));
        Signal("STOP", server);
        _stopped.Add(server);

        foreach (var verb in new[] { new[] { "agents" }, ["peek", agent], ["down"] })
        {
            var r = _f.Ws.Orc(verb);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("did not answer", r.Err);
            Assert.Contains("it is stopped or hung", r.Err);
            Assert.Contains("'orc down --force' ends it", r.Err);
        }
        var down = _f.Ok("down", "--force");
        Assert.Contains($"killed the tmux server (pid {server})", down.Out);
        Assert.False(Directory.Exists($"/proc/{server}"), "the server process is still there");
        _stopped.Remove(server);
        Assert.False(File.Exists(socket));
        Assert.Equal("suspended", _f.Agent(agent).GetProperty("hook_state").GetString()); // its work is kept
        Assert.True(Directory.Exists(_f.Agent(agent).GetProperty("worktree").GetString()));
        // And the workspace goes on: a new server, the agent back.
        _f.Ok("up");
        RigFixture.Eventually(() => _f.State(agent) == "working", () => $"{agent} is {_f.State(agent)} after up");
    }
}
