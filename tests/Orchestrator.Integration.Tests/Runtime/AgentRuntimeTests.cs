using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>
/// The agent runtime end to end, in-process orc against real git and a real tmux server on a
/// private socket per test (killed afterwards), with the sim agent as a real child process.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class AgentRuntimeTests : IDisposable
{
    private readonly FleetFixture _fleet = new();
    private readonly TempWorkspace _ws;
    private readonly string _socket;
    private readonly string _source;

    public AgentRuntimeTests()
    {
        _ws = _fleet.Ws;
        _socket = _fleet.Socket;
        _source = _fleet.Source;
    }

    public void Dispose()
    {
        _fleet.Dispose();
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string Item(string title, params string[] extra) => _ws.Create(title, ["--prefix", "app", .. extra]);

    private JsonElement Agent(string name) =>
        JsonDocument.Parse(Ok("agents", "--json").Out).RootElement.EnumerateArray().Single(a => a.GetProperty("agent").GetString() == name);

    private JsonElement WaitForState(string agent, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddSeconds(45);
        JsonElement a;
        do
        {
            a = Agent(agent);
            if (states.Contains(a.GetProperty("state").GetString())) return a;
            Thread.Sleep(250);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"{agent} never reached {string.Join("/", states)}: {a}\n{_ws.Orc("peek", agent).Out}");
        return a;
    }

    private string Sling(string item, params string[] extra)
    {
        var r = Ok(["sling", item, "--json", .. extra]);
        return JsonDocument.Parse(r.Out).RootElement.GetProperty("agent").GetString()!;
    }

    [Fact]
    public void Sling_then_the_sim_agent_commits_and_submits_its_work()
    {
        var id = Item("Add a greeting", "--file", "src/greet.txt");
        var agent = Sling(id);
        Assert.Equal("nux", agent);
        var a = WaitForState(agent, "done");
        Assert.Equal("completed", a.GetProperty("hook_state").GetString());

        var worktree = a.GetProperty("worktree").GetString()!;
        using (var repo = new Repository(worktree))
        {
            Assert.Equal($"polecat/nux/{id}", repo.Head.FriendlyName);
            Assert.StartsWith(id + ": Add a greeting", repo.Head.Tip.MessageShort);
            Assert.Contains(id, File.ReadAllText(Path.Combine(worktree, "src", "greet.txt")));
        }
        var submission = JsonDocument.Parse(File.ReadAllText(Path.Combine(_ws.Root, "mq", "app", id + ".json"))).RootElement;
        Assert.Equal($"polecat/nux/{id}", submission.GetProperty("branch").GetString());
        Assert.Equal("queued", submission.GetProperty("state").GetString());
        var item = JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0];
        Assert.Equal("in_progress", item.GetProperty("status").GetString());
        Assert.Equal("nux", item.GetProperty("assignee").GetString());
        Assert.Contains("submitted to the merge queue", item.GetProperty("comments")[0].GetProperty("text").GetString());
        Assert.True(_ws.IsClean(), "every step is committed to the workspace");
        // The rig's main branch is untouched until the refinery merges.
        using var rigRepo = new Repository(Path.Combine(_ws.Root, "rigs", "app"));
        Assert.Equal("first", rigRepo.Head.Tip.MessageShort);

        var cleaned = Ok("cleanup");
        Assert.Contains("cleaned up nux", cleaned.Out);
        Assert.False(Directory.Exists(worktree));
    }

    [Fact]
    public void Killing_the_agent_and_the_tmux_server_loses_nothing_and_up_brings_it_back()
    {
        var id = Item("Long job", "-l", "sim:hang");
        var agent = Sling(id);
        var a = WaitForState(agent, "working");
        var worktree = a.GetProperty("worktree").GetString()!;
        // Work in progress: a commit on the branch.
        File.WriteAllText(Path.Combine(worktree, "wip.txt"), "half done\n");
        using (var repo = new Repository(worktree))
        {
            Commands.Stage(repo, "wip.txt");
            var sig = new Signature("nux", "nux@orc.local", DateTimeOffset.Now);
            repo.Commit($"{id}: half", sig, sig);
        }

        Ok("kill", agent);
        Assert.Equal("stopped", Agent(agent).GetProperty("state").GetString());
        Assert.Contains("resumed", Ok("resume", agent).Out);
        WaitForState(agent, "working");

        new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks")).KillServer();
        Assert.Equal("dead", Agent(agent).GetProperty("state").GetString());
        Assert.Contains(agent, Ok("up", "--no-services").Out);
        var back = WaitForState(agent, "working");
        Assert.Equal(2, back.GetProperty("restarts").GetInt32());
        Assert.Equal(worktree, back.GetProperty("worktree").GetString());
        using (var repo = new Repository(worktree))
            Assert.Equal($"{id}: half", repo.Head.Tip.MessageShort);
        Assert.Equal("hooked", JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString());
        Assert.Contains("every hooked agent is running", Ok("up", "--no-services").Out);
    }

    [Fact]
    public void A_nudge_is_delivered_as_literal_text_and_the_waiting_agent_goes_on()
    {
        var id = Item("Ask first", "-l", "sim:ask");
        var agent = Sling(id);
        WaitForState(agent, "waiting");
        var marker = Path.Combine(_ws.Root, "pwned");
        Assert.Contains("nudged", Ok("nudge", agent, $"keep it $(touch {marker}) \u001b[2J ok").Out);
        WaitForState(agent, "done");
        Assert.False(File.Exists(marker));
        var pane = Ok("peek", agent, "-n", "40").Out;
        Assert.Contains($"$(touch {marker})", pane);
        Assert.Contains("\\e[2J", pane);
        Assert.DoesNotContain('\u001b', pane);
    }

    [Fact]
    public void Done_refuses_a_dirty_worktree_or_a_branch_without_a_new_commit()
    {
        var id = Item("Not yet", "-l", "sim:hang");
        var agent = Sling(id);
        var worktree = WaitForState(agent, "working").GetProperty("worktree").GetString()!;
        var none = _ws.Orc("done", "--agent", agent);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("has no commit since it was slung", none.Err);
        File.WriteAllText(Path.Combine(worktree, "draft.txt"), "x");
        var dirty = _ws.Orc("done", "--agent", agent);
        Assert.Equal(1, dirty.ExitCode);
        Assert.Contains("uncommitted changes in draft.txt", dirty.Err);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "mq", "app", id + ".json")));
        Assert.Equal("active", Agent(agent).GetProperty("hook_state").GetString());
    }

    [Fact]
    public void A_failed_sling_leaves_nothing_half_made()
    {
        Directory.CreateDirectory(Path.Combine(_ws.Root, ".orc", "profiles"));
        File.WriteAllText(Path.Combine(_ws.Root, ".orc", "profiles", "ghost.yaml"), "command: no-such-agent-cli\nprompt: arg\n");
        var id = Item("Nobody home");
        var commits = _ws.CommitCount();
        var r = _ws.Orc("sling", id, "--profile", "ghost");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("'no-such-agent-cli' is not on PATH", r.Err);
        Assert.Equal(commits, _ws.CommitCount());
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "worktrees", "app")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_ws.Root, "agents"), "*.json"));
        Assert.Equal("open", JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString());
    }

    [Fact]
    public void Slinging_a_hooked_unknown_or_closed_item_is_refused()
    {
        var id = Item("Once", "-l", "sim:hang");
        Sling(id);
        Assert.Contains("already hooked by nux", _ws.Orc("sling", id).Err);
        Assert.Equal(3, _ws.Orc("sling", "app-nope").ExitCode);
        var closed = Item("Closed");
        Ok("item", "close", closed);
        Assert.Contains("reopen it first", _ws.Orc("sling", closed).Err);
        Assert.Contains("has agents holding work: nux", _ws.Orc("rig", "remove", "app").Err);
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("has space")]
    [InlineData("quo'te")]
    [InlineData("-rf")]
    [InlineData("a:b")]
    public void A_bad_rig_name_is_refused_and_nothing_is_cloned(string name)
    {
        var r = _ws.Orc("rig", "add", name, _source);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("rig: ", r.Err);
        Assert.Equal(["app"], Directory.GetFileSystemEntries(Path.Combine(_ws.Root, "rigs")).Select(Path.GetFileName));
    }

    [Fact]
    public void Prime_and_hook_tell_an_agent_what_it_is_on()
    {
        var id = Item("Write docs", "-d", "Explain the thing", "--acceptance", "a README section");
        var agent = Sling(id, "--agent", "scribe", "--profile", "shell");
        var prime = _ws.Run(["prime"], new() { ["ORC_AGENT"] = agent }, null);
        Assert.Equal(0, prime.ExitCode);
        Assert.Contains($"You are scribe, a polecat on rig app", prime.Out);
        Assert.Contains("Write docs", prime.Out);
        Assert.Contains("a README section", prime.Out);
        Assert.Contains("orc done", prime.Out);
        Assert.DoesNotContain('\u001b', prime.Out);
        var hook = JsonDocument.Parse(_ws.Run(["hook", "--json"], new() { ["ORC_AGENT"] = agent }, null).Out).RootElement;
        Assert.Equal(id, hook.GetProperty("item").GetString());
        Assert.Equal($"polecat/scribe/{id}", hook.GetProperty("branch").GetString());
        // The shell profile's first prompt was typed at its prompt.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!_ws.Orc("peek", agent).Out.Contains("orc prime") && DateTime.UtcNow < deadline) Thread.Sleep(200);
        Assert.Contains("orc prime", _ws.Orc("peek", agent).Out);
    }

    [Fact]
    public void Down_stops_only_this_workspace_and_suspends_its_hooks()
    {
        var other = new TmuxServer("orc-test-other-" + Guid.NewGuid().ToString("N")[..8], Path.Combine(_ws.Root, "other.conf"), Path.Combine(_ws.Root,
            "other-locks"));
        try
        {
            other.StartWindow("x", "y", _ws.Root, new Dictionary<string, string>(), ["sh", "-c", "exec cat"]);
            var id = Item("Hang", "-l", "sim:hang");
            var agent = Sling(id);
            WaitForState(agent, "working");
            Ok("down");
            Assert.Equal("suspended", Agent(agent).GetProperty("hook_state").GetString());
            Assert.True(other.IsRunning());
            Assert.Single(other.ListWindows());
        }
        finally { other.KillServer(); }
    }

    // ---- attach and two processes nudging: orc as a real child process in a real terminal ----

    private Dictionary<string, string> OrcEnv() => new()
    {
        ["ORC_WORKSPACE"] = _ws.Root,
        ["ORC_TMUX_SOCKET"] = _socket,
        ["DOTNET_TieredPGO"] = "0",
    };

    private string OrcInShell(string args) => $"{OrcProcess.ShellCommand} {args}";

    /// <summary>The non-control clients of the workspace's server: tty, session, window.</summary>
    private List<(string Tty, string Session, string Window)> Clients()
    {
        var r = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks"))
            .RunProcess("list-clients", "-F", "#{client_tty}\t#{session_name}\t#{window_name}\t#{client_control_mode}");
        return r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .Where(f => f.Length >= 4 && f[3] != "1").Select(f => (f[0], f[1], f[2])).ToList();
    }


    [Fact]
    public void Attach_from_a_plain_terminal_shows_the_agent_and_detaching_returns()
    {
        var agent = Sling(Item("Watch me", "-l", "sim:hang"));
        WaitForState(agent, "working");
        using var term = new TestTerminal();
        term.Start(_ws.Root, $"{OrcInShell("attach " + agent)}; echo attach-exit=$?; exec cat", OrcEnv());
        RigFixture.Eventually(() => Clients().Any(c => c.Session == "app" && c.Window == agent), () => "no client on the agent's window: " + term.Screen());
        RigFixture.Eventually(() => term.Screen().Contains("sim: working on"), () => "the terminal does not show the agent: " + term.Screen());
        term.Run("send-keys", "-t", "=term:", "C-b", "d");
        RigFixture.Eventually(() => term.Screen().Contains("attach-exit=0"), () => "attach did not return: " + term.Screen());
        Assert.Empty(Clients());
        Assert.Equal("working", Agent(agent).GetProperty("state").GetString()); // detaching leaves the agent running
    }

    [Fact]
    public void Attach_inside_the_workspace_tmux_switches_this_client_and_F12_returns()
    {
        var agent = Sling(Item("Switch to me", "-l", "sim:hang"));
        WaitForState(agent, "working");
        // The user's own window in the workspace's server, where they run orc attach.
        var server = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks"));
        server.StartWindow("orc", "orc", _ws.Root, OrcEnv(), ["sh", "-c", $"read go; {OrcInShell("attach " + agent)}; echo attach-exit=$?; exec cat"]);
        using var term = new TestTerminal();
        term.Start(_ws.Root, $"unset TMUX; exec tmux -L {_socket} attach-session -t =orc", new Dictionary<string, string>());
        RigFixture.Eventually(() => Clients().Any(c => c.Session == "orc"), () => "the terminal did not attach: " + term.Screen());
        server.SendText("orc", "orc", "go");
        RigFixture.Eventually(() => Clients() is [var c] && c.Session == "app" && c.Window == agent, () => "the client was not switched: " + string.Join(", ",
            Clients()));
        RigFixture.Eventually(() => server.CapturePane("orc", "orc").Contains("attach-exit=0"), () => "attach failed: " + server.CapturePane("orc", "orc"));
        term.Run("send-keys", "-t", "=term:", "F12");
        RigFixture.Eventually(() => Clients() is [var c] && c.Session == "orc", () => "F12 did not return: " + string.Join(", ", Clients()));
    }

    [Fact]
    public void A_notification_reaches_the_attached_terminal_and_not_orcs_own_control_client()
    {
        var server = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks"));
        server.StartWindow("orc", "orc", _ws.Root, OrcEnv(), ["sh", "-c", "exec cat"]);
        Assert.Equal(0, server.Notify("nobody is attached"));
        using var term = new TestTerminal();
        term.Start(_ws.Root, $"unset TMUX; exec tmux -L {_socket} attach-session -t =orc", new Dictionary<string, string>());
        RigFixture.Eventually(() => Clients().Any(c => c.Session == "orc"), () => "the terminal did not attach: " + term.Screen());
        server.ListWindows(); // opens this process's control client: it must not be counted or told
        Assert.Equal(1, server.Notify("orc: convoy #x landed \u001b[2J", bell: true));
        RigFixture.Eventually(() => term.Screen().Contains("orc: convoy #x landed"), () => "the message was not shown: " + term.Screen());
        server.Dispose();
    }

    [Fact]
    public void Two_windows_of_one_name_are_listed_as_the_live_one()
    {
        // tmux allows two windows of one name (two starters racing; seen in CI as two
        // 'witness-app' windows): 'orc agents' used to crash on it with a duplicate key.
        var agent = Sling(Item("Twice", "-l", "sim:hang"));
        WaitForState(agent, "working");
        var tmux = System.Diagnostics.Process.Start("tmux", ["-L", _socket, "new-window", "-d", "-t", "=app", "-n", agent, "sh", "-c", "exit 3"])!;
        tmux.WaitForExit();
        Assert.Equal(0, tmux.ExitCode);
        var seen = Agent(agent); // no crash, and the live window stands for the name
        Assert.True(seen.GetProperty("window_alive").GetBoolean(), seen.ToString());
    }

    [Fact]
    public void Two_orc_processes_nudging_one_agent_never_interleave()
    {
        var agent = Sling(Item("Listen", "-l", "sim:hang"));
        WaitForState(agent, "working");
        // The agent's own first line must be out before the nudges are typed, or it lands in the
        // middle of a typed line on the terminal (seen once in CI) and the check below misreads it.
        RigFixture.Eventually(() => Ok("peek", agent).Out.Contains("(step 1 of 3)"), () => "the sim agent did not start: " + Ok("peek", agent).Out);
        var a = new string('a', 240);
        var b = new string('b', 240);
        var env = new Dictionary<string, string> { ["ORC_WORKSPACE"] = _ws.Root, ["ORC_TMUX_SOCKET"] = _socket };
        var results = new CliResult[2];
        Parallel.Invoke(
            () => results[0] = OrcProcess.Run(_ws.Root, ["nudge", agent, a], env),
            () => results[1] = OrcProcess.Run(_ws.Root, ["nudge", agent, b], env));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        // orc nudge returns once tmux has the keys; the agent echoes them a moment later, so wait for both whole lines.
        List<string> Lines() => Ok("peek", agent, "-n",
            "100").Out.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("aaaa") || l.Contains("bbbb")).ToList();
        RigFixture.Eventually(() => Lines() is var l && l.Contains(a) && l.Contains(b), () => "both nudges were not shown whole: " + string.Join(" | ",
            Lines()));
        Assert.All(Lines(), l => Assert.True(l == a || l == b, "interleaved: " + l));
    }
}
