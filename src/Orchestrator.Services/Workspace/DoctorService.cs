using System.Globalization;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Processes;
using Orchestrator.Adapters.Profiles;
using Orchestrator.Adapters.Storage;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Workspace;

/// <summary>
/// <c>orc doctor</c>: checks what orc needs from the machine (git, tmux, the tmux socket folder,
/// the agents' programs) and the workspace (worktrees, git locks, the ledger, the git state,
/// the merge driver). Each problem says how to fix it; with fix, the safe ones are fixed.
/// </summary>
public sealed class DoctorService(RuntimeContext runtime, LedgerService ledger)
{
    public static readonly Version MinimumGit = new(2, 17); // 'git worktree prune/remove'
    public static readonly TimeSpan StaleGitLock = TimeSpan.FromMinutes(2);

    public enum Status { Ok, Problem, Fixed, Skipped }

    /// <summary>One check's outcome: what was looked at, what is wrong, and how to fix it (or what was done).</summary>
    public sealed record Finding(string Check, Status Status, string Message, string? Fix = null);

    private WorkspaceContext Context => runtime.Workspace;
    private Func<string, string?> Env => Context.Environment;

    public List<Finding> Run(bool fix, string mergeDriverCommand)
    {
        var found = new List<Finding>();
        // One check that cannot run (a native library missing, a file that will not read) is a
        // problem of its own; the other checks still run.
        void Add(string check, Func<IEnumerable<Finding>> run)
        {
            try { found.AddRange(run()); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                found.Add(new(check, Status.Problem, $"the check could not run: {TerminalText.Line(e.GetType().Name + ": " + e.Message)}",
                    "see the git engine check, and .orc/logs/"));
            }
        }
        Add("git", () => [Git()]);
        Add("git engine", () => [GitEngine()]);
        Add("tmux", () => [Tmux()]);
        Add("tmux socket folder", () => [SocketFolder(fix)]);
        var paths = Context.TryPaths;
        if (paths is null)
        {
            found.Add(new("workspace", Status.Skipped, "not in a workspace: workspace checks skipped (cd into one or set ORC_WORKSPACE)"));
            return found;
        }
        Add("config", () => [Config()]);
        Add("agent program", AgentPrograms);
        Add("git lock", () => GitLocks(fix));
        Add("worktrees", () => Worktrees(fix));
        Add("hooks", HookWorktrees);
        Add("branches", () => LandedBranches(fix));
        Add("ledger", Ledger);
        Add("merge driver", () => [MergeDriver(fix, mergeDriverCommand)]);
        Add("workspace git", () => [WorkspaceClean()]);
        return found;
    }

    private Finding Git()
    {
        var r = Run(["git", "--version"], Context.CurrentDirectory);
        if (r is null) return new("git", Status.Problem, "git is not installed or not on PATH", "install git (apt-get install git)");
        var v = ParseVersion(r);
        if (v is null) return new("git", Status.Problem, $"cannot tell the git version from '{TerminalText.Line(r)}'", "install a recent git");
        return v < MinimumGit
            ? new("git", Status.Problem, $"git {v} is too old; orc needs {MinimumGit} or newer", "upgrade git")
            : new("git", Status.Ok, $"git {v}");
    }

