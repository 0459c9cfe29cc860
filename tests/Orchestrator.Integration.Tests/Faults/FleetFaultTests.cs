using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Cli;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Faults;

/// <summary>
/// Faults of the fleet's processes, injected for real: kill -9 of the workspace's tmux server with
/// ten sim agents working, of the refinery mid-merge and mid-gate, of the deacon and of the TUI,
/// and two workspaces on one machine. Each test has its own workspace and private tmux server
/// (<see cref="FleetFixture"/>), is bounded by time-outs, and checks that nothing was lost.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class FleetFaultTests(ITestOutputHelper log) : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_owned)) d.Dispose();
    }

    private FleetFixture Fleet(int? grace = 0)
    {
        var f = new FleetFixture(grace: grace);
        _owned.Add(f);
        return f;
    }

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Say(string what) => log.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0}s {what}");

    [Fact]
    public void Four_orc_ups_at_once_start_each_service_once()
    {
        // 'orc up' and a deacon it has just started both start missing services; seen in CI as
        // two 'witness-app' windows, which then broke 'orc agents'.
        var f = Fleet();
        var ups = new CliResult[4];
        Parallel.For(0, ups.Length, i => ups[i] = f.Process(["up"]));
        Assert.All(ups, u => Assert.True(u.ExitCode == 0, u.ToString()));
        Thread.Sleep(1500); // boot and the deacon make their first pass
        var windows = f.Tmux.ListWindows().Where(w => w.Session == "orc").GroupBy(w => w.Window).ToList();
        Assert.Contains(windows, g => g.Key == "witness-app");
        Assert.All(windows, g => Assert.True(g.Count() == 1, $"{g.Count()} windows named {g.Key}"));
    }

    /// <summary>What must survive a fault: per agent, its hook's item, branch, worktree and branch tip.</summary>
    private static Dictionary<string, (string Item, string Branch, string Worktree, string Tip)> Snapshot(FleetFixture f)
    {
        var hooks = new RecordStore<Hook>(Path.Combine(f.Root, "agents"), OrcJsonContext.Default.Hook).All().Where(h => h.HoldsWork).ToList();
        using var repo = new Repository(f.RigDir);
        return hooks.ToDictionary(h => h.Agent, h => (h.Item!, h.Branch!, h.Worktree, repo.Branches[h.Branch!]?.Tip.Sha ?? "(no branch)"));
    }

    private static void AssertSame(Dictionary<string, (string Item, string Branch, string Worktree, string Tip)> before, Dictionary<string, (string Item,
        string Branch, string Worktree, string Tip)> after)
    {
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (agent, b) in before)
        {
            Assert.Equal(b, after[agent]);
            Assert.True(Directory.Exists(b.Worktree), $"{agent}'s worktree {b.Worktree} is gone");
            using var wt = new Repository(b.Worktree);
            Assert.Equal(b.Tip, wt.Head.Tip.Sha);
        }
    }

    /// <summary>Commits a file in an agent's worktree, as an agent part-way through its work would.</summary>
    private static void WorkInProgress(string worktree, string agent, string item)
    {
        File.WriteAllText(Path.Combine(worktree, $"wip-{agent}.txt"), $"{item} half done\n");
        using var repo = new Repository(worktree);
        Commands.Stage(repo, $"wip-{agent}.txt");
        var sig = new Signature(agent, agent + "@orc.local", DateTimeOffset.Now);
        repo.Commit($"{item}: half", sig, sig);
    }

    /// <summary>Starts <paramref name="n"/> sim agents that work until stopped (sim:hang), each with a commit of work in progress.</summary>
    private List<string> HangingFleet(FleetFixture f, int n)
    {
        var agents = new List<string>();
        for (var i = 0; i < n; i++) agents.Add(f.Sling(f.Item($"Long job {i}", "-l", "sim:hang")));
        f.WaitForAll(agents, ["working"], 90);
        foreach (var a in f.Agents()) WorkInProgress(a.GetProperty("worktree").GetString()!, a.GetProperty("agent").GetString()!,
            a.GetProperty("item").GetString()!);
        return agents;
    }

    [Fact]
    public void Tmux_server_killed_with_ten_agents_working_is_noticed_and_every_hooked_agent_comes_back_with_nothing_lost()
    {
        var f = Fleet();
        var agents = HangingFleet(f, 10);
        Say($"10 agents working: {string.Join(", ", agents)}");
        var before = Snapshot(f);
        Assert.Equal(10, before.Count);

        var pid = f.KillTmuxServerHard();
        Say($"kill -9 of tmux server {pid}");
        // Noticed at once, by a fresh orc process (no hang, no crash): every agent dead, the server not running.
        var listed = f.Process(["agents", "--json"], 30);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var states = JsonDocument.Parse(listed.Out).RootElement.EnumerateArray().ToDictionary(a => a.GetProperty("agent").GetString()!,
            a => a.GetProperty("state").GetString());
        Assert.All(agents, a => Assert.Equal("dead", states[a]));
        var status = f.Process(["status"], 30);
        Assert.True(status.ExitCode == 0, status.ToString());
        Say("orc agents and orc status answered: all dead");
        AssertSame(before, Snapshot(f));

        // The witness restarts every dead agent in one pass, on a new server.
        var witness = f.Process(["witness", "run", "app", "--once"], 120);
        Assert.True(witness.ExitCode == 0, witness.ToString());
        foreach (var a in agents) Assert.Contains($"{a}: dead, restarted", witness.Out);
        f.WaitForAll(agents, ["working"], 90);
        Say("the witness brought all 10 back");
        AssertSame(before, Snapshot(f));

        // Again, and this time 'orc up' brings them back.
        pid = f.KillTmuxServerHard();
        Say($"kill -9 of tmux server {pid}");
        RigFixture.Eventually(() => f.Agents().All(a => a.GetProperty("state").GetString() == "dead"), () => "not all dead after the second kill", 30);
        var up = f.Ok("up", "--no-services").Out;
        foreach (var a in agents) Assert.Contains(a, up);
        f.WaitForAll(agents, ["working"], 90);
        Assert.Contains("every hooked agent is running", f.Ok("up", "--no-services").Out);
        Say("orc up brought all 10 back");
        AssertSame(before, Snapshot(f));
        foreach (var a in f.Agents())
        {
            Assert.Equal(2, a.GetProperty("restarts").GetInt32());
            Assert.Equal("hooked", JsonDocument.Parse(f.Ok("item", "show", a.GetProperty("item").GetString()!,
                "--json").Out).RootElement[0].GetProperty("status").GetString());
        }
        AssertNothingUncommitted(f);
    }

    // ---- the refinery killed mid-merge and mid-gate ----

    private static int _submitter;

    /// <summary>An agent's work (a worktree on its branch, one commit of <paramref name="file"/>), submitted with the real 'orc done'.</summary>
    private static string Submit(FleetFixture f, string title, string file)
    {
        var id = f.Item(title);
        var agent = "w" + Interlocked.Increment(ref _submitter);
        var branch = $"polecat/{agent}/{id}";
        var worktree = Path.Combine(f.Root, "worktrees", "app", agent);
        var rig = new RigRepository(f.RigDir);
        var baseCommit = rig.TipOf("master");
        rig.AddWorktree(agent, branch, baseCommit, worktree);
        using (var repo = new Repository(worktree))
        {
            File.WriteAllText(Path.Combine(worktree, file), id + "\n");
            Commands.Stage(repo, file);
            var sig = new Signature(agent, agent + "@orc.local", DateTimeOffset.Now);
            repo.Commit($"{id}: {title}", sig, sig);
        }
        new RecordStore<Hook>(Path.Combine(f.Root, "agents"), OrcJsonContext.Default.Hook).Write(agent, new Hook
        {
            Agent = agent, Rig = "app", Item = id, Branch = branch, Worktree = worktree, BaseCommit = baseCommit,
            Profile = "sim", State = HookStates.Active, CreatedAt = "2026-11-23T00:00:00Z",
        });
        f.Ok("item", "update", id, "--status", "hooked", "--assignee", agent);
        f.Ok("done", "--agent", agent);
        return id;
    }

    private static Dictionary<string, string> QueueStates(FleetFixture f) =>
        new RecordStore<Orchestrator.Core.Merging.Submission>(Path.Combine(f.Root, "mq", "app"),
            OrcJsonContext.Default.Submission).All().ToDictionary(s => s.Item, s => s.State);

    /// <summary>
    /// main is never broken: its first-parent history is the first commit and then one squash per
    /// item, each item at most once, each adding exactly its file; the rig's checkout is clean at main.
    /// </summary>
    private static void AssertMainIsWhole(FleetFixture f, Dictionary<string, string> files, bool checkout = true)
    {
        using var repo = new Repository(f.RigDir);
        var main = repo.Branches["master"].Tip;
        var chain = repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = main, FirstParentOnly = true,
            SortBy = CommitSortStrategies.Topological }).ToList();
        Assert.Equal("first", chain[^1].MessageShort);
        var seen = new HashSet<string>();
        foreach (var c in chain.Take(chain.Count - 1))
        {
            Assert.Single(c.Parents);
            var item = c.MessageShort.Split(':')[0];
            Assert.True(files.ContainsKey(item), $"{c.Sha[..12]} '{c.MessageShort}' is no submission's");
            Assert.True(seen.Add(item), $"{item} landed twice");
            Assert.Contains("Orc-Item: " + item, c.Message);
            var changes = repo.Diff.Compare<TreeChanges>(c.Parents.Single().Tree, c.Tree);
            Assert.Equal([files[item]], changes.Select(x => x.Path));
            Assert.Equal(ChangeKind.Added, changes.Single().Status);
        }
        if (!checkout) return;
        Assert.Equal(main.Sha, repo.Head.Tip.Sha);
        var dirty = repo.RetrieveStatus(new StatusOptions { IncludeUntracked = true }).Where(e
            => e.State is not (FileStatus.Ignored or FileStatus.Unaltered)).Select(e => e.FilePath).ToList();
        Assert.True(dirty.Count == 0, "the rig's checkout is dirty: " + string.Join(", ", dirty));
    }

    [Fact]
    public void Refinery_killed_again_and_again_mid_merge_and_mid_gate_lands_every_submission_once_and_main_is_never_broken()
    {
        var f = Fleet();
        var files = new Dictionary<string, string>();
        for (var i = 0; i < 6; i++)
        {
            var id = Submit(f, $"Part {i}", $"part{i}.txt");
            files[id] = $"part{i}.txt";
        }
        // A slow gate that also checks main would be whole: every landed file holds its item's id.
        f.Ok("rig", "set", "app", "gate", "sleep 1.2; for x in part*.txt; do test -s \"$x\" || exit 1; done");
        f.Ok("rig", "set", "app", "batch", "1");
        var markFile = Path.Combine(f.Root, ".orc", "run", "refinery-app.gate");
        var random = new Random(8);
        var kills = new List<string>();
        var output = new StringBuilder();
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (QueueStates(f).Values.Any(s => s != "merged"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the queue did not drain after {kills.Count} kills: {string.Join(", ", QueueStates(f))}\n{output}");
            var leftMark = File.Exists(markFile) ? File.ReadAllText(markFile) : null;
            var attempts = Attempts(f);
            var refinery = f.Start(["refinery", "run", "app", "--interval", "0.3", "--wait", "30"], output);
            // Alternate: kill inside the gate (this refinery's gate running), and at a random moment
            // of a merge this refinery took (squash recorded, gate, main moved, merged recorded).
            var inGate = kills.Count % 2 == 0;
            var seen = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < seen && !refinery.HasExited)
            {
                if (inGate ? File.Exists(markFile) && SafeRead(markFile) is { Length: > 0 } m && m != leftMark
                    : Attempts(f).Any(a => a.Value > attempts.GetValueOrDefault(a.Key))) break;
                if (QueueStates(f).Values.All(s => s == "merged")) break;
                Thread.Sleep(20);
            }
            if (!inGate) Thread.Sleep(random.Next(0, 1600));
            var before = QueueStates(f);
            refinery.Kill(); // SIGKILL, the refinery process only (a gate in its own session lives on)
            refinery.WaitForExit(20_000);
            kills.Add((inGate ? "gate" : "merge") + ": " + string.Join(" ", before.Where(s => s.Value != "queued").Select(s => s.Key + "=" + s.Value)));
            Say($"kill -9 #{kills.Count} ({kills[^1]})");
            // Right after a kill main itself is whole; the rig's checkout may be half-way to it (a
            // kill inside the reset), which the next refinery repairs (checked at the end).
            AssertMainIsWhole(f, files, checkout: false);
            if (Dirty(f.RigDir) is { Length: > 0 } half) Say("  the rig's checkout was left half-moved: " + half);
            if (kills.Count >= 8) break;
        }
        // What the kills left is finished by one more refinery.
        var last = f.Process(["refinery", "run", "app", "--once", "--wait", "30"], 120);
        Assert.True(last.ExitCode == 0, last.ToString());
        Say($"after {kills.Count} kills: {last.Out.Trim()}");

        Assert.All(QueueStates(f), s => Assert.Equal("merged", s.Value));
        AssertMainIsWhole(f, files);
        using (var repo = new Repository(f.RigDir))
        {
            var chain = repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = repo.Branches["master"].Tip, FirstParentOnly = true,
                SortBy = CommitSortStrategies.Topological }).ToList();
            Assert.Equal(files.Count + 1, chain.Count);
            Assert.Null(repo.Branches["orc-refinery-app"]);
            var queue = new RecordStore<Orchestrator.Core.Merging.Submission>(Path.Combine(f.Root, "mq", "app"), OrcJsonContext.Default.Submission).All();
            foreach (var s in queue) Assert.Contains(chain, c => c.Sha == s.Landed);
        }
        foreach (var id in files.Keys)
            Assert.Equal("closed", JsonDocument.Parse(f.Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString());
        Assert.False(File.Exists(markFile));
        using (var scratch = new Repository(Path.Combine(f.Root, "worktrees", "app", ".refinery")))
            Assert.False(scratch.RetrieveStatus(new StatusOptions { IncludeUntracked = true }).IsDirty);
        // Events a killed refinery appended are kept for the next commit; nothing else is left uncommitted.
        AssertNothingUncommitted(f);
    }

    /// <summary>
    /// Nothing the fault could lose is left uncommitted: only events appended since the last commit
    /// (the next one takes them) and the rig setting the fixture wrote by hand may be.
    /// </summary>
    private static void AssertNothingUncommitted(FleetFixture f)
    {
        var left = f.Ws.Dirty().Split(", ", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e is not ("events/events.jsonl (ModifiedInWorkdir)" or ".orc/rigs/app.yaml (ModifiedInWorkdir)")).ToList();
        Assert.True(left.Count == 0, "uncommitted: " + string.Join(", ", left));
    }

    private static string Dirty(string repoDir)
    {
        using var repo = new Repository(repoDir);
        return string.Join(", ",
            repo.RetrieveStatus(new StatusOptions { IncludeUntracked = true }).Where(e
            => e.State is not (FileStatus.Ignored or FileStatus.Unaltered)).Select(e => e.FilePath));
    }

    private static Dictionary<string, int> Attempts(FleetFixture f) =>
        new RecordStore<Orchestrator.Core.Merging.Submission>(Path.Combine(f.Root, "mq", "app"),
            OrcJsonContext.Default.Submission).All().ToDictionary(s => s.Item, s => s.Attempts);

    private static string? SafeRead(string file)
    {
        try { return File.ReadAllText(file); }
        catch (IOException) { return null; }
    }

    [Fact]
    public void A_refinery_killed_after_closing_the_item_but_before_recording_the_merge_finishes_it_once()
    {
        var f = Fleet();
        var id = Submit(f, "Landed", "a.txt");
        // What a refinery killed between its two last writes leaves: main moved, the item closed,
        // the queue entry still merging with its candidate. (Before the fix the queue was written
        // first, and a kill there left a merged entry whose item never closed.)
        var git = new RigIntegration(f.RigDir);
        var main = git.TipOf("master");
        var queue = new RecordStore<Orchestrator.Core.Merging.Submission>(Path.Combine(f.Root, "mq", "app"), OrcJsonContext.Default.Submission);
        var s = queue.Find(id)!;
        var squash = git.Squash(main, s.Commit, RigIntegration.LandingMessage(id, "Landed", s.Agent, s.Commits), DateTimeOffset.Now);
        git.FastForward("master", main, squash.Commit!, "test");
        queue.Write(id, s with { State = Orchestrator.Core.Merging.SubmissionStates.Merging, Candidate = squash.Commit, Onto = main });
        f.Ok("item", "close", id, "--reason", $"merged into master as {squash.Commit![..12]}");

        Assert.Contains($"{id}: merged", f.Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal("merged", QueueStates(f)[id]);
        Assert.Equal(squash.Commit, queue.Find(id)!.Landed);
        var item = JsonDocument.Parse(f.Ok("item", "show", id, "--json").Out).RootElement[0];
        Assert.Equal("closed", item.GetProperty("status").GetString());
        AssertMainIsWhole(f, new() { [id] = "a.txt" });
    }

    [Fact]
    public void A_refinery_killed_inside_the_reset_that_moves_main_leaves_a_checkout_the_next_one_repairs_and_a_persons_change_is_kept()
    {
        var f = Fleet();
        var id = Submit(f, "Half moved", "half.txt");
        // What a refinery killed inside the hard reset of the rig's checkout leaves: the new file
        // written, main not moved yet, git's index lock, the entry merging with its candidate.
        var git = new RigIntegration(f.RigDir);
        var main = git.TipOf("master");
        var queue = new RecordStore<Orchestrator.Core.Merging.Submission>(Path.Combine(f.Root, "mq", "app"), OrcJsonContext.Default.Submission);
        var s = queue.Find(id)!;
        var squash = git.Squash(main, s.Commit, RigIntegration.LandingMessage(id, "Half moved", s.Agent, s.Commits), DateTimeOffset.Now);
        queue.Write(id, s with { State = Orchestrator.Core.Merging.SubmissionStates.Merging, Candidate = squash.Commit, Onto = main });
        File.WriteAllText(Path.Combine(f.RigDir, "half.txt"), id + "\n");
        File.WriteAllText(Path.Combine(f.RigDir, ".git", "index.lock"), "");

        var pass = f.Ok("refinery", "run", "app", "--once").Out;
        Assert.Contains($"{id}: merged", pass);
        AssertMainIsWhole(f, new() { [id] = "half.txt" });
        Assert.False(File.Exists(Path.Combine(f.RigDir, ".git", "index.lock")));
        Assert.Contains("brought it to master's tip", f.Ok("feed").Out);

        // A change no recorded commit explains is a person's: kept, and the refinery waits.
        var other = Submit(f, "Next", "next.txt");
        var mine = Path.Combine(f.RigDir, "mine.txt");
        File.WriteAllText(mine, "my notes\n");
        var s2 = queue.Find(other)!;
        queue.Write(other, s2 with { State = Orchestrator.Core.Merging.SubmissionStates.Merging, Candidate = s2.Commit, Onto = git.TipOf("master") });
        var waiting = f.Ok("refinery", "run", "app", "--once").Out;
        Assert.Contains($"{other}: waiting", waiting);
        Assert.Equal("my notes\n", File.ReadAllText(mine));
        Assert.Equal("queued", QueueStates(f)[other]);
    }

    [Fact]
    public void A_refinery_killed_while_git_held_the_scratch_index_lock_does_not_block_the_queue()
    {
        var f = Fleet();
        f.Ok("rig", "set", "app", "gate", "true");
        var first = Submit(f, "First", "a.txt");
        Assert.Contains($"{first}: merged", f.Ok("refinery", "run", "app", "--once").Out);
        // A refinery killed inside the scratch worktree's reset leaves git's lock of its index behind.
        var admin = Path.Combine(f.RigDir, ".git", "worktrees");
        var gitDir = Directory.GetDirectories(admin).Single(d => Path.GetFileName(d).StartsWith("orc-refinery-app", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(gitDir, "index.lock"), "");
        var second = Submit(f, "Second", "b.txt");
        var pass = f.Ok("refinery", "run", "app", "--once").Out;
        Assert.Contains($"{second}: merged", pass);
        Assert.False(File.Exists(Path.Combine(gitDir, "index.lock")));
        AssertMainIsWhole(f, new() { [first] = "a.txt", [second] = "b.txt" });
    }

    [Fact]
    public void The_temporary_file_of_a_write_cut_short_is_ignored_in_every_folder_of_the_workspace()
    {
        using var ws = new TempWorkspace();
        // What a process killed inside AtomicFile.Write leaves beside a queue entry, a hook, a letter.
        foreach (var dir in new[] { "mq/app", "agents", "mail", "ledger" })
        {
            Directory.CreateDirectory(Path.Combine(ws.Root, dir));
            File.WriteAllText(Path.Combine(ws.Root, dir, ".x.json.4242.0123456789abcdef.tmp"), "{");
        }
        Assert.True(ws.IsClean(), ws.Dirty());
    }

    // ---- the deacon and the TUI killed ----

    private static Heartbeat? Beat(FleetFixture f, string name) =>
        new RecordStore<Heartbeat>(Path.Combine(f.Root, ".orc", "run"), OrcJsonContext.Default.Heartbeat).Find(name);

    [Fact]
    public void Deacon_killed_mid_pass_restarts_and_the_fleet_kept_working_meanwhile()
    {
        var f = Fleet();
        var output = new StringBuilder();
        var random = new Random(3);
        var deacon = f.Start(["deacon", "run", "--interval", "0.2"], output);
        RigFixture.Eventually(() => Beat(f, "deacon") is { Passes: > 0 } b && b.Pid == deacon.Id, () => "the deacon never made a pass\n" + output, 60);
        // Killed three times at random moments of its passes (it takes the ledger's lock every pass).
        for (var i = 0; i < 3; i++)
        {
            Thread.Sleep(random.Next(100, 900));
            deacon.Kill();
            deacon.WaitForExit(20_000);
            Say($"kill -9 of the deacon #{i + 1}");
            // Nothing it held stays held: a ledger write goes through at once.
            var r = f.Process(["item", "create", $"After kill {i}", "--prefix", "app"], 30);
            Assert.True(r.ExitCode == 0, r.ToString());
            if (i < 2) deacon = f.Start(["deacon", "run", "--interval", "0.2", "--wait", "30"], output);
        }

        // The fleet works while the deacon is gone: three agents finish and submit, and the refinery
        // the deacon started (in the workspace's tmux server) lands their work.
        var items = Enumerable.Range(0, 3).Select(i => f.Item($"Job {i}", "--file", $"job{i}.txt")).ToList();
        var agents = items.Select(i => f.Sling(i)).ToList();
        f.WaitForAll(agents, ["done"], 90);
        RigFixture.Eventually(() => items.All(i => QueueStates(f).GetValueOrDefault(i) == "merged"), () => "not landed without the deacon: " + string.Join(", ",
            QueueStates(f)), 90);
        Assert.Equal(3, f.Agents().Count);
        Say("3 agents finished and landed with no deacon");

        // Restarted, it resumes: it cleans the landed work it missed.
        deacon = f.Start(["deacon", "run", "--interval", "0.2", "--wait", "30"], output);
        RigFixture.Eventually(() => Beat(f, "deacon") is { Passes: > 0 } b && b.Pid == deacon.Id, () => "the restarted deacon never made a pass\n" + output,
            60);
        RigFixture.Eventually(() => f.Agents().Count == 0, () => "the deacon did not clean the landed work: " + string.Join(", ", f.Agents()), 60);
        foreach (var a in agents) Assert.False(Directory.Exists(Path.Combine(f.Root, "worktrees", "app", a)));
        Assert.Equal(6, JsonDocument.Parse(f.Ok("item", "list", "--all", "--json").Out).RootElement.GetArrayLength());
        Say("the restarted deacon cleaned up");
    }

    [Fact]
    public void Tui_killed_with_sigkill_leaves_the_fleet_working_and_a_new_tui_shows_it_all()
    {
        var f = Fleet();
        var first = f.Item("Before the kill", "--file", "a.txt", "-l", "sim:slow");
        var term = new TestTerminal();
        _owned.Add(term);
        var env = f.ProcessEnv(("TERM", "xterm-256color"), ("DOTNET_TieredPGO", "0"));
        term.Start(f.Root, $"unset DisableRealDriverIO; {OrcProcess.ShellCommand} tui; echo \"TUI-EXITED $?\"; sleep 60", env, 160, 40);
        RigFixture.Eventually(() => term.Screen().Contains(first, StringComparison.Ordinal), () => "the TUI never showed the item:\n" + term.Screen(), 60);
        var agent = f.Sling(first);
        f.WaitForState(agent, "working", 60);

        var shell = int.Parse(term.Run("display-message", "-p", "-t", "=term:", "#{pane_pid}").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var tui = int.Parse(File.ReadAllText($"/proc/{shell}/task/{shell}/children").Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        FleetFixture.Signal(tui, "KILL");
        RigFixture.Eventually(() => term.Screen().Contains("TUI-EXITED 137", StringComparison.Ordinal), () => "the TUI did not die:\n" + term.Screen(), 30);
        Say("kill -9 of the TUI");

        // The agent, in the workspace's own tmux server, went on and submitted.
        var a = f.WaitForState(agent, "done", 90);
        Assert.Equal("queued", JsonDocument.Parse(f.Ok("mq", "show", first, "--json").Out).RootElement.GetProperty("state").GetString());
        var second = f.Process(["item", "create", "After the kill", "--prefix", "app"], 30);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.True(f.Tmux.IsRunning());

        using var again = new TestTerminal();
        again.Start(f.Root, $"unset DisableRealDriverIO; {OrcProcess.ShellCommand} tui; echo \"TUI-EXITED $?\"; sleep 60", env, 160, 40);
        RigFixture.Eventually(() => again.Screen() is var s && s.Contains(first, StringComparison.Ordinal) && s.Contains("After the kill",
            StringComparison.Ordinal),
            () => "the new TUI does not show both items:\n" + again.Screen(), 60);
        Say("a new TUI shows the fleet");
        Assert.Equal("completed", a.GetProperty("hook_state").GetString());
    }

    // ---- two workspaces on one machine ----

    [Fact]
    public void Two_workspaces_stopping_agents_in_one_never_touches_the_other()
    {
        var a = Fleet();
        var b = Fleet();
        // The same agent names in both: only the workspace tells them apart.
        var inA = new[] { a.Sling(a.Item("A1", "-l", "sim:hang")), a.Sling(a.Item("A2", "-l", "sim:hang")) };
        var inB = new[] { b.Sling(b.Item("B1", "-l", "sim:hang")), b.Sling(b.Item("B2", "-l", "sim:hang")) };
        Assert.Equal(inA, inB);
        a.WaitForAll(inA, ["working"], 60);
        b.WaitForAll(inB, ["working"], 60);
        var serverB = b.TmuxServerPid();
        var panesB = b.Tmux.ListWindows().Select(w => (w.Session, w.Window, w.PanePid)).Order().ToList();

        a.Ok("kill", inA[0]);
        Assert.Equal("stopped", a.State(inA[0]));
        Assert.Equal("working", b.State(inB[0]));
        a.Ok("down");
        Assert.All(a.Agents(), x => Assert.NotEqual("working", x.GetProperty("state").GetString()));
        Assert.False(a.Tmux.IsListening());
        Say("workspace A down");

        Assert.Equal(serverB, b.TmuxServerPid());
        Assert.Equal(panesB, b.Tmux.ListWindows().Select(w => (w.Session, w.Window, w.PanePid)).Order().ToList());
        foreach (var x in inB) Assert.Equal("working", b.State(x));
        Assert.All(b.Agents(), x => Assert.Equal("active", x.GetProperty("hook_state").GetString()));
        foreach (var w in panesB) Assert.True(Directory.Exists($"/proc/{w.PanePid}"), $"B's pane process {w.PanePid} died");

        // And the other way round: A back up, B down, A untouched.
        // (The agent killed by hand stays stopped: 'orc up' respects 'orc kill'; 'orc resume' brings it back.)
        Assert.Contains($"left stopped: {inA[0]}: stopped with 'orc kill'", a.Ok("up", "--no-services").Out);
        a.Ok("resume", inA[0]);
        a.WaitForAll(inA, ["working"], 60);
        b.Ok("down");
        foreach (var x in inA) Assert.Equal("working", a.State(x));
        Assert.False(b.Tmux.IsListening());
    }
}
