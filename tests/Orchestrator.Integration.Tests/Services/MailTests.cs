using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Adapters.Storage;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Core.Agents;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// Mail in a real workspace: messages are files committed to the workspace repository; several
/// real orc processes send at once; live sim agents in a real tmux server are told about their
/// mail when idle and left alone while busy.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class MailTests : IDisposable
{
    private readonly FleetFixture _fleet = new();
    private readonly TempWorkspace _ws;
    private readonly string _socket;

    public MailTests()
    {
        _ws = _fleet.Ws;
        _socket = _fleet.Socket;
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

    private CliResult OkAs(string agent, params string[] args)
    {
        var r = _ws.OrcAs(agent, args);
        Assert.True(r.ExitCode == 0, $"{agent}: {string.Join(' ', args)}: {r}");
        return r;
    }

    private JsonElement[] Inbox(string? asBox = null, params string[] extra) =>
        JsonDocument.Parse(Ok(["mail", "inbox", "--json", .. asBox is null ? Array.Empty<string>() : ["--as", asBox],
            .. extra]).Out).RootElement.EnumerateArray().ToArray();

    private int MailFiles() => Directory.Exists(Path.Combine(_ws.Root, "mail"))
        ? Directory.EnumerateFiles(Path.Combine(_ws.Root, "mail"), "m-*.json", SearchOption.AllDirectories).Count() : 0;

    /// <summary>True when nothing under mail/ is left uncommitted (the tests write hooks by hand, uncommitted).</summary>
    private bool MailCommitted()
    {
        using var repo = new LibGit2Sharp.Repository(_ws.Root);
        return !repo.RetrieveStatus(new LibGit2Sharp.StatusOptions()).Any(e => e.FilePath.StartsWith("mail/",
            StringComparison.Ordinal) && e.State != LibGit2Sharp.FileStatus.Ignored);
    }

    /// <summary>A hook on disk, as sling leaves it, for an agent that is not running.</summary>
    private void Hook(string agent, string role = Roles.Polecat, string rig = "app") =>
        new RecordStore<Hook>(Path.Combine(_ws.Root, "agents"), OrcJsonContext.Default.Hook).Write(agent, new Hook
        {
            Agent = agent, Rig = rig, Role = role, Item = null, Branch = "b", Worktree = Path.Combine(_ws.Root, "worktrees", rig, agent),
            BaseCommit = "0000000000000000000000000000000000000000", Profile = "sim", State = HookStates.Active, CreatedAt = "2026-11-23T00:00:00Z",
        });

    [Fact]
    public void Send_inbox_read_reply_and_archive_are_each_committed()
    {
        Hook("nux");
        var before = _ws.CommitCount();
        var sent = JsonDocument.Parse(Ok("mail", "send", "nux", "Please rebase", "--body", "main moved; rebase before done", "--json").Out).RootElement[0];
        var id = sent.GetProperty("id").GetString()!;
        Assert.Equal("not running", sent.GetProperty("delivery").GetString());
        Assert.Equal("overseer", sent.GetProperty("from").GetString());
        Assert.Equal(before + 1, _ws.CommitCount());
        Assert.True(MailCommitted());

        var inbox = Inbox("nux");
        Assert.Equal(id, Assert.Single(inbox).GetProperty("id").GetString());
        Assert.False(inbox[0].GetProperty("read").GetBoolean());
        Assert.Contains("* " + id, OkAs("nux", "mail", "inbox").Out);
        Assert.Contains("Please rebase", OkAs("nux", "prime").Out);

        var read = OkAs("nux", "mail", "read", id).Out;
        Assert.Contains("main moved; rebase before done", read);
        Assert.True(Inbox("nux")[0].GetProperty("read").GetBoolean());
        Assert.Contains("No unread mail", OkAs("nux", "prime").Out);

        var reply = JsonDocument.Parse(OkAs("nux", "mail", "reply", id, "done, rebased", "--json").Out).RootElement[0];
        Assert.Equal("overseer", reply.GetProperty("box").GetString());
        Assert.Equal("Re: Please rebase", reply.GetProperty("subject").GetString());
        Assert.Equal(id, reply.GetProperty("reply_to").GetString());
        Assert.Equal(id, reply.GetProperty("thread").GetString());
        Assert.Equal("nux", reply.GetProperty("from").GetString());

        OkAs("nux", "mail", "archive", id);
        Assert.Empty(Inbox("nux"));
        Assert.Equal(id, Assert.Single(Inbox("nux", "--archived")).GetProperty("id").GetString());
        Assert.True(File.Exists(Path.Combine(_ws.Root, "mail", "nux", "archive", id + ".json")));
        Assert.True(MailCommitted());
    }

    [Fact]
    public void Addresses_reach_roles_all_agents_of_a_rig_and_a_comma_list()
    {
        Hook("nux");
        Hook("ace");
        Hook("max", Roles.Crew);
        var r = JsonDocument.Parse(Ok("mail", "send", "all@app,refinery@app,mayor", "Freeze", "--json").Out).RootElement.EnumerateArray().ToArray();
        Assert.Equal(["ace", "max", "mayor", "nux", "refinery@app"], r.Select(m => m.GetProperty("box").GetString()).Order(StringComparer.Ordinal));
        Assert.Single(r.Select(m => m.GetProperty("thread").GetString()).Distinct());
        Assert.Single(Inbox("refinery@app"));
        Assert.Single(Inbox("mayor"));
        var polecats = JsonDocument.Parse(Ok("mail", "send", "polecats@app", "Only polecats",
            "--json").Out).RootElement.EnumerateArray().Select(m => m.GetProperty("box").GetString()).Order().ToArray();
        Assert.Equal(["ace", "nux"], polecats);
    }

    [Fact]
    public void Bad_mail_is_refused_with_a_clear_message_and_nothing_stored()
    {
        Hook("nux");
        Ok("mail", "send", "overseer", "kept");
        var files = MailFiles();
        var commits = _ws.CommitCount();
        void Refused(int code, string expected, params string[] args)
        {
            var r = _ws.Orc(args);
            Assert.True(r.ExitCode == code, string.Join(' ', args) + ": " + r);
            Assert.Contains(expected, r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
        }
        Refused(3, "no agent 'ghost'", "mail", "send", "ghost", "hi");
        Refused(3, "no agent 'ghost'", "mail", "send", "nux,ghost", "hi"); // one bad address: nobody gets it
        Refused(2, "the subject is empty", "mail", "send", "nux", "");
        Refused(2, "control characters", "mail", "send", "nux", "title\u001b[2J");
        Refused(3, "no rig 'web'", "mail", "send", "refinery@web", "hi");
        Refused(2, "not a role", "mail", "send", "boss@app", "hi");
        Refused(3, "names nobody", "mail", "send", "crew@app", "hi");
        Refused(2, "not an address", "mail", "send", "../../etc", "hi");
        Refused(2, "not a message id", "mail", "read", "../x");
        Refused(3, "no message m-zzzzzz", "mail", "read", "m-zzzzzz");
        Refused(2, "not a mailbox", "mail", "inbox", "--as", "all@app");
        Assert.Equal(files, MailFiles());
        Assert.Equal(commits, _ws.CommitCount());
        Assert.True(MailCommitted());
    }

    [Fact]
    public void Shell_text_is_kept_as_data_and_escape_sequences_are_refused()
    {
        const string body = "run $(rm -rf ~) `id`; echo $HOME | tee /tmp/x; 'quoted' \"double\"\nsecond line\ttab";
        var id = JsonDocument.Parse(_ws.OrcWithInput(body, "mail", "send", "overseer", "a $(subject) `x` ; rm -rf /", "-",
            "--json").Out).RootElement[0].GetProperty("id").GetString()!;
        var stored = JsonDocument.Parse(File.ReadAllText(Path.Combine(_ws.Root, "mail", "overseer", id + ".json"))).RootElement;
        Assert.Equal(body, stored.GetProperty("body").GetString());
        Assert.Equal("a $(subject) `x` ; rm -rf /", stored.GetProperty("subject").GetString());
        Assert.Contains("$(rm -rf ~)", Ok("mail", "read", id).Out);
        Assert.Equal(body, JsonDocument.Parse(Ok("mail", "read", id, "--json").Out).RootElement.GetProperty("body").GetString());

        // Terminal escape sequences (an OSC 52 clipboard write, a screen clear) never get in.
        var files = MailFiles();
        var r = _ws.OrcWithInput("copy \u001b]52;c;cm0gLXJmIC8=\u0007 and \u001b[2J", "mail", "send", "overseer", "hi", "-");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("mail body", r.Err);
        Assert.DoesNotContain('\u001b', r.Err);
        Assert.Equal(files, MailFiles());
    }

    [Fact]
    public void Several_orc_processes_sending_at_once_lose_nothing()
    {
        const int processes = 4, each = 6;
        var started = Enumerable.Range(0, processes).Select(p =>
        {
            var script = string.Join(" && ", Enumerable.Range(0, each).Select(i => $"{OrcProcess.ShellCommand} mail send overseer 'p{p} m{i}' --as mayor"));
            var psi = new ProcessStartInfo("/bin/sh", ["-c", script]) { WorkingDirectory = _ws.Root, RedirectStandardOutput = true,
                RedirectStandardError = true };
            psi.Environment["ORC_WORKSPACE"] = _ws.Root;
            psi.Environment["ORC_TMUX_SOCKET"] = _socket;
            return Process.Start(psi)!;
        }).ToList();
        foreach (var p in started)
        {
            // Nothing the senders print is large: read stdout, then stderr, without deadlock.
            p.StandardOutput.ReadToEnd();
            var err = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "a sender hung");
            Assert.True(p.ExitCode == 0, err);
        }
        var inbox = Inbox();
        Assert.Equal(processes * each, inbox.Length);
        Assert.Equal(processes * each, inbox.Select(m => m.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, processes).SelectMany(p => Enumerable.Range(0, each).Select(i => $"p{p} m{i}")).Order(),
            inbox.Select(m => m.GetProperty("subject").GetString()!).Order());
        Assert.True(MailCommitted(), "every message is committed");
    }

    // ---- live agents ----

    private string Sling(string item) => JsonDocument.Parse(Ok("sling", item, "--json").Out).RootElement.GetProperty("agent").GetString()!;

    private string Peek(string agent) => _ws.Orc("peek", agent, "-n", "40").Out;

    [Fact]
    public void An_idle_agent_is_told_to_read_its_mail_and_a_busy_one_is_not_interrupted()
    {
        TmuxServer.CheckVersion();
        var idle = Sling(_ws.Create("Wait at the prompt", "--prefix", "app", "-l", "sim:idle"));
        var busy = Sling(_ws.Create("Busy first", "--prefix", "app", "-l", "sim:idle", "-l", "sim:busy=8"));
        RigFixture.Eventually(() => Peek(idle).Contains("sim: idle at the prompt"), () => "the idle agent never reached its prompt:\n" + Peek(idle));
        RigFixture.Eventually(() => Peek(busy).Contains("busy for 8s"), () => "the busy agent never started:\n" + Peek(busy));

        // Idle: told at once; it reads the message.
        var toIdle = JsonDocument.Parse(Ok("mail", "send", idle, "Hello idle", "--json").Out).RootElement[0];
        Assert.Equal("nudged", toIdle.GetProperty("delivery").GetString());
        RigFixture.Eventually(() => Peek(idle).Contains("read mail " + toIdle.GetProperty("id").GetString()),
            () => "the idle agent did not read its mail:\n" + Peek(idle));
        Assert.True(Inbox(idle)[0].GetProperty("read").GetBoolean());

        // Busy: not interrupted; the nudge is queued and nothing is typed into its pane.
        var toBusy = JsonDocument.Parse(Ok("mail", "send", busy, "Hello busy", "--wait", "0", "--json").Out).RootElement[0];
        Assert.Equal("queued", toBusy.GetProperty("delivery").GetString());
        Assert.True(File.Exists(Path.Combine(_ws.Root, ".orc", "run", "nudges", busy + ".json")));
        Assert.DoesNotContain("mail", Peek(busy));
        Assert.Contains("no agent was told", Ok("mail", "deliver").Out); // still busy

        // Once it is idle, the witness's delivery (here by hand) tells it.
        RigFixture.Eventually(() => Peek(busy).Contains("sim: idle at the prompt"), () => "the busy agent never became idle:\n" + Peek(busy), 60);
        Assert.Contains("told " + busy, Ok("mail", "deliver").Out);
        RigFixture.Eventually(() => Peek(busy).Contains("read mail " + toBusy.GetProperty("id").GetString()),
            () => "the busy agent did not read its mail once idle:\n" + Peek(busy));
        Assert.False(File.Exists(Path.Combine(_ws.Root, ".orc", "run", "nudges", busy + ".json")));
    }
}