    /// <summary>
    /// LibGit2Sharp and its native libgit2, tried on every kind of operation orc does
    /// (<see cref="GitEngineCheck"/>) in a child orc, so a build whose native calls abort (a
    /// NativeAOT one, a missing or wrong libgit2 library) is reported here with the step, not
    /// found later as a refinery that dies on every pass.
    /// </summary>
    private Finding GitEngine()
    {
        const string check = "git engine";
        var fix = "keep the libgit2-*.so published beside orc, or use the .NET tool build (see README, Install); details in .orc/logs/";
        var outcome = CommandRunner.Run([.. runtime.SelfArgv, "doctor", "git-engine"], Context.CurrentDirectory, new Dictionary<string, string?>(),
            TimeSpan.FromSeconds(60));
        var lines = outcome.Tail.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (outcome.ExitCode == 0 && lines.LastOrDefault() is { } last && last.StartsWith("ok", StringComparison.Ordinal))
            return new(check, Status.Ok,
                $"libgit2 does all {GitEngineCheck.Steps.Length} kinds of operation orc needs ({TerminalText.Line(last[2..].Trim())})");
        var step = lines.LastOrDefault(l => l.StartsWith("step ", StringComparison.Ordinal))?[5..] ?? "start";
        var why = lines.LastOrDefault(l => l.StartsWith("orc: ", StringComparison.Ordinal)) ?? lines.LastOrDefault(l => !l.StartsWith("step ",
            StringComparison.Ordinal)) ?? Describe(outcome);
        return new(check, Status.Problem, $"libgit2 failed at step '{step}' ({Describe(outcome)}): {TerminalText.Line(why)}", fix);
    }

    private static string Describe(CommandOutcome o) =>
        o.TimedOut ? $"no answer in {o.Elapsed.TotalSeconds:0} s" : o.ExitCode > 128
            ? $"exit {o.ExitCode}: killed by signal {o.ExitCode - 128}" : $"exit {o.ExitCode}";

    private Finding Tmux()
    {
        var r = Run(["tmux", "-V"], Context.CurrentDirectory);
        if (r is null) return new("tmux", Status.Problem, $"tmux is not installed or not on PATH",
            $"install tmux {TmuxServer.MinimumVersion} or newer (apt-get install tmux)");
        var v = ParseVersion(r);
        if (v is null) return new("tmux", Status.Problem, $"cannot tell the tmux version from '{TerminalText.Line(r)}'", "install a recent tmux");
        return v < TmuxServer.MinimumVersion
            ? new("tmux", Status.Problem, $"tmux {v} is too old; orc needs {TmuxServer.MinimumVersion} or newer", "upgrade tmux")
            : new("tmux", Status.Ok, $"tmux {v} (orc needs {TmuxServer.MinimumVersion} or newer)");
    }

    /// <summary>The tmux socket folder must be the user's and private (mode 0700): the rule orc itself enforces (<see cref="SocketGuard"/>).</summary>
    private Finding SocketFolder(bool fix)
    {
        const string check = "tmux socket folder";
        var dir = SocketGuard.DirectoryFor(Env("TMUX_TMPDIR"));
        if (!OperatingSystem.IsLinux()) return new(check, Status.Skipped, "only checked on Linux");
        var folder = SocketGuard.Inspect(dir);
        var uid = GetUid().ToString(CultureInfo.InvariantCulture);
        switch (folder.State)
        {
            case SocketGuard.FolderState.Missing: return new(check, Status.Ok, $"{dir} does not exist yet (tmux makes it)");
            case SocketGuard.FolderState.Private: return new(check, Status.Ok, $"{dir} is yours, mode {folder.Octal}");
            case SocketGuard.FolderState.NotADirectory:
                return new(check, Status.Problem, $"{dir} is not a directory (a symlink or a file?); orc and tmux refuse it",
                    $"remove it (or set TMUX_TMPDIR to a folder of yours)");
            case SocketGuard.FolderState.OtherOwner:
                return new(check, Status.Problem, $"{dir} belongs to uid {folder.Owner}, not to you (uid {uid}); orc and tmux refuse it",
                    $"remove it as its owner (or set TMUX_TMPDIR to a folder of yours)");
        }
        var how = $"chmod 700 {dir}";
        if (!fix) return new(check, Status.Problem, $"{dir} has mode {folder.Octal}: others can reach your tmux servers (orc refuses it)", how);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new(check, Status.Fixed, $"{dir} had mode {folder.Octal}; now 0700", how);
    }

    private Finding Config()
    {
        try
        {
            _ = Context.Config;
            return new("config", Status.Ok, "configuration reads cleanly" + (Context.UserConfigFile is { } u && File.Exists(u) ? $" (with {u})" : ""));
        }
        catch (OrcException e) { return new("config", Status.Problem, TerminalText.Line(e.Message), "correct the file at that line (see 'orc config list')"); }
    }

