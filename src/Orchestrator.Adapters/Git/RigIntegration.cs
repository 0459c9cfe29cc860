using LibGit2Sharp;
using Orchestrator.Core;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Git;

/// <summary>The outcome of squashing a branch onto a base: the new commit, or why it cannot be made.</summary>
public sealed record SquashResult(string? Commit, IReadOnlyList<string> Conflicts, IReadOnlyList<string> MarkerFiles, string? Missing)
{
    public bool Ok => Commit is not null;
}

/// <summary>
/// What the refinery does to a rig's repository: squash a submitted branch onto main as one
/// commit (in the object database, touching no checkout), check out candidates in a scratch
/// worktree for the gate, and move main forward, only forward, only from the tip it expects.
/// </summary>
public sealed class RigIntegration(string repositoryPath) : IRigIntegration
{
    public const string ItemTrailer = "Orc-Item";

    /// <summary>The branch the gate's scratch worktree has checked out (orc's own name).</summary>
    public const string ScratchBranch = "orc/refinery-scratch";

    /// <summary>The name git records the refinery's scratch (gate) worktree of <paramref name="rig"/> under (<c>.git/worktrees/NAME</c>).</summary>
    public static string ScratchName(string rig) => "orc-refinery-" + rig;

    public string Path { get; } = repositoryPath;

    private Repository Open()
    {
        try { return new Repository(Path); }
        catch (RepositoryNotFoundException) { throw new OrcException($"{Path}: not a git repository"); }
    }

    public string TipOf(string branch)
    {
        using var repo = Open();
        return (repo.Branches[branch] ?? throw new OrcException($"{Path}: no branch '{TerminalText.Line(branch)}'")).Tip.Sha;
    }

    public bool CommitExists(string sha)
    {
        using var repo = Open();
        return repo.Lookup<Commit>(sha) is not null;
    }

    public string? BranchTip(string branch)
    {
        using var repo = Open();
        return repo.Branches[branch]?.Tip.Sha;
    }

    /// <summary>
    /// The changes of <paramref name="tip"/> since its merge base with <paramref name="onto"/>,
    /// merged onto <paramref name="onto"/> as one commit with <paramref name="message"/>
    /// (authored as the branch's last author). Nothing is written if the merge conflicts, or if the
    /// result would add conflict markers to a file.
    /// </summary>
    public SquashResult Squash(string onto, string tip, string message, DateTimeOffset now)
    {
        using var repo = Open();
        var ontoCommit = repo.Lookup<Commit>(onto) ?? throw new OrcException($"{Path}: no commit {onto}");
        var tipCommit = repo.Lookup<Commit>(tip);
        if (tipCommit is null) return new SquashResult(null, [], [], $"the submitted commit {tip[..Math.Min(12, tip.Length)]} is not in the rig's repository");
        var merge = repo.ObjectDatabase.MergeCommits(ontoCommit, tipCommit, new MergeTreeOptions { FailOnConflict = false, SkipReuc = true });
        if (merge.Status == MergeTreeStatus.Conflicts)
            return new SquashResult(null,
                merge.Conflicts.Select(c => (c.Ours ?? c.Theirs ?? c.Ancestor).Path).Distinct().Order(StringComparer.Ordinal).ToList(), [], null);
        var markers = FilesWithNewConflictMarkers(repo, ontoCommit.Tree, merge.Tree);
        if (markers.Count > 0) return new SquashResult(null, [], markers, null);
        var author = new Signature(tipCommit.Author.Name, tipCommit.Author.Email, tipCommit.Author.When);
        var committer = new Signature("orc refinery", "refinery@orc.local", now);
        var commit = repo.ObjectDatabase.CreateCommit(author, committer, message.TrimEnd() + "\n", merge.Tree, [ontoCommit], prettifyMessage: false);
        return new SquashResult(commit.Sha, [], [], null);
    }

