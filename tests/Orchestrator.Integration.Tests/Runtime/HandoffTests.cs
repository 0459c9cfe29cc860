using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>
/// Continuity between sessions, end to end: a sim agent in its tmux window runs <c>orc handoff</c>
/// (a process of its own, as an agent would), is replaced by a fresh process once that command has
/// answered, and its new session's prime carries the note; <c>orc history</c> lists every session
/// on an item across kills, crashes, handoffs, archived hooks and re-slings. Real git, a private
/// tmux server per test, sim agents as real child processes.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class HandoffTests : IDisposable
{
    private readonly FleetFixture _fleet = new();
    private readonly TempWorkspace _ws;
    private readonly string _socket;
    private readonly TmuxServer _tmux;

    public HandoffTests()
    {
        _ws = _fleet.Ws;
        _socket = _fleet.Socket;
        Ok("rig", "set", "app", "grace", "0");
        _tmux = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks"));
    }

    public void Dispose()
    {
        _tmux.Dispose();
        _fleet.Dispose();
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string Item(string title, params string[] extra) => _ws.Create(title, ["--prefix", "app", .. extra]);

    private string Sling(string item, params string[] extra) => JsonDocument.Parse(Ok(["sling", item, "--json",
        .. extra]).Out).RootElement.GetProperty("agent").GetString()!;

    private string State(string agent) =>
        JsonDocument.Parse(Ok("agents",
            "--json").Out).RootElement.EnumerateArray().Single(a => a.GetProperty("agent").GetString() == agent).GetProperty("state").GetString()!;

    private int PanePid(string agent) => _tmux.FindWindow("app", agent) is { PaneDead: false } w ? w.PanePid : 0;

    private JsonElement History(string item) => JsonDocument.Parse(Ok("history", item, "--json").Out).RootElement;

    private static List<(string Agent, int Session, string Ended)> Sessions(JsonElement history) =>
        history.GetProperty("sessions").EnumerateArray()
            .Select(s => (s.GetProperty("agent").GetString()!, s.GetProperty("session").GetInt32(), s.GetProperty("ended").GetString()!)).ToList();

    private void WaitIdle(string agent) => RigFixture.Eventually(() => State(agent) == "idle", () => $"{agent} is {State(agent)}:\n{Ok("peek", agent).Out}");

    [Fact]
    public void Handoff_restarts_a_sim_agent_fresh_and_its_new_session_primes_with_the_note()
    {
        var item = Item("Long refactor", "-l", "sim:idle");
        var agent = Sling(item);
        WaitIdle(agent);
        var worktree = Path.Combine(_ws.Root, "worktrees", "app", agent);
        File.WriteAllText(Path.Combine(worktree, "wip.txt"), "half done\n"); // uncommitted work stays in the worktree

        // Killed and resumed first: another session.
        Ok("kill", agent);
        Ok("resume", agent);
        WaitIdle(agent);
        var before = PanePid(agent);
        Assert.NotEqual(0, before);

        // The agent, at its prompt, is told to hand off: it runs 'orc handoff' itself.
        var marker = Path.Combine(_ws.Root, "pwned");
        var note = $"parser half done; next: tests. $(touch {marker}) `touch {marker}`";
        Assert.Contains($"nudged {agent}", Ok("nudge", agent, "handoff: " + note).Out);

        RigFixture.Eventually(() => PanePid(agent) is var p && p != 0 && p != before, () => $"{agent} was not restarted:\n{Ok("peek", agent).Out}");
        RigFixture.Eventually(() => Ok("peek", agent).Out.Contains("the handoff note of my previous session says: parser half done"),
            () => $"the new session did not find the note in its prime:\n{Ok("peek", agent).Out}");
        Assert.True(File.Exists(Path.Combine(worktree, "wip.txt")), "the worktree is the same");
        Assert.False(File.Exists(marker), "the note is data, never run");

        var prime = _ws.OrcAs(agent, "prime").Out;
        Assert.Contains("## Handoff: your previous session (session 2) handed this work over", prime);
        Assert.Contains("Its note:\n" + note + "\n", prime);
        Assert.Contains($"## History of {item}", prime);
        Assert.Contains($"- {agent} session 1: ", prime);
        Assert.Contains(", killed", prime);

        RigFixture.Eventually(() => Sessions(History(item)).Count == 3, () => History(item).ToString());
        var history = History(item);
        Assert.Equal([(agent, 1, "killed"), (agent, 2, "handoff"), (agent, 3, "running")], Sessions(history));
        var handoff = history.GetProperty("sessions")[1];
        Assert.Equal("resumed", handoff.GetProperty("started_by").GetString());
        Assert.Equal(note, handoff.GetProperty("notes")[0].GetProperty("text").GetString());
        Assert.Equal("after a handoff", history.GetProperty("sessions")[2].GetProperty("started_by").GetString());

        // The note was committed before the restart was recorded; the handoff is not a crash restart.
        using (var repo = new Repository(_ws.Root))
        {
            var subjects = repo.Commits.Take(10).Select(c => c.MessageShort).ToList();
            Assert.True(subjects.IndexOf($"orc: handoff restart {agent}") < subjects.IndexOf($"orc: handoff {agent}"), string.Join("\n", subjects));
        }
        // the resume only: a handoff does not count towards max_restarts
        Assert.Equal(1, JsonDocument.Parse(Ok("agents", "--json").Out).RootElement[0].GetProperty("restarts").GetInt32());

        // Again, from an orc process of its own with a multi-line note that hides a bidi override:
        // it answers before the agent is replaced, and the note is printed with the override shown.
        WaitIdle(agent);
        before = PanePid(agent);
        var hostile = "line one \u202eevil\nline two\ttabbed";
        var r = OrcProcess.Run(_ws.Root, ["handoff", "--note", hostile], new Dictionary<string, string> { ["ORC_AGENT"] = agent, ["ORC_TMUX_SOCKET"] = _socket,
            ["USER"] = "tester" });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"handoff of {agent} recorded (session 3, note of", r.Out);
        RigFixture.Eventually(() => PanePid(agent) is var p && p != 0 && p != before,
            () => $"{agent} was not restarted the second time:\n{Ok("peek", agent).Out}");
        RigFixture.Eventually(() => Sessions(History(item)).Count == 4, () => History(item).ToString());
        Assert.Equal("handoff", Sessions(History(item))[2].Ended);

        prime = _ws.OrcAs(agent, "prime").Out;
        Assert.Contains("## Handoff: your previous session (session 3)", prime);
        Assert.Contains("line one \\u202eevil\nline two\ttabbed", prime);
        Assert.DoesNotContain('\u202e', prime);
        Assert.Contains("handoff: parser half done", prime); // the earlier note, one line, in the history
        var text = Ok("history", item).Out;
        Assert.Contains("4 sessions", text);
        Assert.Contains("started resumed, ended: handoff", text);
        Assert.Contains("handoff note: line one \\u202eevil", text);
        Assert.DoesNotContain('\u202e', text);
        Assert.Contains("still running", text);
        RigFixture.Eventually(_ws.IsClean, () => "every step is committed: " + _ws.Dirty(), 10); // the restart's commit follows its hook write
    }

    [Fact]
    public void A_handoff_that_cannot_happen_is_refused_and_changes_nothing()
    {
        var item = Item("Waits", "-l", "sim:idle");
        var agent = Sling(item);
        WaitIdle(agent);
        var commits = _ws.CommitCount();

        var r = _ws.Orc("handoff", "--note", "x");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("who are you?", r.Err);
        r = _ws.OrcAs(agent, "handoff", "--note", "red \u001b[31m");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--note: contains a control character (ESC", r.Err);
        r = _ws.OrcAs(agent, "handoff", "--note", new string('n', 8001));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("a handoff note is at most 8,000", r.Err);

        Ok("kill", agent);
        r = _ws.OrcAs(agent, "handoff", "--note", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"agent {agent} is not running (its hook is suspended); 'orc resume {agent}'", r.Err);
        Assert.Equal(commits + 1, _ws.CommitCount()); // only the kill
        Assert.Equal([(agent, 1, "killed")], Sessions(History(item)));
    }

    [Fact]
    public void History_lists_every_session_on_an_item_across_crashes_archived_hooks_and_re_slings()
    {
        var item = Item("Flaky start", "-l", "sim:crash-once");
        var agent = Sling(item, "--agent", "nux");
        RigFixture.Eventually(() => State(agent) == "dead", () => $"{agent}: {State(agent)}");
        Assert.Contains($"{agent}: dead, restarted", Ok("witness", "run", "app", "--once").Out);
        RigFixture.Eventually(() => State(agent) == "done", () => $"{agent}: {State(agent)}\n{Ok("peek", agent).Out}");
        Assert.Contains("cleaned up nux", Ok("cleanup").Out);

        // The item goes back to work, and to an agent of the same name: the archived hook is kept.
        Ok("item", "label", "remove", item, "sim:crash-once");
        Ok("item", "update", item, "--status", "open");
        Ok("item", "comment", item, "second attempt, \u202e reversed");
        Sling(item, "--agent", "nux");
        RigFixture.Eventually(() => State("nux") == "done", () => $"nux: {State("nux")}\n{Ok("peek", "nux").Out}");

        var history = History(item);
        Assert.Equal([("nux", 1, "crashed"), ("nux", 2, "done"), ("nux", 1, "done")], Sessions(history));
        var sessions = history.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal("restarted after a crash", sessions[1].GetProperty("started_by").GetString());
        Assert.Equal("made by the sim agent", sessions[1].GetProperty("notes")[0].GetProperty("text").GetString());
        Assert.Contains(sessions[1].GetProperty("comments").EnumerateArray(), c => c.GetProperty("text").GetString()!.StartsWith("submitted to the merge queue",
            StringComparison.Ordinal));
        Assert.Contains(history.GetProperty("other_comments").EnumerateArray(), c => c.GetProperty("text").GetString() == "second attempt, \u202e reversed");
        Assert.Single(Directory.GetFiles(Path.Combine(_ws.Root, "agents", "archive"), "nux-*.json"));

        var text = Ok("history", item).Out;
        Assert.Contains("1. nux (session 1 of its hook; polecat on rig app, profile sim)", text);
        Assert.Contains("ended: crashed", text);
        Assert.Contains("done note: made by the sim agent", text);
        Assert.Contains("second attempt, \\u202e reversed", text);
        Assert.DoesNotContain('\u202e', text);
        Assert.Equal(3, _ws.Orc("history", "app-nope").ExitCode);
    }
}
