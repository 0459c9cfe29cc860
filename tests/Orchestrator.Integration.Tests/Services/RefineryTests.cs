using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LibGit2Sharp;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Merging;
using Orchestrator.Cli;
using Orchestrator.Services.Refinery;
using Orchestrator.Services.Runtime;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// The refinery against real git: submissions are made the way an agent makes them (a worktree
/// on its branch, commits, then the real 'orc done'), and the refinery runs as 'orc refinery run'.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class RefineryTests : IDisposable
{
    private readonly FleetFixture _fleet = new(readme: "line one\nline two\nline three\n");
    private readonly TempWorkspace _ws;
    private readonly string _source;
    private int _agents;

    public RefineryTests()
    {
        _ws = _fleet.Ws;
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

    private string RigDir => Path.Combine(_ws.Root, "rigs", "app");

    private void Settings(string key, string value) => RigFixture.SetSetting(_ws, "app", key, value);

    /// <summary>An agent's work, submitted with the real 'orc done': returns the item id.</summary>
    private string Submit(string title, Dictionary<string, string> files, params string[] createArgs) =>
        RigFixture.Submit(_ws, "app", "w" + (++_agents), title, files, "master", createArgs);

    private JsonElement Show(string id) => JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0];

    private JsonElement Mq(string id) => JsonDocument.Parse(Ok("mq", "show", id, "--json").Out).RootElement;

    /// <summary>Subjects of main's first-parent history, newest first (in graph order: commits made in the same second have no time order).</summary>
    private List<string> MainLog()
    {
        using var repo = new Repository(RigDir);
        return repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = repo.Branches["master"].Tip, FirstParentOnly = true,
            SortBy = CommitSortStrategies.Topological })
            .Select(c => c.MessageShort).ToList();
    }

    [Fact]
    public void Submissions_land_dependencies_first_then_by_priority_one_commit_each()
    {
        var a = Submit("Add a", new() { ["a.txt"] = "a\n" });
        var b = Submit("Add b on a", new() { ["b.txt"] = "b\n" });
        Ok("item", "dep", "add", b, a);
        var c = Submit("Urgent c", new() { ["c.txt"] = "c\n" }, "--priority", "0");
        var list = Ok("mq", "list").Out;
        Assert.Contains(a, list);

        var run = Ok("refinery", "run", "app", "--once");
        Assert.Contains($"{c}: merged", run.Out);
        Assert.True(MainLog().SequenceEqual([$"{b}: Add b on a", $"{a}: Add a", $"{c}: Urgent c", "first"]),
            string.Join(" | ", MainLog()) + "\n" + run.Out + "\n" + Ok("feed").Out + Ok("mq", "list", "--all").Out);
        foreach (var id in new[] { a, b, c })
        {
            Assert.Equal("closed", Show(id).GetProperty("status").GetString());
            Assert.Equal("merged", Mq(id).GetProperty("state").GetString());
        }
        // The rig's checkout follows main, and the landed commit carries the item trailer.
        Assert.True(File.Exists(Path.Combine(RigDir, "b.txt")));
        using var repo = new Repository(RigDir);
        Assert.Contains($"Orc-Item: {b}", repo.Head.Tip.Message);
        Assert.Contains("merged", Ok("feed").Out);
        Assert.Equal("the merge queues are empty", Ok("mq", "list").Out.Trim());

        // The worker and the overseer are told, by mail from the rig's refinery.
        var overseer = JsonDocument.Parse(Ok("mail", "inbox", "--json").Out).RootElement.EnumerateArray().ToList();
        Assert.Equal(new[] { a, b, c }.Order(), overseer.Select(m => m.GetProperty("item").GetString()).Order());
        Assert.All(overseer, m => Assert.Equal("refinery@app", m.GetProperty("from").GetString()));
        var worker = JsonDocument.Parse(Ok("mail", "inbox", "--as", "w1", "--json").Out).RootElement.EnumerateArray().Single();
        Assert.Equal($"{a} landed", worker.GetProperty("subject").GetString());
    }

    [Fact]
    public void A_conflicting_submission_goes_back_to_its_worker_with_the_file_names()
    {
        var first = Submit("Edit readme", new() { ["README.md"] = "line one\nchanged by first\nline three\n" });
        var second = Submit("Edit readme too", new() { ["README.md"] = "line one\nchanged by second\nline three\n", ["other.txt"] = "x\n" });
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("closed", Show(first).GetProperty("status").GetString());
        var item = Show(second);
        Assert.Equal("hooked", item.GetProperty("status").GetString());
        Assert.Equal("w2", item.GetProperty("assignee").GetString());
        var mq = Mq(second);
        Assert.Equal("rejected", mq.GetProperty("state").GetString());
        Assert.Contains("README.md", mq.GetProperty("reason").GetString());
        Assert.Contains("README.md", item.GetProperty("comments").EnumerateArray().Last().GetProperty("text").GetString());
        var hook = JsonDocument.Parse(Ok("hook", "--agent", "w2", "--json").Out).RootElement;
        Assert.Equal("active", hook.GetProperty("hook_state").GetString());
        Assert.Equal(2, MainLog().Count);
        var letter = JsonDocument.Parse(Ok("mail", "inbox", "--as", "w2", "--json").Out).RootElement.EnumerateArray().Single();
        Assert.StartsWith($"{second} returned: conflicts with master in README.md", letter.GetProperty("subject").GetString());
        Assert.Contains("rejected", Ok("feed", "--json").Out);
        Assert.Contains("\"tag\":\"conflict\"", Ok("feed", "--json").Out.Replace(" ", ""));

        // The worker fixes it on its branch and submits again; then it lands.
        var worktree = Path.Combine(_ws.Root, "worktrees", "app", "w2");
        using (var repo = new Repository(worktree))
        {
            var sig = new Signature("w2", "w2@orc.local", DateTimeOffset.Now);
            Commands.Checkout(repo, repo.Branches[$"polecat/w2/{second}"]);
            repo.Merge(new RigIntegration(RigDir).TipOf("master"), sig, new MergeOptions { FileConflictStrategy = CheckoutFileConflictStrategy.Ours });
            File.WriteAllText(Path.Combine(worktree, "README.md"), "line one\nchanged by first\nand by second\nline three\n");
            Commands.Stage(repo, "README.md");
            repo.Commit($"{second}: resolve", sig, sig);
        }
        Ok("done", "--agent", "w2");
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("closed", Show(second).GetProperty("status").GetString());
        Assert.Equal(3, MainLog().Count);
    }

    [Fact]
    public void A_red_gate_returns_the_work_with_the_output_tail_and_main_stays()
    {
        Ok("rig", "remove", "app");
        Ok("rig", "add", "app", _source, "--gate", "sh", "--gate", "-c", "--gate",
            "if [ -e broken ]; then echo 'FAIL: broken is here' >&2; exit 1; fi; echo all green");
        var before = MainLog();
        var bad = Submit("Break it", new() { ["broken"] = "x\n" });
        Ok("refinery", "run", "app", "--once");
        var mq = Mq(bad);
        Assert.Equal("rejected", mq.GetProperty("state").GetString());
        Assert.Contains("the gate", mq.GetProperty("reason").GetString());
        Assert.Contains("FAIL: broken is here", mq.GetProperty("details").GetString());
        var letter = JsonDocument.Parse(Ok("mail", "inbox", "--as", "w1", "--json").Out).RootElement.EnumerateArray().Single();
        Assert.Contains("FAIL: broken is here", letter.GetProperty("body").GetString());
        Assert.Equal(before, MainLog());
        Assert.False(File.Exists(Path.Combine(RigDir, "broken")));
        var good = Submit("Fine", new() { ["fine.txt"] = "x\n" });
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("merged", Mq(good).GetProperty("state").GetString());
    }

    [Fact]
    public void Work_landed_by_mq_retry_ends_its_hook_and_is_never_restarted_or_reopened()
    {
        var red = Path.Combine(_ws.Root, ".orc", "tmp", "red"); // the gate is red while this file exists
        Ok("rig", "remove", "app");
        Ok("rig", "add", "app", _source, "--gate", "sh", "--gate", "-c", "--gate", $"test ! -e '{red}'");
        Directory.CreateDirectory(Path.GetDirectoryName(red)!);
        File.WriteAllText(red, "");
        var id = Submit("Lands on retry", new() { ["retry.txt"] = "x\n" });
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("rejected", Mq(id).GetProperty("state").GetString());
        var hooks = new RecordStore<Hook>(Path.Combine(_ws.Root, "agents"), OrcJsonContext.Default.Hook);
        Assert.Equal(HookStates.Active, hooks.Find("w1")!.State); // back to its worker
        File.Delete(red);
        Ok("mq", "retry", id);
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("merged", Mq(id).GetProperty("state").GetString());
        // Landing ended the hook, whatever path led to it.
        var hook = hooks.Find("w1")!;
        Assert.Equal(HookStates.Completed, hook.State);
        Assert.Contains("landed as", hook.History[^1].Why);
        // The witness does not restart the (long gone) worker, and the item stays closed.
        var witness = Ok("witness", "run", "app", "--once").Out;
        Assert.DoesNotContain("restarted", witness);
        Assert.Equal("closed", Show(id).GetProperty("status").GetString());
        Assert.Equal(HookStates.Completed, hooks.Find("w1")!.State);
        var resume = _ws.Orc("resume", "w1");
        Assert.Equal(1, resume.ExitCode);
        // Cleaning up the landed worker removes its worktree and its branch (the squash is on main).
        Assert.Contains("w1", Ok("cleanup").Out);
        using var repo = new Repository(RigDir);
        Assert.Null(repo.Branches[$"polecat/w1/{id}"]);
    }

    [Fact]
    public void A_red_batch_is_bisected_in_about_log2_gate_runs()
    {
        var counter = Path.Combine(_ws.Root, ".orc", "tmp", "gate-runs");
        Directory.CreateDirectory(Path.GetDirectoryName(counter)!);
        Ok("rig", "remove", "app");
        Ok("rig", "add", "app", _source, "--gate", "sh", "--gate", "-c", "--gate", $"echo run >> '{counter}'; test ! -e bad");
        Settings("batch", "8");
        var ids = new List<string>();
        for (var i = 1; i <= 8; i++)
            ids.Add(Submit($"Change {i}", i == 5 ? new() { ["bad"] = "x\n" } : new() { [$"f{i}.txt"] = $"{i}\n" }));
        Ok("refinery", "run", "app", "--once");
        var runs = File.ReadAllLines(counter).Length;
        // 1 run of the whole batch, 3 to bisect 8, 1 for the three restacked after the culprit.
        Assert.True(runs <= 5, $"{runs} gate runs");
        Assert.Equal("rejected", Mq(ids[4]).GetProperty("state").GetString());
        foreach (var id in ids.Where((_, i) => i != 4)) Assert.Equal("merged", Mq(id).GetProperty("state").GetString());
        Assert.Equal(8, MainLog().Count); // 7 landed + first
    }

    [Fact]
    public void A_refinery_killed_mid_merge_resumes_without_losing_or_doubling_a_submission()
    {
        var landedButUnrecorded = Submit("Landed before the crash", new() { ["x.txt"] = "x\n" });
        var notLanded = Submit("Not yet landed", new() { ["y.txt"] = "y\n" });
        // Replay what a refinery killed between moving main and recording it leaves behind.
        var git = new RigIntegration(RigDir);
        var main = git.TipOf("master");
        var queue = new RecordStore<Submission>(Path.Combine(_ws.Root, "mq", "app"), OrcJsonContext.Default.Submission);
        var s1 = queue.Find(landedButUnrecorded)!;
        var squash = git.Squash(main, s1.Commit, RigIntegration.LandingMessage(s1.Item, "Landed before the crash", s1.Agent, s1.Commits), DateTimeOffset.Now);
        git.FastForward("master", main, squash.Commit!, "test");
        queue.Write(s1.Item, s1 with { State = SubmissionStates.Merging, Candidate = squash.Commit, Onto = main });
        var s2 = queue.Find(notLanded)!;
        queue.Write(s2.Item, s2 with { State = SubmissionStates.Merging, Candidate = "0000000000000000000000000000000000000000", Onto = main });

        Ok("refinery", "run", "app", "--once");
        Assert.Equal("merged", Mq(landedButUnrecorded).GetProperty("state").GetString());
        Assert.Equal("merged", Mq(notLanded).GetProperty("state").GetString());
        var log = MainLog();
        Assert.Single(log, l => l.StartsWith(landedButUnrecorded, StringComparison.Ordinal));
        Assert.Single(log, l => l.StartsWith(notLanded, StringComparison.Ordinal));
        Assert.Contains("queued again", Ok("feed").Out);
    }

    [Fact]
    public void A_second_refinery_for_the_rig_refuses()
    {
        using var held = FileLock.Acquire(Path.Combine(_ws.Root, ".orc", "locks", "refinery-app.lock"), TimeSpan.FromSeconds(5), "test refinery");
        var r = _ws.Orc("refinery", "run", "app", "--once");
        Assert.Equal(5, r.ExitCode);
        // Who holds it: its pid, what for and since when.
        Assert.Matches($@"the refinery@app is already running \(pid {Environment.ProcessId} \(test refinery, since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\)", r.Err);
    }

    [Fact]
    public void A_writer_that_times_out_on_the_workspace_lock_names_who_holds_it()
    {
        var path = Path.Combine(_ws.Root, ".orc", "locks", "workspace.lock");
        using (FileLock.Acquire(path, TimeSpan.FromSeconds(5), "batch"))
        {
            var e = Assert.Throws<Orchestrator.Core.OrcException>(() => FileLock.Acquire(path, TimeSpan.FromMilliseconds(200), "create"));
            Assert.Equal(5, e.ExitCode);
            Assert.Contains($"held by pid {Environment.ProcessId} (batch, since ", e.Message);
        }
        // Free again: the next one takes it and is named.
        using (FileLock.Acquire(path, TimeSpan.FromSeconds(5), "create")) Assert.StartsWith($"pid {Environment.ProcessId} (create, since ",
            FileLock.Holder(path));
    }

    [Fact]
    public void A_hanging_gate_is_stopped_and_reported()
    {
        Ok("rig", "remove", "app");
        Ok("rig", "add", "app", _source, "--gate", "sh", "--gate", "-c", "--gate", "echo starting; sleep 600 & wait");
        Settings("gate_timeout", "2");
        var id = Submit("Hangs the gate", new() { ["h.txt"] = "h\n" });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Ok("refinery", "run", "app", "--once");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), clock.Elapsed.ToString());
        var mq = Mq(id);
        Assert.Equal("rejected", mq.GetProperty("state").GetString());
        Assert.Contains("stopped after 2s", mq.GetProperty("details").GetString());
    }

    [Fact]
    public void A_deleted_branch_or_conflict_markers_are_returned_with_the_reason()
    {
        var gone = Submit("Branch will vanish", new() { ["g.txt"] = "g\n" });
        var markers = Submit("Committed markers", new() { ["m.txt"] = "<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> other\n" });
        Directory.Delete(Path.Combine(_ws.Root, "worktrees", "app", "w1"), true);
        new RigRepository(RigDir).RemoveWorktree("w1", Path.Combine(_ws.Root, "worktrees", "app", "w1"), $"polecat/w1/{gone}");
        Ok("refinery", "run", "app", "--once");
        Assert.Contains("was deleted", Mq(gone).GetProperty("reason").GetString());
        Assert.Equal("open", Show(gone).GetProperty("status").GetString()); // its worker's worktree is gone: back to ready
        Assert.Contains("conflict markers in m.txt", Mq(markers).GetProperty("reason").GetString());
        Assert.Single(MainLog());
    }

    [Fact]
    public void The_gate_runs_in_a_scratch_worktree_never_in_the_rig_checkout()
    {
        var where = Path.Combine(_ws.Root, ".orc", "tmp", "gate-cwd");
        Directory.CreateDirectory(Path.GetDirectoryName(where)!);
        Ok("rig", "remove", "app");
        Ok("rig", "add", "app", _source, "--gate", "sh", "--gate", "-c", "--gate", $"pwd > '{where}'; touch made-by-gate");
        var id = Submit("Anything", new() { ["any.txt"] = "a\n" });
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("merged", Mq(id).GetProperty("state").GetString());
        Assert.EndsWith(Path.Combine("worktrees", "app", ".refinery"), File.ReadAllText(where).Trim());
        Assert.False(File.Exists(Path.Combine(RigDir, "made-by-gate")));
        Assert.Contains("stopped", Ok("status").Out.Split('\n').First(l => l.StartsWith("refinery@app", StringComparison.Ordinal)));
    }

    [Fact]
    public void Queue_verbs_retry_and_reject_with_clear_errors()
    {
        var id = Submit("Hold", new() { ["h.txt"] = "h\n" });
        Assert.Equal(3, _ws.Orc("mq", "show", "app-nope").ExitCode);
        Assert.Contains("only a rejected submission", _ws.Orc("mq", "retry", id).Err);
        Ok("mq", "reject", id, "--reason", "not now");
        Assert.Equal("rejected", Mq(id).GetProperty("state").GetString());
        Assert.Contains("not now", Mq(id).GetProperty("reason").GetString());
        Ok("mq", "retry", id);
        Assert.Equal("queued", Mq(id).GetProperty("state").GetString());
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("merged", Mq(id).GetProperty("state").GetString());
        var all = JsonDocument.Parse(Ok("mq", "list", "--all", "--json").Out).RootElement;
        Assert.Equal(1, all.GetArrayLength());
    }

    /// <summary>Events of the rig's refinery in the feed: (kind, text).</summary>
    private List<(string Kind, string Text)> RefineryEvents() =>
        JsonDocument.Parse(Ok("feed", "--json", "--source", "refinery@app", "-n", "1000").Out).RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("kind").GetString()!, e.GetProperty("text").GetString()!)).ToList();

    /// <summary>
    /// The refinery as 'orc refinery run' holds it: one service object for many passes (its back-off
    /// lives in it), composed the way the CLI composes it, in this process.
    /// </summary>
    private sealed class Loop : IDisposable
    {
        private readonly ServiceProvider _services;

        public Loop(TempWorkspace ws)
        {
            var env = new Dictionary<string, string>(ws.Env) { ["USER"] = "tester", ["HOME"] = ws.Root,
                ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin" };
            _services = Composition.Build(new CliEnvironment(ws.Root, k => env.GetValueOrDefault(k), TextWriter.Null, TextWriter.Null,
                TextReader.Null) { SelfArgv = OrcProcess.Argv });
            Refinery = _services.GetRequiredService<RefineryService>();
        }

        public RefineryService Refinery { get; }

        /// <summary>One pass, with the rig's settings read afresh as the loop does.</summary>
        public List<RefineryOutcome> Pass() => Refinery.Pass(_services.GetRequiredService<RuntimeContext>().Rigs.Get("app"));

        public void Dispose() => _services.Dispose();
    }

    [Fact]
    public void A_dirty_checkout_is_reported_once_retried_with_back_off_and_the_recovery_is_reported_once()
    {
        var id = Submit("Waits for a clean checkout", new() { ["w.txt"] = "w\n" });
        var stray = Path.Combine(RigDir, "stray.txt");
        File.WriteAllText(stray, "left here by hand\n");
        var commits = _ws.CommitCount();
        using var loop = new Loop(_ws);
        var attempts = new List<int>();
        for (var pass = 1; pass <= 12; pass++)
            if (loop.Pass().Any(o => o.Item == id && o.Result == "waiting")) attempts.Add(pass);
        // Tried on passes 1, 3, 6 and 11: after the n-th failure in a row 2^(n-1) passes are skipped.
        Assert.Equal([1, 3, 6, 11], attempts);
        var errors = RefineryEvents().Where(e => e.Kind == "error").ToList();
        Assert.Contains("stray.txt", Assert.Single(errors).Text);
        Assert.Contains("4 failed attempts", loop.Refinery.BackingOff("app"));
        Assert.Equal("queued", Mq(id).GetProperty("state").GetString());
        Assert.Equal(commits, _ws.CommitCount()); // found before anything was recorded: no commit per attempt
        Assert.Single(MainLog());

        File.Delete(stray);
        for (var pass = 0; pass < 40 && Mq(id).GetProperty("state").GetString() != "merged"; pass++) loop.Pass();
        Assert.Equal("merged", Mq(id).GetProperty("state").GetString());
        Assert.Single(MainLog(), l => l.StartsWith(id, StringComparison.Ordinal));
        var events = RefineryEvents();
        Assert.Single(events, e => e.Kind == "error");
        Assert.Contains("after 4 failed attempts", Assert.Single(events, e => e.Kind == "recovered").Text);
        Assert.Null(loop.Refinery.BackingOff("app"));
    }

    [Fact]
    public void A_scratch_worktree_that_cannot_be_made_backs_off_and_the_submission_stays_queued()
    {
        Ok("rig", "remove", "app");
        Ok("rig", "add", "app", _source, "--gate", "true");
        var id = Submit("Needs the scratch worktree", new() { ["s.txt"] = "s\n" });
        var scratch = Path.Combine(_ws.Root, "worktrees", "app", ".refinery");
        File.WriteAllText(scratch, "a file where the scratch worktree goes\n");
        using var loop = new Loop(_ws);
        for (var pass = 0; pass < 6; pass++) loop.Pass();
        Assert.Contains("scratch worktree", Assert.Single(RefineryEvents(), e => e.Kind == "error").Text);
        Assert.Equal("queued", Mq(id).GetProperty("state").GetString());
        Assert.True(loop.Refinery.GateRuns > 1); // it did try again, not once and never after
        Assert.Single(MainLog());

        File.Delete(scratch);
        for (var pass = 0; pass < 40 && Mq(id).GetProperty("state").GetString() != "merged"; pass++) loop.Pass();
        Assert.True(Mq(id).GetProperty("state").GetString() == "merged", string.Join("\n", RefineryEvents()) + "\n" + loop.Refinery.BackingOff("app"));
        Assert.Single(RefineryEvents(), e => e.Kind == "recovered");
        // The failed attempts left no branch behind that would block the next scratch worktree.
        using var repo = new Repository(RigDir);
        Assert.Null(repo.Branches["orc-refinery-app"]);
    }

    [Fact]
    public void A_deleted_scratch_worktree_is_made_again()
    {
        Ok("rig", "remove", "app");
        Ok("rig", "add", "app", _source, "--gate", "true");
        Submit("First", new() { ["1.txt"] = "1\n" });
        Ok("refinery", "run", "app", "--once");
        var scratch = Path.Combine(_ws.Root, "worktrees", "app", ".refinery");
        Assert.True(Directory.Exists(scratch));
        Directory.Delete(scratch, true); // someone cleaned up worktrees/ by hand
        var second = Submit("Second", new() { ["2.txt"] = "2\n" });
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("merged", Mq(second).GetProperty("state").GetString());
        using var repo = new Repository(RigDir);
        Assert.Null(repo.Branches["orc-refinery-app"]); // LibGit2Sharp's side branch, which blocked the second add
    }

    [Fact]
    public void A_scratch_worktree_whose_git_file_is_garbage_is_made_again()
    {
        Ok("rig", "remove", "app");
        Ok("rig", "add", "app", _source, "--gate", "true");
        Submit("First", new() { ["1.txt"] = "1\n" });
        Ok("refinery", "run", "app", "--once");
        var scratch = Path.Combine(_ws.Root, "worktrees", "app", ".refinery");
        File.WriteAllText(Path.Combine(scratch, ".git"), "garbage\n"); // LibGit2Sharp throws on it rather than saying 'not a repository'
        var second = Submit("Second", new() { ["2.txt"] = "2\n" });
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("merged", Mq(second).GetProperty("state").GetString());
        Assert.True(Repository.IsValid(scratch));
    }

    /// <summary>Live (not zombie) processes of process group <paramref name="pgid"/>, read from /proc.</summary>
    private static List<int> ProcessGroup(int pgid)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            var stat = ProcStat(pid);
            if (stat is { State: not "Z" } s && s.Group == pgid) pids.Add(pid);
        }
        return pids;
    }

    /// <summary>State and process group of a process (fields 3 and 5 of /proc/PID/stat), or null if it is gone.</summary>
    private static (string State, int Group)? ProcStat(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' '); // after "PID (COMM) "
        return (fields[0], int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void KillGroup(int pgid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-KILL", "--", "-" + pgid }, UseShellExecute = false,
            RedirectStandardError = true })!;
        kill.WaitForExit();
    }

    [Fact]
    public void A_refinery_killed_with_sigkill_during_the_gate_lands_the_submission_once_and_its_successor_stops_the_old_gate()
    {
        var pidFile = Path.Combine(_ws.Root, ".orc", "tmp", "gate-pid");
        Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        Ok("rig", "set", "app", "gate", $"echo $$ > '{pidFile}'; sleep 30; echo slept");
        var id = Submit("Survives a killed refinery", new() { ["k.txt"] = "k\n" });
        var env = new Dictionary<string, string>(_ws.Env) { ["HOME"] = _ws.Root, ["USER"] = "tester" };
        var output = new StringBuilder();
        using var refinery = Process.Start(OrcProcess.StartInfo(_ws.Root, ["refinery", "run", "app", "--interval", "0.5"], env))!;
        refinery.StandardInput.Close();
        refinery.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        refinery.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        refinery.BeginOutputReadLine();
        refinery.BeginErrorReadLine();
        var gateGroup = 0;
        try
        {
            // The refinery took it: the candidate is recorded, and the gate is running.
            // (The refinery marks the gate's session in .orc/run once the gate has started: wait for that too.)
            RigFixture.Eventually(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0
                && Mq(id).GetProperty("state").GetString() == "merging"
                    && File.Exists(Path.Combine(_ws.Root, ".orc", "run", "refinery-app.gate")),
                () => "the gate never started: " + Mq(id) + "\n" + output, 90);
            var taken = new RecordStore<Submission>(Path.Combine(_ws.Root, "mq", "app"), OrcJsonContext.Default.Submission).Find(id)!;
            Assert.NotNull(taken.Candidate);
            var gatePid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            gateGroup = ProcStat(gatePid)?.Group ?? 0;
            Assert.Equal(gatePid, gateGroup); // setsid: the gate leads its own process group

            refinery.Kill(); // SIGKILL to the refinery process only, as kill -9 PID does
            Assert.True(refinery.WaitForExit(30_000));
            var survivors = ProcessGroup(gateGroup);
            // The gate runs under setsid, so its shell and sleep outlive the refinery: nothing but the
            // next refinery can stop them (they would run on in the scratch worktree, with no time limit).
            TestContext.Current.TestOutputHelper?.WriteLine($"gate group {gateGroup} after kill -9 of the refinery: {(survivors.Count == 0 ? "gone" : "alive: " + string.Join(", ", survivors))}");

            // Restart it with a gate that passes, while whatever survived of the old gate still runs:
            // it must neither block on the old gate nor land the item twice, and it stops the old gate.
            Ok("rig", "set", "app", "gate", "true");
            var again = OrcProcess.Run(_ws.Root, ["refinery", "run", "app", "--once"], env, TimeSpan.FromSeconds(120));
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains($"{id}: merged", again.Out);
            Assert.Empty(ProcessGroup(gateGroup));
            if (survivors.Count > 0) Assert.Single(RefineryEvents(), e => e.Kind == "cleaned" && e.Text.Contains("gate left running"));
            Assert.False(File.Exists(Path.Combine(_ws.Root, ".orc", "run", "refinery-app.gate")));

            var mq = Mq(id);
            Assert.Equal("merged", mq.GetProperty("state").GetString());
            Assert.Equal("closed", Show(id).GetProperty("status").GetString());
            var log = MainLog();
            Assert.Equal(2, log.Count); // "first" and the item, once
            Assert.Single(log, l => l.StartsWith(id, StringComparison.Ordinal));
            using var rigRepo = new Repository(RigDir);
            Assert.Equal(mq.GetProperty("landed").GetString(), rigRepo.Branches["master"].Tip.Sha);
            Assert.Single(RefineryEvents(), e => e.Kind == "recovered" && e.Text.Contains("queued again"));
            Assert.Single(RefineryEvents(), e => e.Kind == "gate" && e.Text.Contains("green"));
            // No stray state: nothing left merging, no side branch, the scratch worktree clean at the landed commit.
            Assert.DoesNotContain(JsonDocument.Parse(Ok("mq", "list", "--all", "--json").Out).RootElement.EnumerateArray(),
                e => e.GetProperty("state").GetString() == "merging");
            Assert.Null(rigRepo.Branches["orc-refinery-app"]);
            using var scratch = new Repository(Path.Combine(_ws.Root, "worktrees", "app", ".refinery"));
            Assert.Equal(rigRepo.Branches["master"].Tip.Sha, scratch.Head.Tip.Sha);
            Assert.False(scratch.RetrieveStatus(new StatusOptions { IncludeUntracked = true }).IsDirty);
        }
        finally
        {
            if (!refinery.HasExited) refinery.Kill();
            if (gateGroup > 0) KillGroup(gateGroup);
        }
    }
}