    /// <summary>
    /// Files whose new version adds lines that look like unresolved conflict markers. A tree diff
    /// and the two blobs, not <c>Diff.Compare&lt;Patch&gt;</c>: LibGit2Sharp's line callback
    /// aborts the process under NativeAOT (its reverse P/Invoke stub receives null).
    /// </summary>
    private static List<string> FilesWithNewConflictMarkers(Repository repo, Tree before, Tree after)
    {
        var found = new List<string>();
        using var changes = repo.Diff.Compare<TreeChanges>(before, after);
        foreach (var change in changes)
        {
            if (change.Status is not (ChangeKind.Added or ChangeKind.Modified or ChangeKind.Renamed or ChangeKind.Copied or ChangeKind.TypeChanged)) continue;
            if (repo.Lookup<Blob>(change.Oid) is not { IsBinary: false } blob) continue;
            var old = change.Status == ChangeKind.Added ? null : repo.Lookup<Blob>(change.OldOid);
            if (old is { IsBinary: true }) continue;
            if (ConflictMarkers.Added(old?.GetContentText(), blob.GetContentText())) found.Add(change.Path);
        }
        return found;
    }

    /// <summary>The paths a commit range changed: what <paramref name="tip"/> changed since its merge base with <paramref name="onto"/>.</summary>
    public List<string> ChangedFiles(string onto, string tip)
    {
        using var repo = Open();
        var a = repo.Lookup<Commit>(onto);
        var b = repo.Lookup<Commit>(tip);
        if (a is null || b is null) return [];
        var mergeBase = repo.ObjectDatabase.FindMergeBase(a, b) ?? a;
        using var changes = repo.Diff.Compare<TreeChanges>(mergeBase.Tree, b.Tree);
        return changes.Select(c => c.Path).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Makes <paramref name="scratchPath"/> a worktree with exactly <paramref name="commit"/>
    /// checked out (untracked and ignored files removed), for the gate to run in.
    /// </summary>
    public void PrepareScratch(string scratchPath, string scratchName, string commit)
    {
        try { MakeScratch(scratchPath, scratchName, commit); }
        catch (Exception e) when (e is LibGit2SharpException or IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"cannot prepare the scratch worktree {scratchPath}: {TerminalText.Line(e.Message)}");
        }
    }

