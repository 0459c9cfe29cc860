using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Cli;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Integration.Tests.Support;

namespace Orchestrator.Integration.Tests.Faults;

/// <summary>
/// Faults of the fleet's processes, injected for real: kill -9 of the workspace's tmux server with
/// ten sim agents working, of the refinery mid-merge and mid-gate, of the deacon and of the TUI,
/// and two workspaces on one machine. Each test has its own workspace and private tmux server
/// (<see cref="FleetFixture"/>), is bounded by time-outs, and checks that nothing was lost.
/// </summary>
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

    /// <summary>What must survive a fault: per agent, its hook's item, branch, worktree and branch tip.</summary>
    private static Dictionary<string, (string Item, string Branch, string Worktree, string Tip)> Snapshot(FleetFixture f)
    {
        var hooks = new RecordStore<Hook>(Path.Combine(f.Root, "agents"), OrcJsonContext.Default.Hook).All().Where(h => h.HoldsWork).ToList();
        using var repo = new Repository(f.RigDir);
        return hooks.ToDictionary(h => h.Agent, h => (h.Item!, h.Branch!, h.Worktree, repo.Branches[h.Branch!]?.Tip.Sha ?? "(no branch)"));
    }

    private static void AssertSame(Dictionary<string, (string Item, string Branch, string Worktree, string Tip)> before, Dictionary<string, (string Item, string Branch, string Worktree, string Tip)> after)
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
        foreach (var a in f.Agents()) WorkInProgress(a.GetProperty("worktree").GetString()!, a.GetProperty("agent").GetString()!, a.GetProperty("item").GetString()!);
        return agents;
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
        new RecordStore<Orchestrator.Core.Merging.Submission>(Path.Combine(f.Root, "mq", "app"), OrcJsonContext.Default.Submission).All().ToDictionary(s => s.Item, s => s.State);

    /// <summary>
    /// main is never broken: its first-parent history is the first commit and then one squash per
    /// item, each item at most once, each adding exactly its file; the rig's checkout is clean at main.
    /// </summary>
    private static void AssertMainIsWhole(FleetFixture f, Dictionary<string, string> files, bool checkout = true)
    {
        using var repo = new Repository(f.RigDir);
        var main = repo.Branches["master"].Tip;
        var chain = repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = main, FirstParentOnly = true }).ToList();
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
        var dirty = repo.RetrieveStatus(new StatusOptions { IncludeUntracked = true }).Where(e => e.State is not (FileStatus.Ignored or FileStatus.Unaltered)).Select(e => e.FilePath).ToList();
        Assert.True(dirty.Count == 0, "the rig's checkout is dirty: " + string.Join(", ", dirty));
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
        return string.Join(", ", repo.RetrieveStatus(new StatusOptions { IncludeUntracked = true }).Where(e => e.State is not (FileStatus.Ignored or FileStatus.Unaltered)).Select(e => e.FilePath));
    }

    private static Dictionary<string, int> Attempts(FleetFixture f) =>
        new RecordStore<Orchestrator.Core.Merging.Submission>(Path.Combine(f.Root, "mq", "app"), OrcJsonContext.Default.Submission).All().ToDictionary(s => s.Item, s => s.Attempts);

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

    // ---- the deacon and the TUI killed ----

    private static Heartbeat? Beat(FleetFixture f, string name) =>
        new RecordStore<Heartbeat>(Path.Combine(f.Root, ".orc", "run"), OrcJsonContext.Default.Heartbeat).Find(name);

    // ---- two workspaces on one machine ----

}
