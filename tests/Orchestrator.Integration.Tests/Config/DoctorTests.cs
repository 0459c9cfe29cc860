using System.Diagnostics;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Config;

/// <summary>
/// <c>orc doctor</c> on a real workspace (git) with problems put there on purpose: each is named
/// with its fix, <c>--fix</c> mends the safe ones, exit 0 only when nothing is left. The tmux socket
/// folder checked is a private one (TMUX_TMPDIR), never the machine's.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class DoctorTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _tmuxTmp = Path.Combine(Path.GetTempPath(), "orc-doctor-tmux-" + Guid.NewGuid().ToString("N")[..10]);

    public DoctorTests()
    {
        Directory.CreateDirectory(_tmuxTmp);
        _ws.Env["TMUX_TMPDIR"] = _tmuxTmp;
        _ws.Env["XDG_CONFIG_HOME"] = Path.Combine(_tmuxTmp, "xdg");
    }

    public void Dispose()
    {
        _ws.Dispose();
        try { Directory.Delete(_tmuxTmp, recursive: true); } catch (IOException) { }
    }

    private string SocketDir => Path.Combine(_tmuxTmp, "tmux-" + Orchestrator.Adapters.Tmux.TmuxServer.UserId);

    private (int Code, bool Healthy, List<(string Check, string Status, string Message, string? Fix)> Checks) Doctor(params string[] extra)
    {
        var r = _ws.Orc(["doctor", "--json", .. extra]);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        var checks = doc.GetProperty("checks").EnumerateArray().Select(c => (
            c.GetProperty("check").GetString()!, c.GetProperty("status").GetString()!, c.GetProperty("message").GetString()!,
            c.TryGetProperty("fix", out var f) ? f.GetString() : null)).ToList();
        return (r.ExitCode, doc.GetProperty("healthy").GetBoolean(), checks);
    }

    private static void Git(string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {err}");
    }

    [Fact]
    public void A_fresh_workspace_is_healthy()
    {
        var (code, healthy, checks) = Doctor();
        Assert.True(code == 0 && healthy, string.Join("\n", checks));
        foreach (var name in new[] { "git", "tmux", "tmux socket folder", "config", "agent program", "git lock", "worktrees", "ledger", "merge driver",
            "workspace git" })
            Assert.Contains(checks, c => c.Check == name && c.Status == "ok");
        var text = _ws.Orc("doctor");
        Assert.Equal(0, text.ExitCode);
        Assert.EndsWith("healthy\n", text.Out);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Fix_mends_the_safe_problems_and_says_what_it_did()
    {
        // A socket folder others can read, no merge driver, a git lock left by a crash, a rig worktree whose folder is gone.
        Directory.CreateDirectory(SocketDir);
        File.SetUnixFileMode(SocketDir, (UnixFileMode)Convert.ToInt32("755", 8));
        using (var repo = new Repository(_ws.Root))
        {
            repo.Config.Unset("merge.orc-ledger.driver", ConfigurationLevel.Local);
        }
        var gitLock = Path.Combine(_ws.Root, ".git", "index.lock");
        var source = RigFixture.CreateSource(_ws);
        try
        {
            Assert.Equal(0, _ws.Orc("rig", "add", "app", source).ExitCode);
            var gone = Path.Combine(_ws.Root, "worktrees", "app", "ghost");
            Git(Path.Combine(_ws.Root, "rigs", "app"), "worktree", "add", "-b", "ghost", gone);
            Directory.Delete(gone, recursive: true);
            File.WriteAllText(gitLock, ""); // after the commits above: orc's own commit clears a stale lock
            File.SetLastWriteTimeUtc(gitLock, DateTime.UtcNow.AddHours(-1));

            var (code, healthy, checks) = Doctor();
            Assert.Equal(1, code);
            Assert.False(healthy);
            Assert.Contains(checks,
                c => c.Check == "tmux socket folder" && c.Status == "problem" && c.Message.Contains("0755") && c.Fix!.Contains("chmod 700"));
            Assert.Contains(checks, c => c.Check == "merge driver" && c.Status == "problem");
            Assert.Contains(checks, c => c.Check == "git lock" && c.Status == "problem" && c.Message.Contains("index.lock"));
            Assert.Contains(checks, c => c.Check == "worktrees" && c.Status == "problem" && c.Fix!.Contains("worktree prune"));
            Assert.True(File.Exists(gitLock)); // nothing changed without --fix

            var fixedRun = _ws.Orc("doctor", "--fix");
            Assert.True(fixedRun.ExitCode == 0, fixedRun.ToString());
            Assert.Contains("fixed    tmux socket folder", fixedRun.Out);
            Assert.Contains("fixed    merge driver", fixedRun.Out);
            Assert.Contains("fixed    git lock", fixedRun.Out);
            Assert.Contains("fixed    worktrees", fixedRun.Out);
            Assert.Equal("700", Convert.ToString((int)File.GetUnixFileMode(SocketDir) & 0x1ff, 8));
            Assert.False(File.Exists(gitLock));
            using (var repo = new Repository(_ws.Root))
                Assert.Contains("merge-driver", repo.Config.Get<string>("merge.orc-ledger.driver").Value);

            var after = Doctor();
            Assert.True(after.Code == 0 && after.Healthy, string.Join("\n", after.Checks));
        }
        finally { RigFixture.DeleteSource(source); }
    }

    [Fact]
    public void Ledger_problems_and_a_dirty_workspace_remain_after_fix_with_exit_1()
    {
        var a = _ws.Create("a");
        var b = _ws.Create("b");
        Assert.Equal(0, _ws.Orc("item", "dep", "add", a, b).ExitCode);
        // Introduce by hand (as a bad merge would): a cycle b -> a, a dangling dependency, a duplicate line, an unreadable line.
        var lines = File.ReadAllLines(_ws.LedgerPath).ToList();
        var bLine = lines.Single(l => l.Contains($"\"id\":\"{b}\""));
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(bLine)!.AsObject();
            node["dependencies"] = new System.Text.Json.Nodes.JsonArray(
                new System.Text.Json.Nodes.JsonObject { ["issue_id"] = b, ["depends_on_id"] = a, ["type"] = "blocks", ["created_at"] = "2026-01-01T00:00:00Z",
                    ["created_by"] = "t" },
                new System.Text.Json.Nodes.JsonObject { ["issue_id"] = b, ["depends_on_id"] = "hq-zzzz", ["type"] = "blocks",
                    ["created_at"] = "2026-01-01T00:00:00Z", ["created_by"] = "t" });
            lines[lines.IndexOf(bLine)] = node.ToJsonString();
        }
        lines.Add(lines[0]);
        lines.Add("{not json");
        File.WriteAllLines(_ws.LedgerPath, lines);

        var r = _ws.Orc("doctor", "--fix");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("dependency cycle", r.Out);
        Assert.Contains("hq-zzzz, which is not in the ledger", r.Out);
        Assert.Contains("appears on more than one line", r.Out);
        Assert.Contains($"ledger/issues.jsonl:{lines.Count}:", r.Out);
        Assert.Contains("uncommitted change", r.Out); // the hand edit itself
        Assert.All(r.Out.Split('\n').Where(l => l.StartsWith("problem")), l => Assert.Contains("; fix: ", l));
    }

    [Fact]
    public void A_missing_agent_program_and_a_hookless_worktree_are_named()
    {
        // A profile whose program is on no machine (a real CLI such as claude may well be installed here).
        Directory.CreateDirectory(Path.Combine(_ws.Root, ".orc", "profiles"));
        File.WriteAllText(Path.Combine(_ws.Root, ".orc", "profiles", "ghost.yaml"), "name: ghost\ncommand: no-such-agent-cli\nprompt: arg\n");
        Assert.Equal(0, _ws.Orc("config", "set", "default_profile", "ghost").ExitCode);
        Directory.CreateDirectory(Path.Combine(_ws.Root, "worktrees", "app", "orphan"));
        var r = _ws.Run(["doctor"], new() { ["PATH"] = "/nonexistent-bin:/usr/bin:/bin" }, null);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("profile ghost: 'no-such-agent-cli' is not on PATH", r.Out);
        Assert.Contains("worktrees/app/orphan: no agent's hook points at this worktree", r.Out);
        Assert.Contains("not done by --fix", r.Out);
    }

    [Fact]
    public void Stray_polecat_branches_are_named_and_only_the_empty_ones_deleted()
    {
        var source = RigFixture.CreateSource(_ws);
        try
        {
            Assert.Equal(0, _ws.Orc("rig", "add", "app", source).ExitCode);
            var rig = Path.Combine(_ws.Root, "rigs", "app");
            // As a failed sling leaves it: a branch at main's tip that no hook uses. And one holding a commit nobody tracks.
            Git(rig, "branch", "polecat/left-over");
            var side = Path.Combine(Path.GetTempPath(), "orc-doctor-side-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                Git(rig, "worktree", "add", "-b", "polecat/orphan-work", side);
                File.WriteAllText(Path.Combine(side, "work.txt"), "only here\n");
                Git(side, "add", "work.txt");
                Git(side, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "work nobody tracks");
                Git(rig, "worktree", "remove", "--force", side);
            }
            finally { if (Directory.Exists(side)) Directory.Delete(side, recursive: true); }

            var (code, _, checks) = Doctor();
            Assert.Equal(1, code);
            Assert.Contains(checks,
                c => c.Check == "branches" && c.Status == "problem" && c.Message.Contains("polecat/left-over")
                && c.Fix!.Contains("orc doctor --fix (deletes them"));
            Assert.Contains(checks,
                c => c.Check == "branches" && c.Status == "problem" && c.Message.Contains("polecat/orphan-work") && c.Message.Contains("hold commits")
                && c.Fix!.Contains("not done by --fix"));

            var fixedRun = _ws.Orc("doctor", "--fix");
            Assert.Equal(1, fixedRun.ExitCode); // the branch holding work stays a problem
            Assert.Contains("deleted 1 polecat branch(es) with nothing beyond", fixedRun.Out);
            using var repo = new Repository(rig);
            Assert.Null(repo.Branches["polecat/left-over"]);
            Assert.NotNull(repo.Branches["polecat/orphan-work"]);
        }
        finally { RigFixture.DeleteSource(source); }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void An_agent_cli_outside_the_verified_versions_is_named_and_an_unverified_profile_says_so()
    {
        var bin = Path.Combine(_tmuxTmp, "bin");
        Directory.CreateDirectory(bin);
        foreach (var (name, version) in new[] { ("claude", "9.9.9 (Claude Code)"), ("codex", "codex-cli 0.169.2"), ("gemini", "0.1.0") })
        {
            File.WriteAllText(Path.Combine(bin, name), $"#!/bin/sh\necho '{version}'\n");
            File.SetUnixFileMode(Path.Combine(bin, name), (UnixFileMode)Convert.ToInt32("755", 8));
        }
        Assert.Equal(0, _ws.Orc("config", "set", "default_profile", "claude").ExitCode);
        var path = $"{bin}:/usr/bin:/bin";
        var r = _ws.Run(["doctor"], new() { ["PATH"] = path }, null);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("profile claude: claude 9.9.9 is outside the versions this profile was verified with (2.1.x; screens captured from 2.1.328)", r.Out);
        Assert.Equal(0, _ws.Orc("config", "set", "default_profile", "codex").ExitCode);
        Assert.Contains("profile codex: codex 0.169.2 (verified with 0.169.x, 0.17.x)", _ws.Run(["doctor"], new() { ["PATH"] = path }, null).Out);
        Assert.Equal(0, _ws.Orc("config", "set", "default_profile", "gemini").ExitCode);
        Assert.Contains("this profile is NOT verified against the real gemini", _ws.Run(["doctor"], new() { ["PATH"] = path }, null).Out);
    }

    [Fact]
    public void A_workspace_whose_refinery_ran_its_gate_is_healthy_with_its_gate_worktree_and_new_event_lines()
    {
        var source = RigFixture.CreateSource(_ws);
        try
        {
            Assert.Equal(0, _ws.Orc("rig", "add", "app", source, "--gate", "true").ExitCode);
            var id = RigFixture.Submit(_ws, "app", "w1", "Add a", new() { ["a.txt"] = "a\n" });
            var run = _ws.Orc("refinery", "run", "app", "--once");
            Assert.True(run.ExitCode == 0 && run.Out.Contains($"{id}: merged"), run.ToString());
            var gate = Path.Combine(_ws.Root, "worktrees", "app", ".refinery");
            Assert.True(Repository.IsValid(gate), "the gate ran in the refinery's scratch worktree");
            using (var repo = new Repository(_ws.Root))
                Assert.Equal(FileStatus.ModifiedInWorkdir, repo.RetrieveStatus("events/events.jsonl")); // the refinery's last events wait for orc's next commit

            var (code, healthy, checks) = Doctor();
            Assert.True(code == 0 && healthy, string.Join("\n", checks));
            Assert.Contains(checks, c => c.Check == "worktrees" && c.Status == "ok");
            Assert.Contains(checks, c => c.Check == "hooks" && c.Status == "ok");
            Assert.Contains(checks, c => c.Check == "workspace git" && c.Status == "ok" && c.Message.Contains("new event lines"));
            Assert.DoesNotContain(checks, c => c.Message.Contains(".refinery"));

            // A line of the log changed by hand is not orc's.
            var events = Path.Combine(_ws.Root, "events", "events.jsonl");
            var lines = File.ReadAllLines(events);
            lines[0] = lines[0].Replace("\"text\":\"", "\"text\":\"edited ", StringComparison.Ordinal);
            File.WriteAllLines(events, lines);
            var edited = Doctor();
            Assert.Equal(1, edited.Code);
            Assert.Contains(edited.Checks,
                c => c.Check == "workspace git" && c.Status == "problem" && c.Message.Contains("events/events.jsonl")
                && c.Message.Contains("orc did not make"));
        }
        finally { RigFixture.DeleteSource(source); }
    }

    [Fact]
    public void A_worktree_whose_git_link_broke_is_pointed_back_at_its_record_by_fix_and_one_without_a_record_is_only_named()
    {
        var source = RigFixture.CreateSource(_ws);
        try
        {
            Assert.Equal(0, _ws.Orc("rig", "add", "app", source).ExitCode);
            var (_, garbage) = RigFixture.Hook(_ws, "app", "w1", "One", new() { ["one.txt"] = "1\n" });
            var (_, elsewhere) = RigFixture.Hook(_ws, "app", "w2", "Two", new() { ["two.txt"] = "2\n" });
            var (_, unrecorded) = RigFixture.Hook(_ws, "app", "w3", "Three", new() { ["three.txt"] = "3\n" });
            File.WriteAllText(Path.Combine(garbage, "wip.txt"), "not committed\n");
            File.WriteAllText(Path.Combine(garbage, ".git"), "garbage\n");
            File.WriteAllText(Path.Combine(elsewhere, ".git"), "gitdir: /nonexistent/.git/worktrees/w2\n");
            Directory.Delete(Path.Combine(_ws.Root, "rigs", "app", ".git", "worktrees", "w3"), recursive: true);

            var (code, _, checks) = Doctor();
            Assert.Equal(1, code);
            foreach (var name in new[] { "w1", "w2" })
                Assert.Contains(checks,
                    c => c.Check == "worktrees" && c.Status == "problem" && c.Message.StartsWith($"worktrees/app/{name}: its .git file does not lead",
                    StringComparison.Ordinal)
                    && c.Fix!.StartsWith("orc doctor --fix (points", StringComparison.Ordinal));
            Assert.Contains(checks,
                c => c.Check == "worktrees" && c.Status == "problem"
                && c.Message.StartsWith("worktrees/app/w3: not a git worktree any more, and rigs/app has no record", StringComparison.Ordinal)
                && c.Fix!.Contains("git -C rigs/app worktree add worktrees/app/w3") && c.Fix.Contains("not done by --fix"));

            var fixedRun = _ws.Orc("doctor", "--fix");
            Assert.Equal(1, fixedRun.ExitCode); // w3 is left for a person
            Assert.Contains("fixed    worktrees: worktrees/app/w1: its .git file points at its record again", fixedRun.Out);
            Assert.Contains("fixed    worktrees: worktrees/app/w2: its .git file points at its record again", fixedRun.Out);
            foreach (var (wt, branch) in new[] { (garbage, "w1"), (elsewhere, "w2") })
            {
                using var repo = new Repository(wt);
                Assert.StartsWith($"polecat/{branch}/", repo.Head.FriendlyName);
            }
            Assert.Equal("not committed\n", File.ReadAllText(Path.Combine(garbage, "wip.txt")));
            Assert.False(Repository.IsValid(unrecorded));
        }
        finally { RigFixture.DeleteSource(source); }
    }

    [Fact]
    public void A_hook_whose_worktree_is_gone_is_named_with_the_command_that_ends_it_and_that_command_works()
    {
        var source = RigFixture.CreateSource(_ws);
        try
        {
            Assert.Equal(0, _ws.Orc("rig", "add", "app", source).ExitCode);
            RigFixture.Submit(_ws, "app", "w1", "Done", new() { ["done.txt"] = "d\n" });
            var (held, _) = RigFixture.Hook(_ws, "app", "w2", "Held", new() { ["held.txt"] = "h\n" });
            foreach (var agent in new[] { "w1", "w2" }) Directory.Delete(Path.Combine(_ws.Root, "worktrees", "app", agent), recursive: true);

            var (code, _, checks) = Doctor();
            Assert.Equal(1, code);
            Assert.Contains(checks,
                c => c.Check == "hooks" && c.Status == "problem" && c.Message == "agent w1: its worktree worktrees/app/w1 is gone (its hook is completed)"
                && c.Fix!.StartsWith("orc cleanup", StringComparison.Ordinal));
            Assert.Contains(checks,
                c => c.Check == "hooks" && c.Status == "problem" && c.Message.StartsWith($"agent w2 holds {held} but its worktree worktrees/app/w2 is gone",
                StringComparison.Ordinal)
                && c.Fix!.StartsWith("orc unsling w2 --remove-worktree", StringComparison.Ordinal) && c.Fix.Contains("not done by --fix"));
            Assert.Equal(1, _ws.Orc("doctor", "--fix").ExitCode); // neither is --fix's to end

            var cleanup = _ws.Orc("cleanup");
            Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
            var unsling = _ws.Orc("unsling", "w2", "--remove-worktree");
            Assert.True(unsling.ExitCode == 0, unsling.ToString());
            var after = Doctor();
            Assert.DoesNotContain(after.Checks, c => c.Check is "hooks" or "worktrees" && c.Status != "ok"); // git's records of both went too
            using var rig = new Repository(Path.Combine(_ws.Root, "rigs", "app"));
            Assert.Empty(rig.Worktrees);
        }
        finally { RigFixture.DeleteSource(source); }
    }

    [Fact]
    public void The_gate_worktree_of_a_rig_that_no_longer_exists_is_removed_by_fix()
    {
        var leftover = Path.Combine(_ws.Root, "worktrees", "gone", ".refinery");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "README.md"), "a checkout of the rig's code\n");
        var (code, _, checks) = Doctor();
        Assert.Equal(1, code);
        Assert.Contains(checks,
            c => c.Check == "worktrees" && c.Status == "problem"
            && c.Message == "worktrees/gone/.refinery: the refinery's gate worktree of rig gone, which no longer exists");
        var fixedRun = _ws.Orc("doctor", "--fix");
        Assert.True(fixedRun.ExitCode == 0, fixedRun.ToString());
        Assert.False(Directory.Exists(leftover));
    }
}
