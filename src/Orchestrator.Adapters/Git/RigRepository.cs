using LibGit2Sharp;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Git;

/// <summary>
/// A linked worktree on record in a repository: its name (<c>.git/worktrees/NAME</c>) and the folder
/// the record names (null when the record does not say).
/// </summary>
public sealed record WorktreeRecord(string Name, string? Folder)
{
    /// <summary>The record's folder is gone (or unknown): what <c>git worktree prune</c> removes.</summary>
    public bool FolderGone => Folder is null || !Directory.Exists(Folder);

    /// <summary>The folder is there but is no worktree: its <c>.git</c> file is broken or missing.</summary>
    public bool LinkBroken => !FolderGone && !RigRepository.IsRepository(Folder!);
}

/// <summary>A rig's git repository (LibGit2Sharp): cloning, branches and the worktrees agents work in.</summary>
public sealed class RigRepository(string path)
{
    public string Path { get; } = path;

    /// <summary>Clones <paramref name="source"/> (a path or URL) into <paramref name="target"/>.</summary>
    public static RigRepository Clone(string source, string target)
    {
        try
        {
            Repository.Clone(source, target, new CloneOptions { RecurseSubmodules = false });
            return new RigRepository(target);
        }
        catch (LibGit2SharpException ex)
        {
            throw new OrcException($"cannot clone {TerminalText.Line(source)}: {TerminalText.Line(ex.Message)}");
        }
    }

    /// <summary>True when <paramref name="path"/> is a repository or a worktree git can open; a malformed <c>.git</c> file is not (LibGit2Sharp throws on
    /// it).</summary>
    public static bool IsRepository(string path)
    {
        try { return Repository.IsValid(path); }
        catch (LibGit2SharpException) { return false; }
    }

    /// <summary>The branch HEAD points at (the default branch of a fresh clone).</summary>
    public string CurrentBranch()
    {
        using var repo = Open();
        if (repo.Info.IsHeadUnborn) throw new OrcException($"{Path}: the repository has no commits yet; commit something first");
        return repo.Head.FriendlyName;
    }

    public string TipOf(string branch)
    {
        using var repo = Open();
        var b = repo.Branches[branch] ?? throw new OrcException($"{Path}: no branch '{TerminalText.Line(branch)}'");
        return b.Tip.Sha;
    }

    public bool BranchExists(string branch)
    {
        using var repo = Open();
        return repo.Branches[branch] is not null;
    }

    /// <summary>The names of the repository's local branches.</summary>
    public List<string> BranchNames()
    {
        using var repo = Open();
        return repo.Branches.Where(b => !b.IsRemote).Select(b => b.FriendlyName).ToList();
    }

