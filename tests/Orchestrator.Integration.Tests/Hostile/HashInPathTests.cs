using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>
/// A workspace whose path holds '#': tmux expands formats in a window's start directory, so
/// '#(cmd)' in it ran cmd on every sling and '#{…}' (or a plain 'C#') sent agents to the wrong
/// folder. A real sim agent on a real tmux server, in such a workspace.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HashInPathTests : IDisposable
{
    private static readonly string Marker = "orc-pwned-" + Guid.NewGuid().ToString("N")[..10];
    private readonly FleetFixture _f = new(rootSuffix: $"-C#Projects-#(cd;touch {Marker})-#{{session_name}}");

    private static string MarkerPath => Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", Marker);

    public void Dispose()
    {
        _f.Dispose();
        try { File.Delete(MarkerPath); } catch (IOException) { }
    }

    [Fact]
    public void An_agent_in_a_workspace_whose_path_holds_a_hash_starts_in_its_worktree_and_nothing_runs()
    {
        Assert.Contains("#(cd;touch", _f.Root);
        var id = _f.Item("works in C# land", "-l", "sim:hang");
        var agent = JsonDocument.Parse(_f.Ok("sling", id, "--json").Out).RootElement.GetProperty("agent").GetString()!;
        var worktree = _f.Agent(agent).GetProperty("worktree").GetString()!;
        Assert.Contains("#(cd;touch", worktree);
        RigFixture.Eventually(() => _f.Tmux.FindWindow(_f.Rig!, agent) is { PaneDead: false, PanePid: > 0 }, () => "no live window for " + agent);
        var pid = _f.Tmux.FindWindow(_f.Rig!, agent)!.PanePid;
        Assert.Equal(worktree, new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget);
        RigFixture.Eventually(() => _f.State(agent) == "working", () => $"{agent} is {_f.State(agent)}: {_f.Ok("peek", agent).Out}");
        Assert.False(File.Exists(MarkerPath), "a command in the workspace's path was run by tmux");
    }
}
