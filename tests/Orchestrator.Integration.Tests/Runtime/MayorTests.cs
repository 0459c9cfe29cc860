using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Cli;
using Orchestrator.Services.Fleet;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>
/// The mayor: one per workspace, in window orc:mayor of the workspace's private tmux server (a
/// sim agent here), getting the mail that needs a decision. Real git, real tmux, real child processes.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class MayorTests : IDisposable
{
    private readonly FleetFixture _fleet = new(grace: 0);
    private readonly TempWorkspace _ws;
    private readonly string _socket;

    public MayorTests()
    {
        _ws = _fleet.Ws;
        _socket = _fleet.Socket;
    }

    public void Dispose()
    {
        _fleet.Dispose();
    }

    private TmuxServer Tmux => new(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks"));

    private int MayorWindows()
    {
        using var tmux = Tmux;
        return tmux.ListWindows().Count(w => w.Window == "mayor");
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string Item(string title, params string[] extra) => _ws.Create(title, ["--prefix", "app", .. extra]);

    private JsonElement Status() => JsonDocument.Parse(Ok("mayor", "status", "--json").Out).RootElement;

    private List<JsonElement> Inbox(string box) =>
        JsonDocument.Parse(Ok("mail", "inbox", "--as", box, "--json").Out).RootElement.EnumerateArray().ToList();

    private string? MqState(string item)
    {
        var r = _ws.Orc("mq", "show", item, "--json");
        return r.ExitCode == 0 ? JsonDocument.Parse(r.Out).RootElement.GetProperty("state").GetString() : null;
    }

    [Fact]
    public async Task Starting_the_mayor_twice_even_at_once_makes_one_mayor()
    {
        Assert.False(Status().GetProperty("exists").GetBoolean());
        Assert.Contains("no mayor; start one with 'orc mayor start'", Ok("mayor", "status").Out);

        Assert.Contains("started the mayor (sim) in window orc:mayor", Ok("mayor", "start", "--profile", "sim").Out);
        Assert.Contains("the mayor is already running (sim)", Ok("mayor", "start").Out);
        Assert.Equal(1, MayorWindows());
        var commits = _ws.CommitCount();

        // A different profile while it runs is refused, not a second mayor.
        var other = _ws.Orc("mayor", "start", "--profile", "shell");
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("the mayor is running with profile sim; stop it first", other.Err);

        Assert.Contains("stopped the mayor", Ok("mayor", "stop").Out);
        Assert.Equal(0, MayorWindows());
        Assert.Equal("stopped", Status().GetProperty("state").GetString());
        Assert.True(Status().GetProperty("exists").GetBoolean());
        Assert.Contains("the mayor was not running", Ok("mayor", "stop").Out);
        var attach = _ws.Orc("mayor", "attach");
        Assert.Equal(1, attach.ExitCode);
        Assert.Contains("the mayor is not running (start it with 'orc mayor start')", attach.Err);

        // Two 'orc mayor start' processes at the same moment: one starts it, the other finds it running.
        var env = new Dictionary<string, string> { ["ORC_TMUX_SOCKET"] = _socket, ["HOME"] = _ws.Root };
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => OrcProcess.Run(_ws.Root, ["mayor", "start"], env),
            TestContext.Current.CancellationToken)));
        foreach (var r in runs) Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Single(runs, r => r.Out.Contains("started the mayor (sim)", StringComparison.Ordinal));
        Assert.Single(runs, r => r.Out.Contains("already running", StringComparison.Ordinal));
        Assert.Equal(1, MayorWindows());
        Assert.Single(JsonDocument.Parse(Ok("agents", "--json").Out).RootElement.EnumerateArray(), a => a.GetProperty("role").GetString() == "mayor");
        Assert.True(_ws.CommitCount() > commits);
        using (var repo = new LibGit2Sharp.Repository(_ws.Root))
            Assert.Equal(LibGit2Sharp.FileStatus.Unaltered, repo.RetrieveStatus("agents/mayor.json")); // the hook is committed

        var status = Status();
        Assert.True(status.GetProperty("running").GetBoolean());
        Assert.Equal("orc", status.GetProperty("session").GetString());
        Assert.Equal("mayor", status.GetProperty("window").GetString());
        RigFixture.Eventually(() => Status().GetProperty("state").GetString() == "idle", () => Ok("peek", "mayor").Out);
    }

    [Fact]
    public void The_mayor_in_tmux_receives_the_landed_convoy_mail_and_escalations()
    {
        Ok("mayor", "start", "--profile", "sim");
        RigFixture.Eventually(() => Status().GetProperty("state").GetString() == "idle", () => Ok("peek", "mayor").Out);

        // A small convoy runs to landing: launched, worked by a polecat, landed by the refinery.
        var a = Item("Part one");
        var b = Item("Part two", "--deps", a);
        Ok("convoy", "create", "ship", a, b, "--title", "ship it");
        Ok("convoy", "launch", "ship", "--once");
        RigFixture.Eventually(() => MqState(a) == "queued", () => Ok("agents").Out);
        Assert.Contains($"{a}: merged", Ok("refinery", "run", "app", "--once").Out);
        Ok("convoy", "launch", "ship", "--once");
        RigFixture.Eventually(() => MqState(b) == "queued", () => Ok("agents").Out);
        Assert.Contains($"{b}: merged", Ok("refinery", "run", "app", "--once").Out);

        // The mail is in the mayor's mailbox (and the overseer's), and the mayor, idle at its prompt, was told and read it.
        var landed = Assert.Single(Inbox("mayor"), m => m.GetProperty("subject").GetString() == "convoy ship landed");
        Assert.Equal("convoy", landed.GetProperty("from").GetString());
        Assert.Equal("overseer,mayor", landed.GetProperty("to").GetString());
        Assert.Single(Inbox("overseer"), m => m.GetProperty("subject").GetString() == "convoy ship landed");
        // per-item landings are not the mayor's
        Assert.DoesNotContain(Inbox("mayor"), m => m.GetProperty("subject").GetString()!.EndsWith("landed on app", StringComparison.Ordinal));
        RigFixture.Eventually(() => Inbox("mayor").Single(m => m.GetProperty("subject").GetString() == "convoy ship landed").GetProperty("read").GetBoolean(),
            () => Ok("peek", "mayor", "-n", "40").Out);
        RigFixture.Eventually(() => Ok("peek", "mayor", "-n",
            "40").Out.Contains("sim: read mail " + landed.GetProperty("id").GetString() + " from convoy: convoy ship landed", StringComparison.Ordinal),
            () => Ok("peek", "mayor", "-n", "40").Out);

        // An escalation: an agent waiting for an answer is reported to the overseer and the mayor.
        var ask = Item("Asks", "-l", "sim:ask");
        var agent = JsonDocument.Parse(Ok("sling", ask, "--json").Out).RootElement.GetProperty("agent").GetString()!;
        RigFixture.Eventually(() => Ok("witness", "run", "app", "--once").Out.Contains($"{agent}: waiting", StringComparison.Ordinal), () => Ok("peek",
            agent).Out);
        Assert.Single(Inbox("mayor"), m => m.GetProperty("subject").GetString() == $"{agent} is waiting for an answer");
        Assert.Single(Inbox("overseer"), m => m.GetProperty("subject").GetString() == $"{agent} is waiting for an answer");

        // The TUI's rig tree reads the mayor as a workspace-level agent, in window orc:mayor (where Enter takes you).
        var env = new Dictionary<string, string>(_ws.Env) { ["USER"] = "tester", ["HOME"] = _ws.Root,
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin" };
        using var services = Composition.Build(new CliEnvironment(_ws.Root, k => env.GetValueOrDefault(k), TextWriter.Null, TextWriter.Null,
            TextReader.Null) { SelfArgv = OrcProcess.Argv });
        var fleet = services.GetRequiredService<FleetReader>().Read();
        var mayor = Assert.Single(fleet.Agents, x => x.Role == "mayor");
        Assert.Equal(("orc", "mayor"), (mayor.Rig, mayor.Name));
        Assert.NotNull(mayor.PaneId);
        Assert.Contains(mayor.State, new[] { "idle", "working" });
    }

    [Fact]
    public void Prime_for_the_mayor_says_how_to_plan_and_launch_with_the_exact_commands()
    {
        // Started once, then stopped: the mail waits unread in its mailbox for its next start.
        Ok("mayor", "start", "--profile", "sim");
        Ok("mayor", "stop");
        Ok("mail", "send", "mayor", "Build a login page", "--body", "with a remember-me box");
        Ok("learn", "add", "Split UI and API work into separate items");
        Ok("learn", "add", "Plan waves of at most three items", "--role", "mayor");
        Ok("learn", "add", "The app rig's gate needs make gen first", "--rig", "app");
        var prime = _ws.OrcAs("mayor", "prime");
        Assert.True(prime.ExitCode == 0, prime.ToString());
        var text = prime.Out;
        Assert.StartsWith("# You are the mayor of this orc workspace", text);
        Assert.Contains("- app: item prefix `app`, main branch", text);
        foreach (var command in new[]
        {
            "orc item create \"TITLE\" --prefix PREFIX --description",
            "--file PATH --file DIR/ --json",
            "--deps ID1,ID2",
            "orc item dep add ID DEPENDS_ON",
            "orc convoy create NAME ID1 ID2 ID3 --title",
            "orc plan NAME",
            "orc convoy launch NAME --max 3\n",
            "the deacon slings the next waves as slots free",
            "orc sling ITEM --crew NAME",
            "orc convoy report NAME",
            "orc mail send overseer",
        })
            Assert.Contains(command, text);
        Assert.Contains("1 unread message", text);
        Assert.Contains("from overseer", text);
        Assert.Contains("Build a login page", text);
        Assert.DoesNotContain("## Your work item", text);
        // Its learnings: the workspace's and the mayor's, not one rig's.
        Assert.Contains("## Learnings", text);
        Assert.Contains("Split UI and API work into separate items", text);
        Assert.Contains("Plan waves of at most three items", text);
        Assert.DoesNotContain("make gen first", text);
    }

    [Fact]
    public void The_mayor_hands_off_its_conversation_and_its_fresh_session_gets_the_note()
    {
        Ok("mayor", "start", "--profile", "sim");
        int PanePid() { using var tmux = Tmux; return tmux.FindWindow("orc", "mayor") is { PaneDead: false } w ? w.PanePid : 0; }
        RigFixture.Eventually(() => PanePid() != 0, () => "the mayor's window never started");
        var before = PanePid();
        // A real orc process, as the mayor's CLI would run it: the restart waits for it to exit.
        var handoff = OrcProcess.Run(_ws.Root, ["handoff", "--note", "Login convoy planned; next: launch wave 2 $(touch pwned)"],
            new Dictionary<string, string>(_ws.Env) { ["ORC_AGENT"] = "mayor" });
        Assert.True(handoff.ExitCode == 0, handoff.ToString());
        RigFixture.Eventually(() => PanePid() is var p && p != 0 && p != before, () => "the mayor was not restarted after its handoff");
        var prime = _ws.OrcAs("mayor", "prime").Out;
        Assert.Contains("## Handoff: your previous session handed over at", prime);
        Assert.Contains("Login convoy planned; next: launch wave 2 $(touch pwned)", prime); // data, never run
        Assert.False(File.Exists(Path.Combine(_ws.Root, "pwned")));
        Assert.Equal(1, MayorWindows());
    }

    private int MayorPid() { using var tmux = Tmux; return tmux.FindWindow("orc", "mayor") is { PaneDead: false } w ? w.PanePid : 0; }

    [Fact]
    public void Mayor_restart_starts_a_fresh_session_that_primes_with_the_note_and_status_shows_the_mayor()
    {
        var none = _ws.Orc("mayor", "restart");
        Assert.Equal(3, none.ExitCode);
        Assert.Contains("this workspace has no mayor (start one with 'orc mayor start')", none.Err);
        Ok("mayor", "start", "--profile", "sim");
        RigFixture.Eventually(() => MayorPid() != 0, () => "the mayor's window never started");
        var before = MayorPid();
        Ok("mail", "send", "mayor", "plan the login work");
        var tooLong = _ws.Orc("mayor", "restart", "--note", new string('x', 9000));
        Assert.Equal(2, tooLong.ExitCode);
        Assert.Contains("--note: is 9,000 characters long", tooLong.Err);
        Assert.Equal(before, MayorPid()); // refused: nothing changed

        Assert.Contains("restarted the mayor (sim) in window orc:mayor; its prime shows your note", Ok("mayor", "restart", "--note",
            "Context was full; the login convoy is launched").Out);
        RigFixture.Eventually(() => MayorPid() is var p && p != 0 && p != before, () => "the mayor was not restarted");
        Assert.Equal(1, MayorWindows());
        var prime = _ws.OrcAs("mayor", "prime").Out;
        Assert.Contains("## Handoff: your previous session handed over at", prime);
        Assert.Contains("Context was full; the login convoy is launched", prime);
        Assert.Single(Inbox("mayor"), m => m.GetProperty("subject").GetString() == "plan the login work"); // its mail stays
        // orc status shows the mayor beside the services (the sim mayor may have read its mail by now).
        RigFixture.Eventually(() => System.Text.RegularExpressions.Regex.IsMatch(Ok("status").Out, @"^mayor +idle +profile sim, [01] unread messages?$", System.Text.RegularExpressions.RegexOptions.Multiline), () => Ok("status").Out);
        Ok("mayor", "stop");
        Assert.Matches(@"(?m)^mayor +stopped +profile sim, [01] unread messages? \(orc mayor start\)$", Ok("status").Out);
    }

    [Fact]
    public void The_deacon_restarts_a_mayor_whose_program_ended_then_gives_up_and_leaves_a_stopped_one_alone()
    {
        // A mayor program that ends at once.
        Directory.CreateDirectory(Path.Combine(_ws.Root, ".orc", "profiles"));
        File.WriteAllText(Path.Combine(_ws.Root, ".orc", "profiles", "quitter.yaml"),
            "name: quitter\ncommand: sh\nargs: [-c, 'echo bye; exit 3']\nprompt: none\n");
        Ok("config", "set", "mayor.grace", "0");
        Ok("mayor", "start", "--profile", "quitter");
        bool Dead() { using var tmux = Tmux; return tmux.FindWindow("orc", "mayor") is { PaneDead: true }; }
        for (var i = 1; i <= 3; i++)
        {
            RigFixture.Eventually(Dead, () => "the mayor's program did not end");
            Assert.Contains("mayor: dead, restarted", Ok("deacon", "run", "--once", "--no-supervise").Out);
        }
        RigFixture.Eventually(Dead, () => "the mayor's program did not end");
        Assert.Contains("mayor: dead, gave up", Ok("deacon", "run", "--once", "--no-supervise").Out);
        Assert.Single(Inbox("overseer"), m => m.GetProperty("subject").GetString() == "gave up restarting the mayor");
        Assert.DoesNotContain("mayor:", Ok("deacon", "run", "--once", "--no-supervise").Out); // told once, left as it is
        Assert.Contains("gave up", Ok("feed", "--source", "deacon").Out);

        // A mayor a person stopped is not started again.
        Ok("mayor", "stop");
        Assert.DoesNotContain("mayor:", Ok("deacon", "run", "--once", "--no-supervise").Out);
        Assert.Equal(0, MayorWindows());
    }

    [Fact]
    public void The_deacon_reports_a_mayor_on_a_screen_that_stops_changing_once_to_the_overseer()
    {
        Directory.CreateDirectory(Path.Combine(_ws.Root, ".orc", "profiles"));
        File.WriteAllText(Path.Combine(_ws.Root, ".orc", "profiles", "asker.yaml"),
            "name: asker\ncommand: sh\nargs: [-c, 'printf \"Pick a colour theme:\\n  1. Dark\\n\"; exec sleep 600']\nprompt: none\n");
        Ok("config", "set", "mayor.grace", "0");
        Ok("config", "set", "mayor.stuck_after", "10");
        Ok("mayor", "start", "--profile", "asker");
        RigFixture.Eventually(() => Ok("mayor", "status").Out.Contains("mayor: stuck"), () => Ok("mayor", "status").Out, 40);
        Assert.Contains("mayor: stuck, flagged", Ok("deacon", "run", "--once", "--no-supervise").Out);
        var told = Inbox("overseer").Where(m => m.GetProperty("subject").GetString()!.StartsWith("mayor has shown no change for",
            StringComparison.Ordinal)).ToList();
        Assert.Single(told);
        // not mailed to itself
        Assert.DoesNotContain(Inbox("mayor"), m => m.GetProperty("subject").GetString()!.StartsWith("mayor ", StringComparison.Ordinal));
        Assert.DoesNotContain("mayor: stuck, flagged", Ok("deacon", "run", "--once", "--no-supervise").Out); // once per episode
    }
}
