using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// The witness, the deacon and boot against real git, a real tmux server on a private socket
/// per test (killed afterwards) and sim agents as real child processes.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class PatrolTests : IDisposable
{
    private readonly FleetFixture _fleet = new(grace: 0);
    private readonly TempWorkspace _ws;
    private readonly string _socket;

    public PatrolTests()
    {
        _ws = _fleet.Ws;
        _socket = _fleet.Socket;
    }

    public void Dispose()
    {
        Tmux.Dispose();
        _fleet.Dispose();
    }

    private TmuxServer Tmux => field ??= new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks"));

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private void Settings(string key, string value) => RigFixture.SetSetting(_ws, "app", key, value);

    private string Item(string title, params string[] extra) => _ws.Create(title, ["--prefix", "app", .. extra]);

    private string Sling(string item) => JsonDocument.Parse(Ok("sling", item, "--json").Out).RootElement.GetProperty("agent").GetString()!;

    private JsonElement Agent(string name) =>
        JsonDocument.Parse(Ok("agents", "--json").Out).RootElement.EnumerateArray().Single(a => a.GetProperty("agent").GetString() == name);


    private string State(string agent) => Agent(agent).GetProperty("state").GetString()!;

    [Fact]
    public void The_witness_restarts_a_crashed_agent_then_gives_up_and_says_so()
    {
        Settings("max_restarts", "2");
        var agent = Sling(Item("Crashes", "-l", "sim:crash"));
        for (var restart = 1; restart <= 2; restart++)
        {
            RigFixture.Eventually(() => State(agent) == "dead", () => $"{agent} did not die: {State(agent)}");
            var run = Ok("witness", "run", "app", "--once");
            Assert.Contains($"{agent}: dead, restarted", run.Out);
            Assert.Equal(restart, Agent(agent).GetProperty("restarts").GetInt32());
        }
        RigFixture.Eventually(() => State(agent) == "dead", () => $"{agent} did not die again");
        Assert.Contains("gave up", Ok("witness", "run", "app", "--once").Out);
        var a = Agent(agent);
        Assert.Equal("suspended", a.GetProperty("hook_state").GetString());
        Assert.Contains("stopped restarting it", Ok("feed", "--source", "witness@app").Out);
        var told = Ok("mail", "inbox").Out;
        Assert.Contains($"gave up restarting {agent}", told);
        Assert.Contains("witness@app", told);
        // A suspended hook is left alone from now on.
        Assert.DoesNotContain(agent, Ok("witness", "run", "app", "--once").Out);
    }

    [Fact]
    public void The_witness_flags_a_looping_agent_once()
    {
        var agent = Sling(Item("Loops", "-l", "sim:loop"));
        RigFixture.Eventually(() => Ok("peek", agent).Out.Split("trying the same fix").Length > 4, () => "no loop yet: " + Ok("peek", agent).Out);
        Assert.Contains($"{agent}: looping, flagged", Ok("witness", "run", "app", "--once").Out);
        Assert.Contains("repeats the same output", Ok("feed").Out);
        Assert.Contains($"{agent} repeats the same output", Ok("mail", "inbox").Out);
    }

    [Fact]
    public void An_agent_on_a_screen_its_profile_does_not_know_is_stuck_once_it_stops_changing_and_the_overseer_is_told_once()
    {
        // A CLI that stops on a question orc has no pattern for: not idle, not waiting, not an error.
        Directory.CreateDirectory(Path.Combine(_ws.Root, ".orc", "profiles"));
        File.WriteAllText(Path.Combine(_ws.Root, ".orc", "profiles", "asker.yaml"),
            "name: asker\ncommand: sh\nargs: [-c, 'printf \"Pick a colour theme:\\n  1. Dark\\n  2. Light\\n\"; exec sleep 600']\nprompt: none\n");
        Settings("stuck_after", "10");
        var id = Item("Asks about themes");
        var agent = JsonDocument.Parse(Ok("sling", id, "--profile", "asker", "--json").Out).RootElement.GetProperty("agent").GetString()!;
        RigFixture.Eventually(() => Ok("peek", agent).Out.Contains("2. Light"), () => "no screen: " + Ok("peek", agent).Out, 20);
        RigFixture.Eventually(() => State(agent) == "stuck", () => $"{agent} is {State(agent)}", 40);
        Assert.Contains($"{agent}: stuck, flagged", Ok("witness", "run", "app", "--once").Out);
        Assert.Contains($"{agent} has shown no change for", Ok("mail", "inbox").Out);
        Assert.DoesNotContain($"{agent}: stuck, flagged", Ok("witness", "run", "app", "--once").Out); // once per episode
        Assert.Equal("hooked", JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString());
        Assert.True(Directory.Exists(Agent(agent).GetProperty("worktree").GetString()));
    }

    [Fact]
    public void The_deacon_cleans_landed_work_releases_orphans_and_checkpoints_dead_agents()
    {
        // Landed work: sling, the sim agent submits, the refinery merges.
        var landed = Item("Lands");
        var worker = Sling(landed);
        RigFixture.Eventually(() => State(worker) == "done", () => $"{worker} did not finish: {State(worker)}");
        Ok("refinery", "run", "app", "--once");
        var worktree = Agent(worker).GetProperty("worktree").GetString()!;
        // An orphan: hooked by an agent that does not exist.
        var orphan = Item("Orphaned");
        Ok("item", "update", orphan, "--status", "hooked", "--assignee", "ghost");
        // A dead agent with uncommitted work.
        var held = Item("Held", "-l", "sim:hang");
        var sleeper = Sling(held);
        RigFixture.Eventually(() => State(sleeper) == "working", () => $"{sleeper}: {State(sleeper)}");
        var sleeperTree = Agent(sleeper).GetProperty("worktree").GetString()!;
        File.WriteAllText(Path.Combine(sleeperTree, "unsaved.txt"), "typed but not committed\n");
        Ok("kill", sleeper);

        var run = Ok("deacon", "run", "--once", "--no-supervise").Out;
        Assert.Contains("cleaned " + worker, run);
        Assert.Contains("released " + orphan, run);
        Assert.Contains("checkpoint " + sleeper, run);
        Assert.False(Directory.Exists(worktree));
        Assert.Equal("open", JsonDocument.Parse(Ok("item", "show", orphan, "--json").Out).RootElement[0].GetProperty("status").GetString());
        // The checkpoint holds the file; the worktree, its index and its branch are as they were.
        using (var repo = new Repository(Path.Combine(_ws.Root, "rigs", "app")))
        {
            var checkpoint = repo.Lookup<Commit>($"refs/orc/checkpoints/{sleeper}");
            Assert.NotNull(checkpoint);
            Assert.Equal("typed but not committed\n", ((Blob)checkpoint["unsaved.txt"].Target).GetContentText());
        }
        using (var repo = new Repository(sleeperTree))
            Assert.Equal(FileStatus.NewInWorkdir, repo.RetrieveStatus("unsaved.txt"));
        Assert.Contains("hooked", JsonDocument.Parse(Ok("item", "show", held, "--json").Out).RootElement[0].GetProperty("status").GetString());
        // The deacon's events are in the workspace's git history.
        using var ws = new Repository(_ws.Root);
        Assert.Contains("checkpoint", ws.Head.Tip.Tree["events/events.jsonl"] is { } e ? ((Blob)e.Target).GetContentText() : "");
    }

    [Fact]
    public void Boot_starts_the_deacon_and_starts_it_again_when_it_dies()
    {
        Assert.Contains("started the deacon", Ok("boot", "run", "--once").Out);
        RigFixture.Eventually(() => Ok("status").Out.Split('\n').Any(l => l.StartsWith("deacon", StringComparison.Ordinal) && l.Contains(" running ")),
            () => "the deacon never beat: " + Ok("status").Out + Ok("feed").Out);
        Assert.DoesNotContain("started the deacon", Ok("boot", "run", "--once").Out); // alive: left alone
        Tmux.KillWindow("orc", "deacon");
        RigFixture.Eventually(() => Tmux.FindWindow("orc", "deacon") is null || Tmux.RunProcess("kill-window", "-t", "=orc:=deacon") is var _ && false,
            () => "the deacon window would not go: " + string.Join(", ", Tmux.ListWindows().Select(w => $"{w.Session}:{w.Window}={w.PanePid}")));
        var restart = Ok("boot", "run", "--once").Out;
        Assert.True(restart.Contains("started the deacon"), "boot did not restart the killed deacon: '" + restart + "' windows: " +
            string.Join(", ",
                Tmux.ListWindows().Select(w => $"{w.Session}:{w.Window}={w.PanePid}{(w.PaneDead ? " dead" : "")}")) + "\n" + Ok("status").Out + Ok("feed", "-n",
                "30").Out);
        RigFixture.Eventually(() => Tmux.FindWindow("orc", "deacon") is { PaneDead: false }, () => "no deacon window");
        // The deacon it started supervises the rig's refinery and witness.
        RigFixture.Eventually(() => Tmux.FindWindow("orc", "refinery-app") is { PaneDead: false } && Tmux.FindWindow("orc",
            "witness-app") is { PaneDead: false },
            () => "the deacon did not start the refinery and witness: " + string.Join(", ", Tmux.ListWindows().Select(w => w.Window)));
        // A second deacon refuses (once the restarted one has started and holds its lock).
        RigFixture.Eventually(() => Tmux.FindWindow("orc", "deacon") is { } w && JsonDocument.Parse(Ok("status", "--json").Out).RootElement.EnumerateArray()
            .Any(e => e.GetProperty("name").GetString() == "deacon" && e.GetProperty("state").GetString() == "running" && e.TryGetProperty("pid",
                out var pid) && pid.GetInt32() == w.PanePid), () => "the new deacon never beat: " + Ok("status",
                "--json").Out + " windows: " + string.Join(", ",
                Tmux.ListWindows().Select(w => $"{w.Window}={w.PanePid}{(w.PaneDead ? " dead" : "")}")) + "\n" + Ok("feed", "-n", "40").Out);
        var second = _ws.Orc("deacon", "run", "--once");
        Assert.Equal(5, second.ExitCode);
        Assert.Contains("already running", second.Err);
    }
}