    private void MakeScratch(string scratchPath, string scratchName, string commit)
    {
        using (var repo = Open())
        {
            var branchName = ScratchBranch;
            if (!Directory.Exists(scratchPath) || !RigRepository.IsRepository(scratchPath))
            {
                if (repo.Worktrees[scratchName] is { } stale) repo.Worktrees.Prune(stale, ifLocked: true);
                var admin = System.IO.Path.Combine(Path, ".git", "worktrees", scratchName);
                if (Directory.Exists(admin)) Directory.Delete(admin, true);
                if (Directory.Exists(scratchPath)) Directory.Delete(scratchPath, true);
                if (repo.Branches[branchName] is { } old) repo.Branches.Remove(old);
                RemoveSideBranch(repo, scratchName); // left by an attempt that failed half-way
                repo.CreateBranch(branchName, commit);
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(scratchPath)!);
                repo.Worktrees.Add(branchName, scratchName, scratchPath, isLocked: false);
                RemoveSideBranch(repo, scratchName);
            }
        }
        using var scratch = new Repository(scratchPath);
        // The scratch worktree is the refinery's alone, and the caller holds the rig's refinery
        // lock: a lock on its index is one a refinery killed inside git (kill -9 during a reset)
        // left behind. Kept, it would fail every later reset and stop the queue for good.
        var staleLock = System.IO.Path.Combine(scratch.Info.Path, "index.lock");
        if (File.Exists(staleLock)) File.Delete(staleLock);
        scratch.Reset(ResetMode.Hard, scratch.Lookup<Commit>(commit) ?? throw new OrcException($"no commit {commit} for the gate"));
        scratch.RemoveUntrackedFiles();
        // RemoveUntrackedFiles keeps ignored files (build outputs); a gate must start clean.
        foreach (var entry in scratch.RetrieveStatus(new StatusOptions { IncludeIgnored = true, RecurseIgnoredDirs = true }).Ignored)
        {
            var full = System.IO.Path.Combine(scratchPath, entry.FilePath);
            if (File.Exists(full)) File.Delete(full);
            else if (Directory.Exists(full)) Directory.Delete(full, true);
        }
    }

    /// <summary>
    /// LibGit2Sharp's worktree add first creates a branch named after the worktree, then checks out
    /// the branch asked for: the first is left behind, and a later add of the same name would fail
    /// on it. It is orc's own name (orc-refinery-RIG), so it is removed.
    /// </summary>
    private static void RemoveSideBranch(Repository repo, string name)
    {
        if (repo.Branches[name] is { IsRemote: false } side && !side.IsCurrentRepositoryHead) repo.Branches.Remove(side);
    }

    /// <summary>
    /// Moves <paramref name="branch"/> from <paramref name="expected"/> to <paramref name="next"/>,
    /// which must descend from it (never a force). If the branch is checked out in the rig's own
    /// checkout, that checkout follows, but only if it has no uncommitted changes.
    /// </summary>
    public void FastForward(string branch, string expected, string next, string why)
    {
        using var repo = Open();
        var b = repo.Branches[branch] ?? throw new OrcException($"{Path}: no branch '{branch}'");
        if (b.Tip.Sha != expected) throw new OrcException($"{branch} moved from {expected[..12]} to {b.Tip.Sha[..12]} while the refinery worked; retrying on the new tip");
        var target = repo.Lookup<Commit>(next) ?? throw new OrcException($"no commit {next}");
        var mergeBase = repo.ObjectDatabase.FindMergeBase(b.Tip, target);
        if (mergeBase?.Sha != expected) throw new OrcException($"{next[..12]} does not descend from {branch}; refusing to move {branch} backwards or sideways");
        if (IsCheckedOut(repo, b))
        {
            if (Blocker(repo, branch) is { } blocked) throw new OrcException(blocked);
            repo.Reset(ResetMode.Hard, target); // moves the branch and its checkout together
            return;
        }
        repo.Refs.UpdateTarget(repo.Refs[b.CanonicalName], target.Id, "orc refinery: " + why);
    }

    /// <summary>
    /// A refinery killed inside <see cref="FastForward"/>'s hard reset leaves the rig's checkout
    /// part-way between the old main and the new one: some files as one commit has them, some as
    /// the other, and git's lock on the index. <see cref="CheckoutBlocker"/> then takes it for a
    /// person's changes and nothing lands again. When every difference in the checkout (its files
    /// and its index) is a path exactly as one of <paramref name="commits"/> (the moves the refinery
    /// recorded before it started) or the branch's tip has it, the checkout is brought to the tip;
    /// anything else is left alone. The caller holds the rig's refinery lock. True when repaired.
    /// </summary>
    public bool RepairInterruptedMove(string branch, IEnumerable<string> commits)
    {
        using var repo = Open();
        if (repo.Branches[branch] is not { } b || !IsCheckedOut(repo, b)) return false;
        var trees = commits.Select(c => repo.Lookup<Commit>(c)).OfType<Commit>().Append(b.Tip).ToList();
        var indexLock = System.IO.Path.Combine(repo.Info.Path, "index.lock");
        var dirty = repo.RetrieveStatus(new StatusOptions { IncludeUntracked = true, RecurseUntrackedDirs = true })
            .Where(e => e.State is not (FileStatus.Ignored or FileStatus.Unaltered)).Select(e => e.FilePath).ToList();
        if (dirty.Count == 0 && !File.Exists(indexLock)) return false;
        bool Known(string path, ObjectId? id) => trees.Any(c => c[path] is { TargetType: TreeEntryTargetType.Blob } e ? e.Target.Id == id : id is null);
        foreach (var path in dirty)
        {
            var file = System.IO.Path.Combine(repo.Info.WorkingDirectory, path);
            var onDisk = File.Exists(file) ? BlobId(File.ReadAllBytes(file)) : null;
            if (!Known(path, onDisk) || !Known(path, repo.Index[path]?.Id)) return false;
        }
        if (File.Exists(indexLock)) File.Delete(indexLock);
        repo.Reset(ResetMode.Hard, b.Tip);
        // A reset leaves untracked files: those the interrupted move wrote (known above) go too.
        foreach (var path in dirty.Where(p => b.Tip[p] is null))
        {
            var file = System.IO.Path.Combine(repo.Info.WorkingDirectory, path);
            if (!File.Exists(file)) continue;
            File.Delete(file);
            for (var dir = System.IO.Path.GetDirectoryName(file); dir is not null && System.IO.Path.GetRelativePath(repo.Info.WorkingDirectory, dir) != "."
                && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any(); dir = System.IO.Path.GetDirectoryName(dir))
                Directory.Delete(dir);
        }
        return true;
    }

    /// <summary>The id git gives a file's content (<c>git hash-object</c>).</summary>
    private static ObjectId BlobId(byte[] content)
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        return new ObjectId(System.Security.Cryptography.SHA1.HashData([.. header, .. content]));
    }

    /// <summary>
    /// Why <paramref name="branch"/> cannot move now: the rig's own checkout has it checked out with
    /// uncommitted or untracked changes, which moving it would overwrite. Null when it can move.
    /// </summary>
    public string? CheckoutBlocker(string branch)
    {
        using var repo = Open();
        return repo.Branches[branch] is { } b && IsCheckedOut(repo, b) ? Blocker(repo, branch) : null;
    }

    private static bool IsCheckedOut(Repository repo, Branch b) =>
        !repo.Info.IsBare && !repo.Info.IsHeadDetached && repo.Head.CanonicalName == b.CanonicalName;

    private string? Blocker(Repository repo, string branch)
    {
        var dirty = repo.RetrieveStatus(new StatusOptions { IncludeUntracked = true, RecurseUntrackedDirs = true })
            .Where(e => e.State != FileStatus.Ignored && e.State != FileStatus.Unaltered).Select(e => e.FilePath).ToList();
        return dirty.Count == 0 ? null
            : $"{Path} has {branch} checked out with uncommitted or untracked changes ({string.Join(", ", dirty.Take(5).Select(TerminalText.Line))}); commit or stash them so main can move";
    }

    /// <summary>True when <paramref name="ancestor"/> is <paramref name="commit"/> or one of its ancestors.</summary>
    public bool IsAncestor(string ancestor, string commit)
    {
        using var repo = Open();
        var a = repo.Lookup<Commit>(ancestor);
        var c = repo.Lookup<Commit>(commit);
        if (a is null || c is null) return false;
        return a.Sha == c.Sha || repo.ObjectDatabase.FindMergeBase(a, c)?.Sha == a.Sha;
    }

    /// <summary>True when <paramref name="commit"/> is <paramref name="branch"/>'s tip or one of its ancestors.</summary>
    public bool Contains(string branch, string commit)
    {
        using var repo = Open();
        var tip = repo.Branches[branch]?.Tip;
        var c = repo.Lookup<Commit>(commit);
        if (tip is null || c is null) return false;
        return tip.Sha == c.Sha || repo.ObjectDatabase.FindMergeBase(tip, c)?.Sha == c.Sha;
    }

    /// <summary>The commit message of a landed work item: its id and title, then the trailer the refinery finds it by.</summary>
    public static string LandingMessage(string item, string title, string agent, IReadOnlyList<string> commits) =>
        $"{item}: {TerminalText.Line(title)}\n\nSquashed from {commits.Count} commit{(commits.Count == 1 ? "" : "s")} by {agent}.\n\n{ItemTrailer}: {item}\n";
}