    /// <summary>The programs of the profiles in use: the default profile, the rigs' and the live hooks'.</summary>
    private IEnumerable<Finding> AgentPrograms()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        try { names.Add(Context.Config.DefaultProfile ?? "sim"); } catch (OrcException) { }
        try { foreach (var r in runtime.Rigs.All()) if (r.Profile is not null) names.Add(r.Profile); }
        catch (OrcException e) { return [new("rigs", Status.Problem, TerminalText.Line(e.Message),
            "correct the rig's file at that line (see 'orc rig show RIG')")]; }
        foreach (var h in runtime.Hooks.All()) names.Add(h.Profile);
        var found = new List<Finding>();
        foreach (var name in names)
        {
            try
            {
                var p = runtime.Profiles.Get(name);
                if (!runtime.CanStart(p))
                    found.Add(new("agent program", Status.Problem, $"profile {name}: '{TerminalText.Line(p.Command)}' is not on PATH", $"install {TerminalText.Line(p.Command)} or choose another profile (orc config set default_profile NAME; orc rig set RIG profile NAME)"));
                else if (p.Command == Core.Agents.AgentProfile.SelfPlaceholder || p.Command is "sh" or "bash")
                    found.Add(new("agent program", Status.Ok,
                        $"profile {name}: {(p.Command == Core.Agents.AgentProfile.SelfPlaceholder ? "orc itself" : TerminalText.Line(p.Command))} found"));
                else found.Add(ProgramVersion(p));
            }
            catch (OrcException e) { found.Add(new("agent program", Status.Problem, TerminalText.Line(e.Message),
                "choose a profile that exists (orc config set default_profile NAME)")); }
        }
        return found;
    }

    /// <summary>
    /// A real agent CLI's version against the versions its profile was verified with; a profile
    /// never checked against its CLI is said to be so (its screens and states are guesses).
    /// </summary>
    private Finding ProgramVersion(Core.Agents.AgentProfile p)
    {
        var command = TerminalText.Line(p.Command);
        if (p.Verified is not { } v)
            return new("agent program", Status.Ok, $"profile {p.Name}: {command} found; this profile is NOT verified against the real {command} (its screens and states were written from documentation: watch its first sling with orc peek)");
        // Found on the workspace's PATH (the one the agents get), not only this process's.
        var program = p.Command.Contains('/') ? p.Command
            : (Env("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d,
                p.Command)).FirstOrDefault(File.Exists) ?? p.Command;
        var output = Run([program, .. v.VersionArgs], Context.Paths.Root, stderr: true);
        var version = output is null ? null : Core.Agents.ProfileVerification.VersionIn(output);
        if (version is null)
            return new("agent program", Status.Problem,
                $"profile {p.Name}: cannot tell the version of {command} ('{command} {string.Join(' ', v.VersionArgs)}' failed or printed none)",
                $"check that {command} runs: {command} {string.Join(' ', v.VersionArgs)}");
        var range = string.Join(", ", v.Versions.Select(x => x.TrimEnd('.') + ".x"));
        return v.Covers(version)
            ? new("agent program", Status.Ok, $"profile {p.Name}: {command} {version} (verified with {range})")
            : new("agent program", Status.Problem, $"profile {p.Name}: {command} {version} is outside the versions this profile was verified with ({range}; screens captured from {v.With}): its first-run screens or states may have changed",
                $"watch its first sling (orc peek AGENT) and adjust a copy of the profile in .orc/profiles/, or install a verified version");
    }

    /// <summary>git's own lock files left by a crashed git (index.lock, HEAD.lock, refs/**.lock) older than <see cref="StaleGitLock"/>; one a running git holds is only named.</summary>
    private IEnumerable<Finding> GitLocks(bool fix)
    {
        var paths = Context.Paths;
        var gitDirs = new List<string> { Path.Combine(paths.Root, ".git") };
        if (Directory.Exists(paths.RigsDir))
            gitDirs.AddRange(Directory.EnumerateDirectories(paths.RigsDir).Select(r => Path.Combine(r, ".git")).Where(Directory.Exists));
        var found = new List<Finding>();
        var now = DateTime.UtcNow;
        foreach (var gitDir in gitDirs)
        {
            foreach (var f in Adapters.Git.GitLocks.Present(gitDir))
            {
                var age = now - File.GetLastWriteTimeUtc(f);
                if (age < StaleGitLock) continue;
                // A git at work there (a commit waiting in an editor) owns it: never suggest removing it.
                if (Adapters.Git.GitLocks.GitProcessesIn(Path.GetDirectoryName(gitDir)!) is { Count: > 0 } running)
                {
                    found.Add(new("git lock", Status.Ok, $"{paths.Relative(f)} is held by a running git ({string.Join(", ", running.Select(p => $"pid {p.Pid}: {p.Command}"))})"));
                    continue;
                }
                var how = $"rm {f} (when no git command is running)";
                if (!fix) { found.Add(new("git lock", Status.Problem, $"{paths.Relative(f)} is {Minutes(age)} old: a git command crashed and git will refuse to write", how)); continue; }
                try { File.Delete(f); found.Add(new("git lock", Status.Fixed, $"removed {paths.Relative(f)} ({Minutes(age)} old)", how)); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { found.Add(new("git lock", Status.Problem, $"cannot remove {f}: {e.Message}", how)); }
            }
        }
        if (found.Count == 0) found.Add(new("git lock", Status.Ok, "no stale git lock files"));
        return found;
    }

    /// <summary>
    /// The worktrees orc made: git's records of them in each rig (those whose folder is gone are
    /// pruned; a folder whose <c>.git</c> link broke is pointed back at its record), and the folders
    /// under <c>worktrees/RIG/</c> (each an agent's, or the refinery's gate worktree). In a linked
    /// rig (a repository of the user's) only records of folders under <c>worktrees/</c> are orc's;
    /// the user's own worktrees there are never looked at.
    /// </summary>
    private IEnumerable<Finding> Worktrees(bool fix)
    {
        var paths = Context.Paths;
        var found = new List<Finding>();
        var recorded = new HashSet<string>(StringComparer.Ordinal); // folders git has a record of
        if (Directory.Exists(paths.RigsDir))
        {
            foreach (var rig in Directory.EnumerateDirectories(paths.RigsDir).Where(d => RigRepository.IsRepository(d)).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(rig);
                var linked = new DirectoryInfo(rig).LinkTarget is not null;
                var repo = new RigRepository(rig);
                var ours = repo.WorktreeRecords()
                    .Where(r => r.Folder is { } f ? !linked || ConfinedPath.IsWithin(f, paths.WorktreesDir) : !linked).ToList();
                foreach (var r in ours.Where(r => r.Folder is not null)) recorded.Add(ConfinedPath.Real(r.Folder!));
                found.AddRange(StaleRecords(fix, name, linked, repo, ours.Where(r => r.FolderGone).ToList()));
                foreach (var r in ours.Where(r => r.LinkBroken))
                    found.Add(BrokenLink(fix, name, repo, r));
            }
        }
        if (Directory.Exists(paths.WorktreesDir))
        {
            var hooked = runtime.Hooks.All().Select(h => Path.GetFullPath(h.Worktree, paths.Root)).ToHashSet(StringComparer.Ordinal);
            foreach (var rigDir in Directory.EnumerateDirectories(paths.WorktreesDir).Order(StringComparer.Ordinal))
            {
                var rig = Path.GetFileName(rigDir);
                foreach (var wt in Directory.EnumerateDirectories(rigDir).Order(StringComparer.Ordinal))
                {
                    var where = paths.Relative(wt);
                    if (wt == paths.GateWorktree(rig))
                    {
                        // The refinery's own: remade by the next gate whenever it is not a worktree. Left by a rig that is gone, it is only a copy of that rig's code.
                        if (!runtime.Rigs.Exists(rig)) found.Add(LeftoverGate(fix, wt, rig));
                        continue;
                    }
                    if (!hooked.Contains(Path.GetFullPath(wt)))
                        found.Add(new("worktrees", Status.Problem, $"{where}: no agent's hook points at this worktree",
                            $"keep what is worth keeping, then git -C rigs/{rig} worktree remove --force {where} (not done by --fix: it may hold work)"));
                    else if (!RigRepository.IsRepository(wt) && !runtime.Rigs.Exists(rig))
                        found.Add(new("worktrees", Status.Problem, $"{where}: left by rig {rig}, which no longer exists (git cannot tell what it holds)",
                            $"copy out what is worth keeping, then rm -r {where} (not done by --fix: it may hold work)"));
                    else if (!RigRepository.IsRepository(wt) && !recorded.Contains(ConfinedPath.Real(wt)))
                        found.Add(new("worktrees", Status.Problem, $"{where}: not a git worktree any more, and rigs/{rig} has no record of it (its .git file is broken or gone)",
                            $"move it aside (mv {where} {where}.old), make it again (git -C rigs/{rig} worktree add {where} BRANCH: the hook's branch, see 'orc agents --json'), then copy back what is worth keeping (not done by --fix: it may hold work)"));
                }
            }
        }
        if (found.Count == 0) found.Add(new("worktrees", Status.Ok, "no stale or broken worktrees"));
        return found;
    }

    /// <summary>orc's worktree records in a rig whose folder is gone: pruned one by one by name (in a linked rig, 'git worktree prune' would prune the user's own too).</summary>
    private IEnumerable<Finding> StaleRecords(bool fix, string rig, bool linked, RigRepository repo, List<WorktreeRecord> stale)
    {
        if (stale.Count == 0) yield break;
        var how = linked ? "orc doctor --fix (prunes only these; 'git worktree prune' would prune your own stale worktrees too)" : $"git -C rigs/{rig} worktree prune";
        var first = stale[0].Folder is { } f ? Context.Paths.Relative(f) : stale[0].Name;
        if (!fix)
        {
            yield return new("worktrees", Status.Problem, $"rigs/{rig}: {Plural.Of(stale.Count, "worktree record")} whose folder is gone ({TerminalText.Line(first)})", how);
            yield break;
        }
        foreach (var r in stale) repo.RemoveWorktree(r.Name, r.Folder ?? Path.Combine(Context.Paths.WorktreesDir, rig, r.Name), deleteBranch: null);
        yield return new("worktrees", Status.Fixed, $"rigs/{rig}: pruned {Plural.Of(stale.Count, "worktree record")} whose folder is gone ({TerminalText.Line(first)})", how);
    }

    /// <summary>A worktree folder whose <c>.git</c> file no longer leads to its record: pointed back at it (the files are not touched).</summary>
    private Finding BrokenLink(bool fix, string rig, RigRepository repo, WorktreeRecord r)
    {
        var where = Context.Paths.Relative(r.Folder!);
        var how = $"orc doctor --fix (points {where}/.git back at git's record of it, rigs/{rig}/.git/worktrees/{r.Name}; the files in it are not touched)";
        var what = $"{TerminalText.Line(where)}: its .git file does not lead to its repository (broken, or points elsewhere); git and orc cannot use it";
        if (!fix) return new("worktrees", Status.Problem, what, how);
        return repo.RepairLink(r)
            ? new("worktrees", Status.Fixed, $"{TerminalText.Line(where)}: its .git file points at its record again", how)
            : new("worktrees", Status.Problem, what + " (the repair did not take)", $"git -C rigs/{rig} worktree repair {where}");
    }

    /// <summary>The gate worktree of a rig that no longer exists: a checkout of that rig's code, no one's work.</summary>
    private Finding LeftoverGate(bool fix, string folder, string rig)
    {
        var where = Context.Paths.Relative(folder);
        var how = $"orc doctor --fix (removes it: a gate's scratch checkout holds no work)";
        if (!fix) return new("worktrees", Status.Problem, $"{where}: the refinery's gate worktree of rig {rig}, which no longer exists", how);
        foreach (var f in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories)) f.Attributes = FileAttributes.Normal;
        Directory.Delete(folder, recursive: true);
        return new("worktrees", Status.Fixed, $"removed {where}, the gate worktree of rig {rig}, which no longer exists", how);
    }

    /// <summary>
    /// Hooks (of agents that still hold their worktree: not archived, not the mayor, whose worktree
    /// is the workspace) whose worktree folder is gone: the agent cannot run or be resumed there.
    /// </summary>
    private IEnumerable<Finding> HookWorktrees()
    {
        var found = new List<Finding>();
        foreach (var h in runtime.Hooks.All().Where(h => h.State != HookStates.Archived && h.Role != Roles.Mayor).OrderBy(h => h.Agent, StringComparer.Ordinal))
        {
            if (Directory.Exists(h.Worktree)) continue;
            var where = TerminalText.Line(Context.Paths.Relative(Path.GetFullPath(h.Worktree, Context.Paths.Root)));
            var branch = TerminalText.Line(h.Branch);
            found.Add(h switch
            {
                { Role: Roles.Crew, HoldsWork: true } => new("hooks", Status.Problem, $"crew {h.Agent} holds {h.Item} but its worktree {where} is gone",
                    $"orc crew release {h.Agent}, orc crew remove {h.Agent}, then orc crew add {h.Agent} --rig {h.Rig} (branch {branch} keeps its commits)"),
                { Role: Roles.Crew } => new("hooks", Status.Problem, $"crew {h.Agent}: its worktree {where} is gone",
                    $"orc crew remove {h.Agent}, then orc crew add {h.Agent} --rig {h.Rig}"),
                { HoldsWork: true } => new("hooks", Status.Problem, $"agent {h.Agent} holds {h.Item} but its worktree {where} is gone: it cannot run or be resumed",
                    $"orc unsling {h.Agent} --remove-worktree (the item is ready again; branch {branch} keeps its commits), then orc sling {h.Item} (not done by --fix: it takes the work back)"),
                _ => new("hooks", Status.Problem, $"agent {h.Agent}: its worktree {where} is gone (its hook is {h.State})",
                    $"orc cleanup (ends the hook; branch {branch} keeps its commits)"),
            });
        }
        if (found.Count == 0) found.Add(new("hooks", Status.Ok, "every agent's worktree is there"));
        return found;
    }

    /// <summary>
    /// polecat/* branches no hook uses: landed ones (a merged submission of that branch) and empty
    /// strays (nothing beyond the default branch) are safe to delete; strays that hold commits are
    /// reported and kept.
    /// </summary>
    private IEnumerable<Finding> LandedBranches(bool fix)
    {
        var found = new List<Finding>();
        var used = runtime.Hooks.All().Where(h => h.State != Core.Agents.HookStates.Archived).Select(h => h.Branch).ToHashSet(StringComparer.Ordinal);
        foreach (var rig in runtime.Rigs.All())
        {
            var dir = Context.Paths.RigDir(rig.Name);
            if (!RigRepository.IsRepository(dir)) continue;
            var repo = new RigRepository(dir);
            var landed = runtime.Queue(rig.Name).All().Where(s => s.State == Core.Merging.SubmissionStates.Merged).Select(s => s.Branch).ToHashSet(StringComparer.Ordinal);
            var queued = runtime.Queue(rig.Name).All().Where(s => s.State != Core.Merging.SubmissionStates.Merged).Select(s => s.Branch).ToHashSet(StringComparer.Ordinal);
            var unused = repo.BranchNames().Where(b => b.StartsWith("polecat/", StringComparison.Ordinal) && !used.Contains(b)).Order(StringComparer.Ordinal).ToList();
            var prunable = unused.Where(landed.Contains).ToList();
            // Strays: no hook, no submission. Empty ones (nothing beyond main) are safe to delete;
            // ones that hold commits are only reported: that work exists nowhere else.
            var strays = unused.Where(b => !landed.Contains(b) && !queued.Contains(b)).ToList();
            var empty = strays.Where(b => repo.IsMerged(b, rig.DefaultBranch)).ToList();
            var holding = strays.Except(empty).ToList();
            if (holding.Count > 0)
                found.Add(new("branches", Status.Problem,
                    $"rigs/{rig.Name}: {holding.Count} polecat branch(es) hold commits that are not on {TerminalText.Line(rig.DefaultBranch)} and no hook or submission tracks them ({TerminalText.Line(holding[0])}{(holding.Count > 1 ? "…" : "")})",
                    $"look with git -C rigs/{rig.Name} log {TerminalText.Line(rig.DefaultBranch)}..{TerminalText.Line(holding[0])}; delete with git -C rigs/{rig.Name} branch -D when not wanted (not done by --fix: it holds work)"));
            if (empty.Count > 0)
            {
                if (fix)
                {
                    foreach (var b in empty) repo.DeleteBranch(b);
                    found.Add(new("branches", Status.Fixed, $"rigs/{rig.Name}: deleted {empty.Count} polecat branch(es) with nothing beyond {TerminalText.Line(rig.DefaultBranch)} and no hook ({TerminalText.Line(empty[0])}{(empty.Count > 1 ? "…" : "")})"));
                }
                else found.Add(new("branches", Status.Problem, $"rigs/{rig.Name}: {empty.Count} polecat branch(es) with nothing beyond {TerminalText.Line(rig.DefaultBranch)} and no hook (left by a failed sling: {TerminalText.Line(empty[0])}{(empty.Count > 1 ? "…" : "")})", "orc doctor --fix (deletes them: they hold no work)"));
            }
            if (prunable.Count == 0) continue;
            if (fix)
            {
                foreach (var b in prunable) repo.DeleteBranch(b);
                found.Add(new("branches", Status.Fixed, $"rigs/{rig.Name}: deleted {prunable.Count} landed polecat branch(es) ({TerminalText.Line(prunable[0])}…)"));
            }
            else found.Add(new("branches", Status.Problem, $"rigs/{rig.Name}: {prunable.Count} polecat branch(es) whose work has landed are left ({TerminalText.Line(prunable[0])}…)", "orc doctor --fix (deletes them: their squash is on main)"));
        }
        if (found.Count == 0) found.Add(new("branches", Status.Ok, "no landed or stray polecat branches left"));
        return found;
    }

    private IEnumerable<Finding> Ledger()
    {
        var doc = ledger.Read();
        var found = new List<Finding>();
        foreach (var e in doc.Errors.Take(5))
            found.Add(new("ledger", Status.Problem, $"ledger/issues.jsonl:{e.LineNumber}: {TerminalText.Line(e.Message)}", "correct the line, or let the next change move it to ledger/issues.quarantine"));
        if (doc.Errors.Count > 5) found.Add(new("ledger", Status.Problem, $"{doc.Errors.Count - 5} more unreadable ledger lines", "see above"));
        foreach (var id in doc.DuplicateIds.Distinct().Take(5))
            found.Add(new("ledger", Status.Problem, $"item {id} appears on more than one line", "any change (e.g. orc item update) writes it once"));
        foreach (var cycle in new DependencyGraph(doc).FindCycles().Take(5))
            found.Add(new("ledger", Status.Problem, $"dependency cycle: {DependencyGraph.Describe(cycle, " -> ")}", "remove one of its dependencies (orc item dep remove ITEM DEPENDS_ON)"));
        var dangling = doc.Items.SelectMany(i => i.Dependencies).Where(d => !d.DependsOnId.Contains(':') && !doc.Contains(d.DependsOnId)).ToList();
        foreach (var d in dangling.Take(5))
            found.Add(new("ledger", Status.Problem, $"{d.IssueId} depends on {TerminalText.Line(d.DependsOnId)}, which is not in the ledger", $"orc item dep remove {d.IssueId} {TerminalText.Line(d.DependsOnId)}"));
        if (found.Count == 0) found.Add(new("ledger", Status.Ok, $"{Plural.Of(doc.Count, "item")}, no unreadable lines, duplicates, cycles or dangling dependencies"));
        return found;
    }

    private Finding MergeDriver(bool fix, string command)
    {
        var repo = new WorkspaceRepository(Context.Paths.Root);
        var key = $"merge.{WorkspaceInitializer.MergeDriverName}.driver";
        var current = repo.GetConfig(key);
        var how = "orc doctor --fix (registers this orc as the ledger's merge driver)";
        string? wrong = current is null ? "the ledger's merge driver is not registered in .git/config: merges of the ledger would conflict line by line"
            : FirstWord(current) is { } exe && exe.Contains('/') && !File.Exists(exe) ? $"the ledger's merge driver runs {TerminalText.Line(exe)}, which does not exist"
            : null;
        if (wrong is null) return new("merge driver", Status.Ok, "the ledger's merge driver is registered");
        if (!fix) return new("merge driver", Status.Problem, wrong, how);
        repo.SetConfig($"merge.{WorkspaceInitializer.MergeDriverName}.name", "orc ledger merge (by item id)");
        repo.SetConfig(key, command);
        return new("merge driver", Status.Fixed, "registered the ledger's merge driver: " + TerminalText.Line(command), how);
    }

    /// <summary>
    /// Changes in the workspace that orc did not commit. Event lines are appended by every part of
    /// orc between commits (each change's commit takes them): those are orc's own, not a problem;
    /// anything else orc would have committed when it made it.
    /// </summary>
    private Finding WorkspaceClean()
    {
        var paths = Context.Paths;
        var repo = new WorkspaceRepository(paths.Root);
        var changes = repo.Uncommitted();
        var events = paths.Relative(paths.EventsFile);
        var pendingEvents = false;
        if (changes.Contains(events) && File.Exists(paths.EventsFile) && EventLog.IsOwnChange(repo.Committed(events), ReadShared(paths.EventsFile)))
        {
            changes.Remove(events);
            pendingEvents = true;
        }
        if (changes.Count == 0)
            return new("workspace git", Status.Ok, pendingEvents ? "the workspace's git is clean (but for new event lines, which orc's next change commits)" : "the workspace's git is clean");
        return new("workspace git", Status.Problem, $"{Plural.Of(changes.Count, "uncommitted change")} in the workspace that orc did not make (first: {TerminalText.Line(changes[0])})",
            $"look with git -C {paths.Root} status, then commit or undo them (orc commits its own changes as it makes them)");
    }

    /// <summary>A file's bytes, read while others may append to it.</summary>
    private static byte[] ReadShared(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        fs.CopyTo(copy);
        return copy.ToArray();
    }

    private static string? FirstWord(string command)
    {
        var s = command.TrimStart();
        if (s.StartsWith('\'')) { var end = s.IndexOf('\'', 1); return end > 0 ? s[1..end] : null; }
        var space = s.IndexOf(' ');
        return space > 0 ? s[..space] : s;
    }

    /// <summary>Standard output of a command, or null when it cannot be started or fails.</summary>
    private string? Run(IReadOnlyList<string> argv, string cwd, bool stderr = false)
    {
        var env = Env("PATH") is { } path ? new Dictionary<string, string?> { ["PATH"] = path } : null;
        try
        {
            var r = ChildProcess.Run(argv, cwd, env, TimeSpan.FromSeconds(30));
            return r.Ok ? (stderr ? r.Out + r.Err : r.Out) : null;
        }
        catch (ProgramNotFoundException) { return null; }
    }

    private static Version? ParseVersion(string text)
    {
        var digits = new string(text.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray()).TrimEnd('.');
        var parts = digits.Split('.');
        return Version.TryParse(parts.Length >= 2 ? string.Join('.', parts.Take(3)) : digits + ".0", out var v) ? v : null;
    }

    private static string Minutes(TimeSpan t) => t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min" : $"{(int)t.TotalSeconds} s";

    private static uint GetUid() => TmuxServer.UserId;
}
