using System.Diagnostics;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Agents;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>
/// <c>orc rig remove</c> against real git and a real tmux server on a private socket, with sim
/// agents: refused while the rig's agents hold work or run, its queue has work or a worktree has
/// changes; otherwise its hooks are archived and orc's worktrees go, and in a linked rig the user's
/// repository keeps its checkout, branches and own worktrees.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class RigRemoveTests : IDisposable
{
    private readonly FleetFixture _fleet;
    private readonly TempWorkspace _ws;

    public RigRemoveTests()
    {
        _fleet = new FleetFixture(rig: null);
        _ws = _fleet.Ws;
    }

    public void Dispose() => _fleet.Dispose();

    private CliResult Ok(params string[] args) => _fleet.Ok(args);

    private void Refused(string expected, params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 1 && r.Err.Contains(expected, StringComparison.Ordinal), $"{string.Join(' ', args)}: expected '{expected}', got {r}");
    }

    private RecordStore<Hook> Hooks => new(Path.Combine(_ws.Root, "agents"), OrcJsonContext.Default.Hook);

    private static string Git(string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {err.Result}");
        return output + err.Result;
    }

    /// <summary>A sim polecat's work on a new item, landed by the refinery (through the rig's gate); returns the agent and the item.</summary>
    private (string Agent, string Item) Landed(string title)
    {
        var id = _fleet.Item(title);
        var agent = _fleet.Sling(id);
        _fleet.WaitForState(agent, "done");
        var run = Ok("refinery", "run", "app", "--once");
        Assert.Contains($"{id}: merged", run.Out);
        return (agent, id);
    }

    /// <summary>What must work after a rig is gone: cleanup, the agents list, and doctor finds no hook or worktree of it.</summary>
    private void EverythingStillWorks(string agent)
    {
        Assert.Equal(0, _ws.Orc("cleanup").ExitCode);
        var agents = Ok("agents", "--json").Out;
        Assert.DoesNotContain(agent, agents);
        Assert.Equal(0, _ws.Orc("agents").ExitCode);
        var doctor = JsonDocument.Parse(_ws.Orc("doctor", "--json").Out).RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("check").GetString() is "worktrees" or "hooks" or "branches" && c.GetProperty("status").GetString() != "ok").ToList();
        Assert.True(doctor.Count == 0, string.Join("\n", doctor));
    }

    [Fact]
    public void Removing_a_rig_archives_its_hooks_and_removes_its_worktrees_and_cleanup_and_agents_work_after()
    {
        Ok("rig", "add", "app", _fleet.Source, "--gate", "true");
        var (agent, item) = Landed("Add a greeting");
        Assert.True(Directory.Exists(Path.Combine(_ws.Root, "worktrees", "app", ".refinery")));
        Assert.Equal(HookStates.Completed, Hooks.Find(agent)!.State);

        var r = Ok("rig", "remove", "app");
        Assert.Contains("removed rig app", r.Out);
        Assert.Contains($"archived the hooks of {agent}", r.Out);
        Assert.Contains($"worktrees/app/{agent}", r.Out);
        Assert.Contains("worktrees/app/.refinery", r.Out);
        var hook = Hooks.Find(agent)!;
        Assert.Equal(HookStates.Archived, hook.State);
        Assert.Equal("rig app removed by tester", hook.History[^1].Why);
        Assert.Contains(agent, Ok("history", item).Out); // the work's history stays
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "worktrees", "app")));
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "rigs", "app")));
        Assert.True(_ws.IsClean(), "the removal is committed: " + _ws.Dirty());
        EverythingStillWorks(agent);

        // The name can be used again.
        Ok("rig", "add", "app", _fleet.Source);
        Assert.Equal(0, _ws.Orc("cleanup").ExitCode);
    }

    [Fact]
    public void A_rig_is_not_removed_while_its_agents_hold_work_or_run_or_its_queue_or_a_worktree_has_work()
    {
        Ok("rig", "add", "app", _fleet.Source);
        var hanging = _fleet.Item("Never ends", "-l", "sim:hang");
        var agent = _fleet.Sling(hanging);
        _fleet.WaitForState(agent, "working");
        Refused($"rig app has agents holding work: {agent} ({hanging}); finish or release them first", "rig", "remove", "app");

        Ok("unsling", agent);
        // An agent's program still open after its hook ended (a real CLI stays at its prompt).
        _fleet.Tmux.StartWindow("app", agent, _ws.Root, new Dictionary<string, string>(), ["sleep", "600"], replaceRunning: true);
        Refused($"rig app has agents running: {agent}; stop them first ('orc kill AGENT')", "rig", "remove", "app");

        Ok("kill", agent);
        var worktree = Path.Combine(_ws.Root, "worktrees", "app", agent);
        File.WriteAllText(Path.Combine(worktree, "unsaved.txt"), "work in progress\n");
        Refused($"worktrees/app/{agent} has uncommitted changes (unsaved.txt); commit them or remove them first", "rig", "remove", "app");

        File.Delete(Path.Combine(worktree, "unsaved.txt"));
        var queued = RigFixture.Submit(_ws, "app", "w1", "Queued", new() { ["q.txt"] = "q\n" });
        Refused($"rig app has work in its merge queue: {queued} (w1, queued); let the refinery land it, or take it out ('orc mq reject ITEM --reason TEXT'; work waiting for review: 'orc review approve|reject ITEM')", "rig", "remove", "app");
        Assert.Equal(0, _ws.Orc("rig", "show", "app").ExitCode); // nothing changed while refused
        Assert.True(Directory.Exists(worktree));

        Assert.Contains($"{queued}: merged", Ok("refinery", "run", "app", "--once").Out);
        var r = Ok("rig", "remove", "app");
        Assert.Contains($"archived the hooks of {agent}, w1", r.Out);
        EverythingStillWorks(agent);
    }

    [Fact]
    public void Removing_a_linked_rig_leaves_the_users_repository_as_it_was_but_for_orcs_worktrees()
    {
        var user = Path.GetFullPath(_fleet.Source);
        var mine = user + "-mine";
        var old = user + "-old";
        try
        {
            // The user's own worktrees: one in use, one whose folder they deleted (a stale record of theirs).
            Git(user, "worktree", "add", "-q", "-b", "mine", mine);
            Git(user, "worktree", "add", "-q", "-b", "old", old);
            Directory.Delete(old, recursive: true);
            Ok("rig", "add", "app", user, "--link", "--gate", "true");
            var (agent, item) = Landed("Add a greeting");
            using (var repo = new Repository(user))
            {
                // LibGit2Sharp lists a worktree it cannot open (the user's stale one, or one git is changing) as null.
                Assert.Contains(repo.Worktrees, w => w?.Name == RigIntegrationName);
                Assert.Contains(repo.Worktrees, w => w?.Name == agent);
            }

            var r = Ok("rig", "remove", "app");
            Assert.Contains($"removed rig app (unlinked: {user} keeps its checkout, branches and own worktrees)", r.Out);
            Assert.True(Repository.IsValid(user));
            using (var repo = new Repository(user))
            {
                Assert.Equal([Path.GetFileName(mine), Path.GetFileName(old)], Directory.GetDirectories(Path.Combine(user, ".git",
                    "worktrees")).Select(Path.GetFileName).Order());
                Assert.Equal("master", repo.Head.FriendlyName);
                Assert.StartsWith($"{item}: Add a greeting", repo.Head.Tip.MessageShort); // the landed work stays
                Assert.DoesNotContain(repo.RetrieveStatus(), e => e.State != FileStatus.Ignored); // the checkout is clean
                Assert.NotNull(repo.Branches["mine"]);
                Assert.NotNull(repo.Branches["old"]);
                Assert.Null(repo.Branches["orc/refinery-scratch"]);
                Assert.Null(repo.Branches[$"polecat/{agent}/{item}"]); // landed: its squash is on master
            }
            Assert.True(Directory.Exists(mine));
            // Nothing of orc's is left for git to prune: only the user's own stale record.
            Assert.Equal($"Removing worktrees/{Path.GetFileName(old)}: gitdir file points to non-existent location", Git(user, "worktree", "prune", "--dry-run",
                "--verbose").Trim());
            EverythingStillWorks(agent);
        }
        finally
        {
            foreach (var d in new[] { mine, old }) if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
        }
    }

    [Fact]
    public void Hooks_an_older_orc_left_on_a_removed_rig_are_ended_by_cleanup_and_their_folders_named_by_doctor()
    {
        Ok("rig", "add", "app", _fleet.Source);
        RigFixture.Submit(_ws, "app", "w1", "Left behind", new() { ["l.txt"] = "l\n" });
        var folder = Path.Combine(_ws.Root, "worktrees", "app", "w1");
        // What 'orc rig remove' did before: the rig's file and checkout gone, its hooks and worktrees left.
        Git(_ws.Root, "rm", "-q", ".orc/rigs/app.yaml");
        Git(_ws.Root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "an older orc's rig remove");
        Directory.Delete(Path.Combine(_ws.Root, "rigs", "app"), recursive: true);

        var cleanup = _ws.Orc("cleanup");
        Assert.Equal(1, cleanup.ExitCode);
        Assert.Contains($"orc: kept {folder}: its hook is ended (rig app no longer exists)", cleanup.Err);
        Assert.Equal(HookStates.Archived, Hooks.Find("w1")!.State);
        Assert.Equal(0, _ws.Orc("cleanup").ExitCode); // nothing left to end
        Assert.DoesNotContain("w1", Ok("agents", "--json").Out);
        var doctor = JsonDocument.Parse(_ws.Orc("doctor", "--json").Out).RootElement.GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("check").GetString() == "worktrees" && c.GetProperty("status").GetString() == "problem");
        Assert.Equal("worktrees/app/w1: left by rig app, which no longer exists (git cannot tell what it holds)", doctor.GetProperty("message").GetString());
        Assert.StartsWith("copy out what is worth keeping, then rm -r worktrees/app/w1", doctor.GetProperty("fix").GetString());
    }

    private static string RigIntegrationName => Orchestrator.Adapters.Git.RigIntegration.ScratchName("app");
}
