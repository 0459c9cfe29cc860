using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>
/// Crew: persistent workers with a worktree of their own. Real git, a private tmux server per
/// test, the sim agent as a real child process in the crew member's window; the refinery, the
/// deacon and 'orc cleanup' run as the user would run them.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class CrewTests : IDisposable
{
    private readonly FleetFixture _fleet = new(grace: 0);
    private readonly TempWorkspace _ws;
    private readonly string _socket;

    public CrewTests()
    {
        _ws = _fleet.Ws;
        _socket = _fleet.Socket;
    }

    public void Dispose()
    {
        _fleet.Dispose();
    }

    private TmuxServer Tmux => new(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks"));

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private CliResult Refused(int code, string expected, params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == code, string.Join(' ', args) + ": " + r);
        Assert.Contains(expected, r.Err);
        Assert.Single(r.Err.Trim().Split('\n')); // one clear line
        return r;
    }

    private string Item(string title, params string[] extra) => _ws.Create(title, ["--prefix", "app", .. extra]);

    private JsonElement Crew(string name) =>
        JsonDocument.Parse(Ok("crew", "list", "--json").Out).RootElement.EnumerateArray().Single(a => a.GetProperty("agent").GetString() == name);

    private string? MqState(string item)
    {
        var r = _ws.Orc("mq", "show", item, "--json");
        return r.ExitCode == 0 ? JsonDocument.Parse(r.Out).RootElement.GetProperty("state").GetString() : null;
    }

    private string Status(string item) =>
        JsonDocument.Parse(Ok("item", "show", item, "--json").Out).RootElement.EnumerateArray().Single().GetProperty("status").GetString()!;

    [Fact]
    public void A_crew_member_keeps_its_worktree_across_two_items_and_each_lands()
    {
        Assert.Contains("added crew member ada on rig app (sim)", Ok("crew", "add", "ada", "--rig", "app", "--profile", "sim").Out);
        var worktree = Crew("ada").GetProperty("worktree").GetString()!;
        Assert.Equal(Path.Combine(_ws.Root, "worktrees", "app", "ada"), worktree);
        Assert.Equal("crew/ada/home", RigRepositoryBranch(worktree));
        Assert.Equal("idle", Crew("ada").GetProperty("hook_state").GetString());
        Assert.Contains("crew add ada", _ws.Head().MessageShort);
        Committed("agents/ada.json", "events/events.jsonl");

        // Item 1: slung to the crew member; the sim agent starts in its window, works, and submits.
        var first = Item("First crew task");
        Assert.Contains($"slung {first} to ada on rig app (sim); branch crew/ada/{first}", Ok("sling", first, "--crew", "ada").Out);
        Assert.Equal($"crew/ada/{first}", RigRepositoryBranch(worktree));
        RigFixture.Eventually(() => MqState(first) == "queued", () => $"ada did not submit {first}: {Ok("peek", "ada").Out}");

        // While it holds work (or its work waits in the queue) it takes no other item.
        var extra = Item("Not now");
        var refused = _ws.Orc("sling", extra, "--crew", "ada");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("crew ada has " + first + " in the merge queue of app (queued); the next item waits until it lands", refused.Err);
        Assert.Equal("open", Status(extra));

        Assert.Contains($"{first}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal("closed", Status(first));
        Assert.Equal("idle", Crew("ada").GetProperty("hook_state").GetString());
        Assert.False(Crew("ada").TryGetProperty("item", out _));

        // Nothing that cleans up after landed work touches a crew member's worktree.
        Ok("deacon", "run", "--once", "--no-supervise");
        Assert.Contains("nothing to clean up", Ok("cleanup").Out);
        Assert.True(Directory.Exists(worktree));
        Assert.True(File.Exists(Path.Combine(worktree, "notes", first + ".md")));
        Assert.Equal("idle", Crew("ada").GetProperty("hook_state").GetString());

        // Item 2 (named with --agent, which resolves to the crew member): a fresh branch from main, in the same worktree.
        var second = Item("Second crew task");
        Assert.Contains($"slung {second} to ada on rig app (sim); branch crew/ada/{second}", Ok("sling", second, "--agent", "ada").Out);
        Assert.Equal(worktree, Crew("ada").GetProperty("worktree").GetString());
        Assert.Equal($"crew/ada/{second}", RigRepositoryBranch(worktree));
        RigFixture.Eventually(() => MqState(second) == "queued", () => $"ada did not submit {second}: {Ok("peek", "ada").Out}");
        Assert.Contains($"{second}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal("closed", Status(second));
        Assert.True(Directory.Exists(worktree));
        Assert.Equal("idle", Crew("ada").GetProperty("hook_state").GetString());

        // One commit per item on main, each made in the crew member's worktree.
        using var repo = new Repository(Path.Combine(_ws.Root, "rigs", "app"));
        var main = repo.Branches[repo.Head.FriendlyName].Tip;
        var log = repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = main }).ToList();
        Assert.Equal(3, log.Count);
        Assert.Single(log, c => c.Message.Contains("Orc-Item: " + first, StringComparison.Ordinal));
        Assert.Single(log, c => c.Message.Contains("Orc-Item: " + second, StringComparison.Ordinal));
        Assert.NotNull(main["notes/" + first + ".md"]);
        Assert.NotNull(main["notes/" + second + ".md"]);
        Assert.Null(repo.Branches["ada"]); // no stray branch named after the worktree
        // The second branch started from a main that already had the first item.
        Assert.Equal(log.Single(c => c.Message.Contains("Orc-Item: " + first, StringComparison.Ordinal)).Sha,
            repo.Lookup<Commit>(JsonDocument.Parse(Ok("mq", "show", second, "--json").Out).RootElement.GetProperty("base_commit").GetString()!).Sha);

        // Its window is still there (a persistent worker), idle at its prompt; its prime says it is crew.
        RigFixture.Eventually(() => Crew("ada").GetProperty("state").GetString() == "idle", () => Ok("peek", "ada").Out);
        var idlePrime = _ws.OrcAs("ada", "prime").Out;
        Assert.Contains("## You are crew", idlePrime);
        Assert.DoesNotContain("orc done", idlePrime); // no item: nothing to submit, no empty item ids
        Assert.DoesNotContain("\": what changed", idlePrime);
        Assert.Equal(1, Tmux.ListWindows().Count(w => w.Session == "app" && w.Window == "ada"));
    }

    [Fact]
    public void Crew_remove_refuses_a_dirty_worktree_naming_the_files_and_a_running_or_busy_member()
    {
        Ok("crew", "add", "bob", "--rig", "app", "--profile", "sim");
        var worktree = Crew("bob").GetProperty("worktree").GetString()!;

        // Running: stop it first.
        Assert.Contains("started bob on rig app (sim)", Ok("crew", "start", "bob").Out);
        Assert.Contains("bob is already running", Ok("crew", "start", "bob").Out);
        Assert.Equal(1, Tmux.ListWindows().Count(w => w.Session == "app" && w.Window == "bob"));
        RigFixture.Eventually(() => Crew("bob").GetProperty("state").GetString() == "idle", () => Ok("peek", "bob").Out);
        Refused(1, "crew bob is running; stop it first ('orc crew stop bob')", "crew", "remove", "bob");
        Assert.Contains("stopped bob", Ok("crew", "stop", "bob").Out);
        Assert.Equal("stopped", Crew("bob").GetProperty("state").GetString());
        Assert.Contains("bob was not running", Ok("crew", "stop", "bob").Out);
        Refused(1, "crew bob is not running (start it with 'orc crew start bob')", "crew", "attach", "bob");

        // Dirty: refused, every changed file named, nothing removed or committed.
        File.WriteAllText(Path.Combine(worktree, "scratch.txt"), "mine\n");
        File.AppendAllText(Path.Combine(worktree, "README.md"), "edited\n");
        var item = Item("Would clobber");
        var commits = _ws.CommitCount();
        var r = Refused(1, $"crew bob not removed: uncommitted changes in {worktree}:", "crew", "remove", "bob");
        Assert.Contains("scratch.txt", r.Err);
        Assert.Contains("README.md", r.Err);
        // New work is refused too, the files named; the item stays open.
        Assert.Contains("scratch.txt", Refused(1, "crew bob has uncommitted changes in", "sling", item, "--crew", "bob").Err);
        Assert.Equal("open", Status(item));
        Assert.Equal($"crew/bob/home", RigRepositoryBranch(worktree));
        Assert.True(File.Exists(Path.Combine(worktree, "scratch.txt")));
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(worktree, "scratch.txt")));
        Assert.Equal(commits, _ws.CommitCount());
        Assert.Equal("idle", Crew("bob").GetProperty("hook_state").GetString());

        // Clean again: removed, its worktree and resting branch gone, recorded.
        File.Delete(Path.Combine(worktree, "scratch.txt"));
        File.WriteAllText(Path.Combine(worktree, "README.md"), "app\n");
        Assert.Contains("removed crew member bob", Ok("crew", "remove", "bob").Out);
        Assert.False(Directory.Exists(worktree));
        Assert.Equal(0, JsonDocument.Parse(Ok("crew", "list", "--json").Out).RootElement.GetArrayLength());
        using (var repo = new Repository(Path.Combine(_ws.Root, "rigs", "app")))
        {
            Assert.Null(repo.Branches["crew/bob/home"]);
            Assert.Empty(repo.Worktrees);
        }
        Assert.Contains("crew remove bob", _ws.Head().MessageShort);
        Committed("agents/bob.json", "events/events.jsonl"); // the archived hook and the event, committed together
        // The name can be used again; the rig cannot go while it has crew.
        Ok("crew", "add", "bob", "--rig", "app", "--profile", "sim");
        Assert.True(Directory.Exists(worktree));
        Refused(1, "rig app has crew: bob; remove them first", "rig", "remove", "app");
    }

    [Fact]
    public void A_crew_member_holding_work_is_not_removed_and_release_frees_it()
    {
        Ok("crew", "add", "cy", "--rig", "app", "--profile", "sim");
        var item = Item("Asks first", "-l", "sim:ask");
        Ok("sling", item, "--crew", "cy");
        RigFixture.Eventually(() => Crew("cy").GetProperty("state").GetString() == "waiting", () => Ok("peek", "cy").Out);
        Refused(1, $"crew cy holds {item} (hook active); let it finish ('orc done') or release it first ('orc crew release cy')", "crew", "remove", "cy");
        var other = Item("Another");
        Refused(1, $"crew cy holds {item} (hook active); one item at a time", "sling", other, "--crew", "cy");

        Ok("crew", "stop", "cy");
        Assert.Equal("suspended", Crew("cy").GetProperty("hook_state").GetString());
        Assert.Contains($"released cy from {item}; it is idle", Ok("crew", "release", "cy").Out);
        Assert.Equal("open", Status(item));
        Assert.Equal("idle", Crew("cy").GetProperty("hook_state").GetString());
        Assert.Contains("cy holds no item", Ok("crew", "release", "cy").Out);
        Assert.Contains("removed crew member cy", Ok("crew", "remove", "cy").Out);
    }

    [Fact]
    public async Task Two_slings_to_one_crew_member_at_once_give_it_one_item()
    {
        Ok("crew", "add", "ada", "--rig", "app", "--profile", "sim");
        var worktree = Crew("ada").GetProperty("worktree").GetString()!;
        string[] items = [Item("One", "-l", "sim:ask"), Item("Two", "-l", "sim:ask")]; // each waits for an answer, holding its item
        var env = new Dictionary<string, string> { ["ORC_TMUX_SOCKET"] = _socket, ["HOME"] = _ws.Root };
        var runs = await Task.WhenAll(items.Select(i => Task.Run(() => OrcProcess.Run(_ws.Root, ["sling", i, "--crew", "ada"], env),
            TestContext.Current.CancellationToken)));

        Assert.True(runs.Count(r => r.ExitCode == 0) == 1, string.Join("\n", runs.Select(r => r.ToString())));
        var won = items[Array.FindIndex(runs, r => r.ExitCode == 0)];
        var lost = items.Single(i => i != won);
        Assert.Contains($"crew ada holds {won}", runs.Single(r => r.ExitCode != 0).Err);
        Assert.Equal(won, Crew("ada").GetProperty("item").GetString());
        Assert.Equal($"crew/ada/{won}", RigRepositoryBranch(worktree));
        Assert.Equal("hooked", Status(won));
        Assert.Equal("open", Status(lost));
        using var repo = new Repository(Path.Combine(_ws.Root, "rigs", "app"));
        Assert.Null(repo.Branches[$"crew/ada/{lost}"]);
        RigFixture.Eventually(() => Crew("ada").GetProperty("state").GetString() == "waiting", () => Ok("peek", "ada").Out);
    }

    [Fact]
    public void Bad_and_unknown_crew_names_are_refused_with_a_clear_error_and_nothing_stored()
    {
        Ok("crew", "add", "ada", "--rig", "app", "--profile", "sim");
        var item = Item("Task");
        var commits = _ws.CommitCount();
        foreach (var bad in new[] { "../x", "a:b", "A", "x/y" })
        {
            foreach (var verb in new[] { "start", "stop", "attach", "release", "remove" })
                Refused(2, $"NAME: '{bad}' is not a valid name", "crew", verb, bad);
            Refused(2, $"NAME: '{bad}' is not a valid name", "crew", "add", bad, "--rig", "app");
            Refused(2, $"'{bad}' is not a valid name", "sling", item, "--crew", bad);
        }
        // A leading '-' is never a name (nor an option).
        foreach (var verb in new[] { "start", "remove", "attach" })
        {
            var r = _ws.Orc("crew", verb, "-x");
            Assert.True(r.ExitCode == 2, r.ToString());
            Assert.Contains("-x", r.Err);
        }
        foreach (var verb in new[] { "start", "stop", "attach", "release", "remove" })
            Refused(3, "no crew member 'ghost' (crew: ada; add one with 'orc crew add ghost --rig RIG')", "crew", verb, "ghost");
        Refused(3, "no crew member 'ghost'", "sling", item, "--crew", "ghost");
        Refused(2, "NAME: 'mayor' is reserved", "crew", "add", "mayor", "--rig", "app");
        Refused(2, "NAME: 'overseer' is reserved", "crew", "add", "overseer", "--rig", "app");
        Refused(2, "--agent: 'mayor' is reserved", "sling", item, "--agent", "mayor");
        Refused(1, "crew ada exists already (rig app", "crew", "add", "ada", "--rig", "app");
        Refused(3, "no rig 'nope'", "crew", "add", "bob", "--rig", "nope");
        Refused(3, "no agent profile 'nope'", "crew", "add", "bob", "--rig", "app", "--profile", "nope");
        Refused(2, "--rig web: crew ada works on rig app", "sling", item, "--crew", "ada", "--rig", "web");
        Refused(2, "--profile claude: crew ada runs profile sim", "sling", item, "--crew", "ada", "--profile", "claude");
        Refused(2, "--crew and --agent both name the agent", "sling", item, "--crew", "ada", "--agent", "ada");
        var missing = _ws.Orc("crew", "add", "bob");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--rig", missing.Err);

        // Nothing was stored: no commit, no worktree, the item untouched.
        Assert.Equal(commits, _ws.CommitCount());
        Assert.Equal(["ada"], Directory.GetDirectories(Path.Combine(_ws.Root, "worktrees", "app")).Select(Path.GetFileName));
        Assert.Equal("open", Status(item));
        Committed("agents/ada.json", "ledger/issues.jsonl", "events/events.jsonl");
        Assert.False(File.Exists(Path.Combine(_ws.Root, "agents", "mayor.json")));
    }

    /// <summary>Each path is in the workspace's last commit as it is on disk (the test's own edit of the rig settings aside).</summary>
    private void Committed(params string[] paths)
    {
        using var repo = new Repository(_ws.Root);
        foreach (var p in paths) Assert.True(repo.RetrieveStatus(p) == FileStatus.Unaltered, $"{p}: {repo.RetrieveStatus(p)}");
    }

    private static string RigRepositoryBranch(string worktree)
    {
        using var repo = new Repository(worktree);
        return repo.Head.FriendlyName;
    }
}
