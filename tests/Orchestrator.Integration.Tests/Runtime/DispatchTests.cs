using System.Text.Json;
using Orchestrator.Core;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>
/// Giving work out, taking it back and finishing it, with real processes, real git and a real
/// tmux server: slings run by several orc processes at once (N items give N agents, one item one
/// agent and clear refusals, max_polecats holds, a failed sling removes only what it made), the
/// ways to end work (done --status, unsling), and finished or stopped work that stays so.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class DispatchTests : IDisposable
{
    private readonly FleetFixture _f = new();

    public void Dispose() => _f.Dispose();

    /// <summary>Runs 'orc sling ID --json' for each id, all at once, each its own process.</summary>
    private List<CliResult> SlingAtOnce(IEnumerable<string> ids, params string[] extra)
    {
        using var go = new ManualResetEventSlim();
        var tasks = ids.Select(id => Task.Run(() => { go.Wait(); return _f.Process(["sling", id, "--json", .. extra], 120); })).ToList();
        Thread.Sleep(100);
        go.Set();
        return tasks.Select(t => t.Result).ToList();
    }

    private static string AgentOf(CliResult r) => JsonDocument.Parse(r.Out).RootElement.GetProperty("agent").GetString()!;

    private void AssertWorking(string agent, string item)
    {
        var a = _f.Agent(agent);
        Assert.Equal(item, a.GetProperty("item").GetString());
        var worktree = a.GetProperty("worktree").GetString()!;
        Assert.True(Directory.Exists(worktree), $"{agent}'s worktree {worktree} is gone");
        Assert.True(_f.Tmux.FindWindow("app", agent) is { PaneDead: false }, $"{agent}'s window is not running");
        var i = JsonDocument.Parse(_f.Ok("item", "show", item, "--json").Out).RootElement[0];
        Assert.Equal(("hooked", agent), (i.GetProperty("status").GetString(), i.GetProperty("assignee").GetString()));
    }

    [Fact]
    public void Four_items_slung_at_once_give_four_working_agents_with_their_own_worktrees()
    {
        var ids = Enumerable.Range(1, 4).Select(i => _f.Item($"part {i}", "-l", "sim:hang")).ToList();
        var results = SlingAtOnce(ids);
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var agents = results.Select(AgentOf).ToList();
        Assert.Equal(4, agents.Distinct().Count());
        for (var i = 0; i < 4; i++) AssertWorking(agents[i], ids[i]);
    }

    [Fact]
    public void One_item_slung_five_times_at_once_gives_one_agent_and_four_clear_refusals_that_touch_nothing()
    {
        var id = _f.Item("contested", "-l", "sim:hang");
        var results = SlingAtOnce(Enumerable.Repeat(id, 5));
        var won = Assert.Single(results, r => r.ExitCode == 0);
        foreach (var lost in results.Where(r => r.ExitCode != 0))
        {
            Assert.Equal(1, lost.ExitCode);
            Assert.Matches($"^orc: error: {id} (was just hooked|is already hooked) by ", lost.Err.Trim());
        }
        var agent = AgentOf(won);
        AssertWorking(agent, id);
        Assert.Single(_f.Agents());
    }

    [Fact]
    public void Max_polecats_holds_when_slings_race()
    {
        _f.Ok("rig", "set", "app", "max_polecats", "2");
        var ids = Enumerable.Range(1, 5).Select(i => _f.Item($"part {i}", "-l", "sim:hang")).ToList();
        var results = SlingAtOnce(ids, "--no-queue");
        // Every answer in the message: once (CI, NativeAOT) only one sling won, and why the others lost matters.
        var said = string.Join("\n", results.Select(r => $"exit {r.ExitCode}: {r.Out.Trim()} {r.Err.Trim()}"));
        Assert.True(results.Count(r => r.ExitCode == 0) == 2, said);
        Assert.All(results.Where(r => r.ExitCode != 0), r => Assert.True(r.Err.Contains("max_polecats 2"), said));
        Assert.Equal(2, _f.Agents().Count);
        Assert.Equal(3, JsonDocument.Parse(_f.Ok("item", "list", "--status", "open", "--json").Out).RootElement.GetArrayLength());
    }

    [Fact]
    public void Leftovers_under_the_next_free_name_are_stepped_around_and_left_alone()
    {
        // A failed sling of an older orc left a branch named after the first free name, and someone's
        // folder sits where the second name's worktree would go.
        using (var repo = new LibGit2Sharp.Repository(_f.RigDir)) repo.Branches.Add("nux", repo.Head.Tip);
        var folder = Path.Combine(_f.Root, "worktrees", "app", "ace");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine\n");
        var agent = _f.Sling(_f.Item("after the leftovers", "-l", "sim:hang"));
        Assert.Equal("toast", agent);
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(folder, "notes.txt")));
        using (var repo = new LibGit2Sharp.Repository(_f.RigDir)) Assert.NotNull(repo.Branches["nux"]);
        // Naming one of them on purpose is refused, and still touches nothing.
        var r = _f.Ws.Orc("sling", _f.Item("named", "-l", "sim:hang"), "--agent", "ace");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("already exists and no hook points at it", r.Err);
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(folder, "notes.txt")));
    }

    [Fact]
    public void Orc_kill_is_remembered_by_orc_up_and_a_closed_item_is_never_resumed()
    {
        var killed = _f.Sling(_f.Item("stopped on purpose", "-l", "sim:hang"));
        var closedId = _f.Item("closed by hand", "-l", "sim:hang");
        var closedAgent = _f.Sling(closedId);
        _f.Ok("kill", killed);
        _f.Ok("kill", closedAgent);
        _f.Ok("item", "close", closedId, "--reason", "done elsewhere");
        var up = _f.Ok("up", "--no-services").Out;
        Assert.Contains($"left stopped: {killed}: stopped with 'orc kill'", up);
        Assert.Contains($"left stopped: {closedAgent}: stopped with 'orc kill'", up);
        Assert.True(_f.Tmux.FindWindow("app", killed) is null or { PaneDead: true });
        // Resuming by name starts the killed one; the one whose item is closed is refused.
        _f.Ok("resume", killed);
        Assert.True(_f.Tmux.FindWindow("app", killed) is { PaneDead: false });
        var refused = _f.Ws.Orc("resume", closedAgent);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"its item {closedId} is closed", refused.Err);
    }

    [Fact]
    public void The_witness_ends_the_hook_of_an_item_closed_under_a_dead_agent_instead_of_restarting_it()
    {
        var id = _f.Item("closed while its agent died", "-l", "sim:hang");
        var agent = _f.Sling(id);
        _f.Ok("item", "close", id, "--reason", "not needed");
        _f.Tmux.KillWindow("app", agent); // died without a word: the hook is still active
        var pass = _f.Ok("witness", "run", "app", "--once").Out;
        Assert.DoesNotContain("restarted", pass);
        Assert.Equal("done", _f.State(agent));
        Assert.True(_f.Tmux.FindWindow("app", agent) is null);
        Assert.Equal("closed", JsonDocument.Parse(_f.Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString());
    }

    private JsonElement ItemJson(string id) => JsonDocument.Parse(_f.Ok("item", "show", id, "--json").Out).RootElement[0];

    [Fact]
    public void An_agent_can_finish_with_no_changes_deferred_or_escalated_and_each_says_why()
    {
        var nothing = _f.Item("already fixed upstream", "-l", "sim:hang");
        var later = _f.Item("needs the new API first", "-l", "sim:hang");
        var stuck = _f.Item("which licence?", "-l", "sim:hang");
        var (a1, a2, a3) = (_f.Sling(nothing), _f.Sling(later), _f.Sling(stuck));

        Assert.Equal(2, _f.Ws.Orc("done", "--agent", a1, "--status", "no-changes").ExitCode); // a reason is required
        _f.Ok("done", "--agent", a1, "--status", "no-changes", "--note", "fixed by app-123 already");
        Assert.Equal("closed", ItemJson(nothing).GetProperty("status").GetString());
        Assert.Equal("completed", _f.Agent(a1).GetProperty("hook_state").GetString());

        _f.Ok("done", "--agent", a2, "--status", "deferred", "--note", "waits for the v2 API");
        Assert.Equal(("deferred", false), (ItemJson(later).GetProperty("status").GetString(), ItemJson(later).TryGetProperty("assignee",
            out var who) && who.GetString() is { Length: > 0 }));

        var escalated = _f.Ok("done", "--agent", a3, "--status", "escalated", "--note", "the licence of the new dependency is unclear").Out;
        Assert.Contains($"escalated {stuck}", escalated);
        Assert.Equal("blocked", ItemJson(stuck).GetProperty("status").GetString());
        Assert.Equal("waiting", _f.State(a3));
        Assert.Contains($"needs a person: {a3} on {stuck}", _f.Ok("status").Out);
        var mail = JsonDocument.Parse(_f.Ok("mail", "inbox",
            "--json").Out).RootElement.EnumerateArray().Single(m => m.GetProperty("subject").GetString() == $"{a3} needs a person on {stuck}");
        Assert.Contains("the licence of the new dependency is unclear", _f.Ok("mail", "read", mail.GetProperty("id").GetString()!).Out);
        // Neither the witness nor 'orc up' starts it again; a person does.
        Assert.DoesNotContain("restarted", _f.Ok("witness", "run", "app", "--once").Out);
        _f.Tmux.KillWindow("app", a3); // its program ended after asking
        Assert.Contains($"left stopped: {a3}: waits for a person", _f.Ok("up", "--no-services").Out);
        Assert.Equal("waiting", _f.State(a3));
    }

    [Fact]
    public void No_changes_is_refused_when_the_branch_has_commits_and_deferred_when_the_worktree_is_dirty()
    {
        var id = _f.Item("did some work", "-l", "sim:hang");
        var agent = _f.Sling(id);
        var worktree = _f.Agent(agent).GetProperty("worktree").GetString()!;
        File.WriteAllText(Path.Combine(worktree, "half.txt"), "half done\n");
        var dirty = _f.Ws.Orc("done", "--agent", agent, "--status", "deferred", "--note", "later");
        Assert.Equal(1, dirty.ExitCode);
        Assert.Contains("uncommitted changes in half.txt", dirty.Err);
        using (var repo = new LibGit2Sharp.Repository(worktree))
        {
            LibGit2Sharp.Commands.Stage(repo, "half.txt");
            var sig = new LibGit2Sharp.Signature(agent, "a@orc.local", DateTimeOffset.Now);
            repo.Commit($"{id}: half", sig, sig, new LibGit2Sharp.CommitOptions());
        }
        var committed = _f.Ws.Orc("done", "--agent", agent, "--status", "no-changes", "--note", "nothing to do");
        Assert.Equal(1, committed.ExitCode);
        Assert.Contains("has 1 commit; submit them", committed.Err);
        Assert.Equal("hooked", ItemJson(id).GetProperty("status").GetString()); // nothing changed
    }

    [Fact]
    public void Unsling_takes_the_item_back_keeps_the_work_and_refuses_to_lose_uncommitted_changes_without_force()
    {
        var id = _f.Item("taken back", "-l", "sim:hang");
        var agent = _f.Sling(id);
        var worktree = _f.Agent(agent).GetProperty("worktree").GetString()!;
        File.WriteAllText(Path.Combine(worktree, "draft.txt"), "draft\n");
        var refused = _f.Ws.Orc("unsling", id, "--remove-worktree");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("uncommitted changes (draft.txt)", refused.Err);
        Assert.True(_f.Tmux.FindWindow("app", agent) is { PaneDead: false }, "a refused unsling must change nothing");

        Assert.Contains("the item is ready again", _f.Ok("unsling", id).Out);
        Assert.Equal("open", ItemJson(id).GetProperty("status").GetString());
        Assert.True(_f.Tmux.FindWindow("app", agent) is null);
        Assert.Equal("draft\n", File.ReadAllText(Path.Combine(worktree, "draft.txt"))); // kept
        Assert.DoesNotContain("restarted", _f.Ok("witness", "run", "app", "--once").Out);
        Assert.Contains("every hooked agent is running", _f.Ok("up", "--no-services").Out);

        // Slung again, to a new agent; that one removed for good with --force names what is lost.
        var second = _f.Sling(id);
        Assert.NotEqual(agent, second);
        var secondTree = _f.Agent(second).GetProperty("worktree").GetString()!;
        File.WriteAllText(Path.Combine(secondTree, "scratch.txt"), "x\n");
        var gone = _f.Ok("unsling", second, "--remove-worktree", "--force").Out;
        Assert.Contains("lost uncommitted changes in scratch.txt", gone);
        Assert.False(Directory.Exists(secondTree));
        Assert.Equal(3, _f.Ws.Orc("unsling", "nobody-here").ExitCode);
    }

    [Fact]
    public void Over_capacity_slings_queue_and_the_deacon_slings_them_as_slots_free()
    {
        _f.Ok("rig", "set", "app", "max_polecats", "2");
        var ids = Enumerable.Range(1, 5).Select(i => _f.Item($"part {i}", "-l", "sim:hang")).ToList();
        var results = SlingAtOnce(ids);
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var docs = results.Select(r => JsonDocument.Parse(r.Out).RootElement).ToList();
        Assert.Equal(2, docs.Count(d => d.TryGetProperty("agent", out _) && !d.TryGetProperty("queued", out _)));
        var queued = docs.Where(d => d.TryGetProperty("queued", out _)).Select(d => d.GetProperty("item").GetString()!).ToList();
        Assert.Equal(3, queued.Count);
        var list = JsonDocument.Parse(_f.Ok("dispatch", "list",
            "--json").Out).RootElement.EnumerateArray().Select(e => e.GetProperty("item").GetString()!).ToList();
        Assert.Equal(queued.Order(), list.Order());
        // Full: the deacon leaves them queued.
        Assert.DoesNotContain("slung queued", _f.Ok("deacon", "run", "--once", "--no-supervise").Out);
        // One slot frees (a stopped polecat holds none): the deacon slings the oldest queued item, and only one.
        _f.Ok("kill", _f.Agents()[0].GetProperty("agent").GetString()!);
        var pass = _f.Ok("deacon", "run", "--once", "--no-supervise").Out;
        Assert.Single(pass.Split('\n'), l => l.StartsWith("slung queued ", StringComparison.Ordinal));
        Assert.Equal(2, JsonDocument.Parse(_f.Ok("dispatch", "list", "--json").Out).RootElement.GetArrayLength());
        Assert.Equal(2, _f.Agents().Count(a => a.GetProperty("hook_state").GetString() == "active"));
        // A queued item closed meanwhile is dropped from the queue with the reason, never slung.
        var left = JsonDocument.Parse(_f.Ok("dispatch", "list",
            "--json").Out).RootElement.EnumerateArray().Select(e => e.GetProperty("item").GetString()!).ToList();
        _f.Ok("item", "close", left[0], "--reason", "not needed");
        _f.Ok("dispatch", "cancel", left[1]);
        _f.Ok("unsling", _f.Agents().First(a => a.GetProperty("hook_state").GetString() == "active").GetProperty("agent").GetString()!);
        Assert.Contains($"dropped queued {left[0]}", _f.Ok("deacon", "run", "--once", "--no-supervise").Out);
        Assert.Equal("nothing is queued", _f.Ok("dispatch", "list").Out.Trim());
        Assert.Equal(3, _f.Ws.Orc("dispatch", "cancel", left[1]).ExitCode);
    }

    [Fact]
    public void Work_waiting_for_review_holds_no_polecat_slot_but_work_the_refinery_may_return_soon_does()
    {
        _f.Ok("rig", "set", "app", "land", "review");
        _f.Ok("rig", "set", "app", "max_polecats", "1");
        var first = _f.Item("reviewed later");
        var worker = _f.Sling(first);
        Assert.Equal("completed", _f.WaitForState(worker, "done").GetProperty("hook_state").GetString());
        var next = _f.Item("next one", "-l", "sim:hang");

        // Submitted and queued: the refinery may give it back any moment, so the slot stays taken.
        var full = _f.Ws.Orc("sling", next, "--no-queue");
        Assert.True(full.ExitCode != 0, full.ToString());
        Assert.Contains("max_polecats 1", full.Err);

        // Green and waiting for a person: its polecat has finished and frees the slot.
        Assert.Contains($"{first}: review", _f.Ok("refinery", "run", "app", "--once").Out);
        var second = _f.Sling(next, "--no-queue");
        AssertWorking(second, next);

        // Approved, waiting to land: still no slot; the rig runs one polecat at work.
        _f.Ok("review", "approve", first);
        var third = _f.Item("third one", "-l", "sim:hang");
        var refused = _f.Ws.Orc("sling", third, "--no-queue");
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Contains("already has 1 polecats at work (max_polecats 1)", refused.Err);
        Assert.Equal(1, _f.Agents().Count(a => a.GetProperty("hook_state").GetString() is "created" or "active"));
    }

    [Fact]
    public void Convoy_launch_returns_at_once_and_the_deacon_carries_it_on()
    {
        var ids = Enumerable.Range(1, 3).Select(i => _f.Item($"wave item {i}", "-l", "sim:hang")).ToList();
        _f.Ok(["convoy", "create", "cv", .. ids]);
        // No flag: the launch is recorded, the first wave slung, and the command returns (no process stays).
        var launched = _f.Ok("convoy", "launch", "cv", "--max", "1").Out;
        Assert.Contains("the deacon slings the next waves of cv", launched);
        var first = Assert.Single(_f.Agents());
        Assert.DoesNotContain("convoy cv: slung", _f.Ok("deacon", "run", "--once", "--no-supervise").Out); // --max 1 is taken
        // The first item is finished by hand; no launch command runs, and the deacon slings the next.
        _f.Ok("unsling", first.GetProperty("agent").GetString()!);
        _f.Ok("item", "close", first.GetProperty("item").GetString()!, "--reason", "done by hand");
        Assert.Contains("convoy cv: slung", _f.Ok("deacon", "run", "--once", "--no-supervise").Out);
        Assert.Single(_f.Agents(), a => a.GetProperty("hook_state").GetString() == "active");
    }

    [Fact]
    public void Convoy_launch_flags_that_contradict_are_refused()
    {
        var id = _f.Item("one", "-l", "sim:hang");
        _f.Ok("convoy", "create", "cv", id);
        var r = _f.Ws.Orc("convoy", "launch", "cv", "--once", "--wait");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--once and --wait", r.Err);
        Assert.Empty(_f.Agents());
    }
    [Fact]
    public void Slinging_what_cannot_go_is_refused_with_one_line_naming_it_and_changes_nothing()
    {
        var closed = _f.Item("finished", "-l", "sim:hang");
        _f.Ok("item", "close", closed);
        var epic = _f.Item("the whole feature", "--type", "epic");
        var hooked = _f.Item("taken", "-l", "sim:hang");
        var holder = _f.Sling(hooked);
        var open = _f.Item("open work", "-l", "sim:hang");
        var ledger = _f.Ws.LedgerBytes();
        var commits = _f.Ws.CommitCount();

        (string[] Args, int Exit, string Says)[] cases =
        [
            (["sling", "app-zzzz"], ExitCodes.NotFound, "app-zzzz"),
            (["sling", closed], ExitCodes.Failure, $"{closed} is closed"),
            (["sling", epic], ExitCodes.Failure, $"{epic} is an epic"),
            (["sling", hooked], ExitCodes.Failure, $"{hooked} is already hooked by {holder}"),
            (["sling", open, "--rig", "nope"], ExitCodes.NotFound, "nope"),
            (["sling", open, "--profile", "nope"], ExitCodes.NotFound, "nope"),
        ];
        foreach (var (args, exit, says) in cases)
        {
            var r = _f.Process(args);
            var line = r.Err.Trim();
            Assert.True(r.ExitCode == exit, $"orc {string.Join(' ', args)}: exit {r.ExitCode}, expected {exit}: {r}");
            Assert.DoesNotContain('\n', line);
            Assert.StartsWith("orc: error: ", line);
            Assert.Contains(says, line);
        }
        Assert.Equal(ledger, _f.Ws.LedgerBytes());
        Assert.Equal(commits, _f.Ws.CommitCount());
        Assert.Equal([holder], _f.Agents().Select(a => a.GetProperty("agent").GetString()));
    }
}