    /// <summary>Creates <paramref name="branch"/> at <paramref name="startPoint"/> and a worktree for it at <paramref name="worktreePath"/>.</summary>
    public void AddWorktree(string worktreeName, string branch, string startPoint, string worktreePath)
    {
        using var repo = Open();
        try
        {
            if (repo.Branches[branch] is null) repo.CreateBranch(branch, startPoint);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(worktreePath)!);
            var hadSide = repo.Branches[worktreeName] is not null;
            repo.Worktrees.Add(branch, worktreeName, worktreePath, isLocked: false);
            // LibGit2Sharp's add first makes a branch named after the worktree, then checks out the
            // one asked for; left behind, it would make a later worktree of the same name (an agent
            // name used again) fail. Only the one this add made is removed.
            if (!hadSide && worktreeName != branch && repo.Branches[worktreeName] is { IsRemote: false } side
                && !side.IsCurrentRepositoryHead) repo.Branches.Remove(side);
        }
        catch (LibGit2SharpException ex)
        {
            throw new OrcException($"cannot create the worktree {TerminalText.Line(worktreePath)}: {TerminalText.Line(ex.Message)}");
        }
    }

    /// <summary>
    /// A worktree at <paramref name="worktreePath"/> (git's record named after its folder,
    /// <paramref name="worktreeName"/>) with <paramref name="commit"/> checked out detached: no
    /// branch is made or moved, so reading a candidate there changes nothing of the rig's. Through
    /// the git CLI (LibGit2Sharp adds worktrees for branches only).
    /// </summary>
    public void AddDetachedWorktree(string worktreeName, string commit, string worktreePath)
    {
        if (System.IO.Path.GetFileName(worktreePath) != worktreeName) throw new ArgumentException("the worktree's folder must be named as the worktree",
            nameof(worktreePath));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(worktreePath)!);
        var env = new Dictionary<string, string?> { ["GIT_DIR"] = null, ["GIT_WORK_TREE"] = null, ["GIT_INDEX_FILE"] = null, ["LC_ALL"] = "C" };
        var r = Processes.CommandRunner.Run(["git", "worktree", "add", "--detach", "--quiet", worktreePath, commit], Path, env, TimeSpan.FromSeconds(120),
            tailLines: 10);
        if (!r.Green)
            throw new OrcException($"cannot create the worktree {TerminalText.Line(worktreePath)} at {TerminalText.Line(commit)}: {TerminalText.Line(r.TimedOut ? "git did not answer in 120s" : r.Tail.Trim())}");
    }

    /// <summary>
    /// Removes a worktree (its directory and git's record of it) and, if asked, its branch. A record
    /// of that name that is another folder's (a worktree of the user's own in a linked repository)
    /// is left alone.
    /// </summary>
    public void RemoveWorktree(string worktreeName, string worktreePath, string? deleteBranch)
    {
        if (Directory.Exists(worktreePath)) DeleteDirectory(worktreePath);
        using var repo = Open();
        var admin = AdminDir(repo, worktreeName);
        if (Directory.Exists(admin) && FolderOnRecord(admin) is var folder && (folder is null || ConfinedPath.SamePath(folder, worktreePath)))
        {
            if (repo.Worktrees[worktreeName] is { } wt) repo.Worktrees.Prune(wt, ifLocked: true);
            if (Directory.Exists(admin)) DeleteDirectory(admin);
        }
        if (deleteBranch is not null && repo.Branches[deleteBranch] is { } b && !b.IsCurrentRepositoryHead)
            repo.Branches.Remove(b);
    }

    /// <summary>
    /// The linked worktrees git has on record in this repository (<c>.git/worktrees/NAME</c>), with
    /// the folder each record names (its <c>gitdir</c> file; null when that does not read).
    /// </summary>
    public List<WorktreeRecord> WorktreeRecords()
    {
        using var repo = Open();
        var dir = System.IO.Path.Combine(repo.Info.Path, "worktrees");
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal)
            .Select(admin => new WorktreeRecord(System.IO.Path.GetFileName(admin), FolderOnRecord(admin))).ToList();
    }

    /// <summary>
    /// Points the <c>.git</c> file of a recorded worktree whose link is broken (garbage, another
    /// path, missing) back at its record, as <c>git worktree repair</c> does; nothing else in the
    /// folder changes. True when the folder is a worktree again.
    /// </summary>
    public bool RepairLink(WorktreeRecord record)
    {
        if (record.Folder is not { } folder || !Directory.Exists(folder)) return false;
        string admin;
        using (var repo = Open()) admin = System.IO.Path.TrimEndingDirectorySeparator(AdminDir(repo, record.Name));
        AtomicFile.Write(System.IO.Path.Combine(folder, ".git"), System.Text.Encoding.UTF8.GetBytes($"gitdir: {admin}\n"));
        return IsRepository(folder);
    }

    private static string AdminDir(Repository repo, string name) => System.IO.Path.Combine(repo.Info.Path, "worktrees", name);

    /// <summary>The folder a worktree record names: its <c>gitdir</c> file holds the path of the folder's <c>.git</c> file.</summary>
    private static string? FolderOnRecord(string adminDir)
    {
        try
        {
            var line = File.ReadLines(System.IO.Path.Combine(adminDir, "gitdir")).FirstOrDefault()?.Trim();
            if (string.IsNullOrEmpty(line)) return null;
            var dotGit = System.IO.Path.GetFullPath(line, adminDir);
            return System.IO.Path.GetFileName(dotGit) == ".git" ? System.IO.Path.GetDirectoryName(dotGit) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// Creates <paramref name="branch"/> at <paramref name="commit"/>, or moves it there when it
    /// exists and <paramref name="overwrite"/> is set. The branch must not be checked out.
    /// </summary>
    public void SetBranch(string branch, string commit, bool overwrite)
    {
        using var repo = Open();
        try { repo.Branches.Add(branch, commit, allowOverwrite: overwrite); }
        catch (LibGit2SharpException ex) { throw new OrcException($"{Path}: cannot set branch {TerminalText.Line(branch)}: {TerminalText.Line(ex.Message)}"); }
    }

    /// <summary>True when everything on <paramref name="branch"/> is already in <paramref name="into"/> (its tip is reachable from it).</summary>
    public bool IsMerged(string branch, string into)
    {
        using var repo = Open();
        var b = repo.Branches[branch]?.Tip;
        var i = repo.Branches[into]?.Tip;
        if (b is null || i is null) return false;
        return b.Sha == i.Sha || repo.ObjectDatabase.FindMergeBase(b, i)?.Sha == b.Sha;
    }

    /// <summary>Deletes a branch that exists and is not checked out; false when it was not there.</summary>
    public bool DeleteBranch(string branch)
    {
        using var repo = Open();
        if (repo.Branches[branch] is not { } b || b.IsCurrentRepositoryHead) return false;
        try { repo.Branches.Remove(b); return true; }
        catch (LibGit2SharpException ex) { throw new OrcException($"{Path}: cannot delete branch {TerminalText.Line(branch)}: {TerminalText.Line(ex.Message)}"); }
    }

    /// <summary>The branch a worktree has checked out.</summary>
    public static string BranchOf(string worktreePath)
    {
        using var repo = new Repository(worktreePath);
        return repo.Head.FriendlyName;
    }

    /// <summary>
    /// Checks out <paramref name="branch"/> (a branch of the rig's repository) in a worktree. Files
    /// with uncommitted changes are never overwritten: the caller checks the worktree is clean first,
    /// and git refuses a checkout that would lose a change.
    /// </summary>
    public static void Checkout(string worktreePath, string branch)
    {
        using var repo = new Repository(worktreePath);
        var b = repo.Branches[branch] ?? throw new OrcException($"{worktreePath}: no branch '{TerminalText.Line(branch)}'");
        try { Commands.Checkout(repo, b, new CheckoutOptions { CheckoutModifiers = CheckoutModifiers.None }); }
        catch (LibGit2SharpException ex) { throw new OrcException($"cannot check out {TerminalText.Line(branch)} in {TerminalText.Line(worktreePath)}: {TerminalText.Line(ex.Message)}"); }
    }

    /// <summary>What is uncommitted in a worktree (paths), ignoring ignored files.</summary>
    public static List<string> Uncommitted(string worktreePath)
    {
        using var repo = new Repository(worktreePath);
        return repo.RetrieveStatus(new StatusOptions { IncludeIgnored = false, IncludeUntracked = true, RecurseUntrackedDirs = true })
            .Where(e => e.State != FileStatus.Ignored && e.State != FileStatus.Unaltered)
            .Select(e => e.FilePath).ToList();
    }

    /// <summary>The commits on a worktree's HEAD that are not in <paramref name="baseCommit"/>.</summary>
    public static List<(string Sha, string Subject)> CommitsSince(string worktreePath, string baseCommit)
    {
        using var repo = new Repository(worktreePath);
        var filter = new CommitFilter { IncludeReachableFrom = repo.Head.Tip, ExcludeReachableFrom = baseCommit };
        return repo.Commits.QueryBy(filter).Select(c => (c.Sha, c.MessageShort)).ToList();
    }

    /// <summary>The files tracked at the tip of <paramref name="branch"/> (rig-relative, '/' separators).</summary>
    public List<string> TrackedFiles(string branch)
    {
        using var repo = Open();
        var tip = repo.Branches[branch]?.Tip ?? throw new OrcException($"{Path}: no branch {branch}");
        var files = new List<string>();
        void Walk(Tree tree, string prefix)
        {
            foreach (var e in tree)
            {
                if (e.TargetType == TreeEntryTargetType.Tree) Walk((Tree)e.Target, prefix + e.Name + "/");
                else if (e.TargetType == TreeEntryTargetType.Blob) files.Add(prefix + e.Name);
            }
        }
        Walk(tip.Tree, "");
        return files;
    }

    /// <summary>
    /// The files a branch changed since <paramref name="baseCommit"/>: committed on the branch
    /// (<paramref name="tip"/>, or the worktree's HEAD), plus, when <paramref name="worktreePath"/>
    /// is given, what is changed in the worktree and not committed yet.
    /// </summary>
    public static List<string> ChangedFiles(string repoPath, string baseCommit, string? tip, string? worktreePath)
    {
        var changed = new SortedSet<string>(StringComparer.Ordinal);
        using (var repo = new Repository(worktreePath is not null && Directory.Exists(worktreePath) ? worktreePath : repoPath))
        {
            var head = tip is null ? repo.Head.Tip : repo.Lookup<Commit>(tip);
            var @base = repo.Lookup<Commit>(baseCommit);
            if (head is not null && @base is not null)
                foreach (var c in repo.Diff.Compare<TreeChanges>(@base.Tree, head.Tree))
                {
                    changed.Add(c.Path);
                    if (c.OldPath != c.Path) changed.Add(c.OldPath);
                }
        }
        if (worktreePath is not null && Directory.Exists(worktreePath))
            foreach (var f in Uncommitted(worktreePath)) changed.Add(f);
        return [.. changed];
    }

    public enum MergeOutcome { Merged, UpToDate, Conflicts, Dirty, NoBranch }

    /// <summary>
    /// Merges <paramref name="branch"/> into the branch checked out in <paramref name="worktreePath"/>
    /// as a merge commit, resolving conflicting hunks by keeping both sides (git's union merge). The
    /// merge is made in the object database and the worktree then moved to it, never through
    /// <c>Repository.Merge</c>, which loses its commit message under NativeAOT. A worktree with
    /// uncommitted changes is left alone.
    /// </summary>
    public static MergeOutcome MergeUnion(string worktreePath, string branch, string agent)
    {
        using var repo = new Repository(worktreePath);
        var theirs = repo.Branches[branch]?.Tip;
        if (theirs is null) return MergeOutcome.NoBranch;
        var ours = repo.Head.Tip;
        var mergeBase = repo.ObjectDatabase.FindMergeBase(ours, theirs);
        if (mergeBase?.Sha == theirs.Sha) return MergeOutcome.UpToDate;
        if (Uncommitted(worktreePath).Count > 0) return MergeOutcome.Dirty;
        var merged = repo.ObjectDatabase.MergeCommits(ours, theirs, new MergeTreeOptions { FailOnConflict = false, MergeFileFavor = MergeFileFavor.Union,
            SkipReuc = true });
        if (merged.Status != MergeTreeStatus.Succeeded) return MergeOutcome.Conflicts;
        var sig = new Signature(agent, $"{agent}@orc.local", DateTimeOffset.Now);
        var commit = repo.ObjectDatabase.CreateCommit(sig, sig, $"Merge branch '{branch}' into {repo.Head.FriendlyName}\n", merged.Tree, [ours, theirs],
            prettifyMessage: false);
        repo.Reset(ResetMode.Hard, commit); // moves the checked-out branch and its files together
        return MergeOutcome.Merged;
    }

    public static string HeadOf(string worktreePath)
    {
        using var repo = new Repository(worktreePath);
        return repo.Head.Tip.Sha;
    }

    private Repository Open()
    {
        try { return new Repository(Path); }
        catch (RepositoryNotFoundException) { throw new OrcException($"{Path}: not a git repository"); }
    }

    private static void DeleteDirectory(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            File.SetAttributes(f, FileAttributes.Normal);
        Directory.Delete(dir, recursive: true);
    }
}
