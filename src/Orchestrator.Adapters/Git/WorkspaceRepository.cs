using LibGit2Sharp;
using Orchestrator.Core;

namespace Orchestrator.Adapters.Git;

/// <summary>
/// The workspace's own git repository, through LibGit2Sharp. Only the process holding the
/// workspace write lock commits; a git lock file found here is either a person's git at work in
/// the workspace (waited for, then reported) or one a crashed git left (removed: no git runs
/// here that could own it). See <see cref="GitLocks"/>.
/// </summary>
public sealed class WorkspaceRepository(string root)
{
    /// <summary>A lock a git command takes for a moment: waited for before anything else is asked.</summary>
    private static readonly TimeSpan ShortLock = TimeSpan.FromSeconds(2);

    /// <summary>How long a writer waits for a running git to let go of its lock before it says so.</summary>
    public static readonly TimeSpan LiveLockWait = TimeSpan.FromSeconds(20);

    public string Root { get; } = root;

    public static bool Exists(string root) => Repository.IsValid(root);

    /// <summary>True when <paramref name="root"/> is a git repository with at least one commit (on any branch).</summary>
    public static bool HasCommits(string root)
    {
        if (!Repository.IsValid(root)) return false;
        try
        {
            using var repo = new Repository(root);
            return repo.Head.Tip is not null || repo.Branches.Any(b => b.Tip is not null);
        }
        catch (LibGit2SharpException) { return false; }
    }

    public static void Init(string root)
    {
        try { Repository.Init(root); }
        catch (LibGit2SharpException ex) { throw new OrcException($"{root}: cannot create a git repository: {ex.Message}"); }
    }

    /// <summary>Stages <paramref name="paths"/> (relative) and commits them if anything changed. Returns the commit id or null.</summary>
    /// <param name="sweep">Record folders (relative) whose records (<c>*.json</c>, never a dotfile or a <c>*.tmp</c>)
    /// differ from the index are committed too, new, changed or removed: what a writer killed between its
    /// atomic write and its commit left, which every reader already sees. The caller holds the workspace
    /// write lock, so no other writer is between the two now.</param>
    public string? Commit(IReadOnlyCollection<string> paths, string message, string actor, IReadOnlyCollection<string>? sweep = null)
    {
        try { AwaitGitLocks(); }
        catch (OrcException ex) { throw new OrcException($"{Root}: the change could not be committed: {ex.Message}", ex.ExitCode); }
        try
        {
            using var repo = new Repository(Root);
            foreach (var p in paths)
            {
                if (File.Exists(Path.Combine(Root, p))) repo.Index.Add(p);
                else if (repo.Index[p] is not null) repo.Index.Remove(p);
            }
            if (sweep is { Count: > 0 }) Sweep(repo, sweep);
            repo.Index.Write();
            var head = repo.Head.Tip;
            if (head is not null && repo.Index.WriteToTree().Id == head.Tree.Id) return null;
            var now = DateTimeOffset.Now;
            var author = new Signature(SafeName(actor), $"{SafeEmail(actor)}@orc.local", now);
            var committer = new Signature("orc", "orc@orc.local", now);
            // PrettifyMessage must stay off: under NativeAOT the prettify round-trip loses the message.
            var commit = repo.Commit(message.TrimEnd() + "\n", author, committer, new CommitOptions { PrettifyMessage = false, AllowEmptyCommit = false });
            return commit.Sha;
        }
        catch (EmptyCommitException) { return null; }
        catch (LibGit2SharpException ex)
        {
            throw new OrcException($"{Root}: the change could not be committed to the workspace repository: {ex.Message}");
        }
    }

    private static void Sweep(Repository repo, IReadOnlyCollection<string> folders)
    {
        var options = new StatusOptions
        {
            PathSpec = folders.Select(f => f.TrimEnd('/') + "/").ToArray(),
            IncludeUntracked = true,
            RecurseUntrackedDirs = true,
            DetectRenamesInIndex = false,
            DetectRenamesInWorkDir = false,
        };
        foreach (var entry in repo.RetrieveStatus(options))
        {
            var name = Path.GetFileName(entry.FilePath);
            if (!name.EndsWith(".json", StringComparison.Ordinal) || name.StartsWith('.')) continue;
            if (entry.State.HasFlag(FileStatus.DeletedFromWorkdir)) repo.Index.Remove(entry.FilePath);
            else if (entry.State.HasFlag(FileStatus.NewInWorkdir) || entry.State.HasFlag(FileStatus.ModifiedInWorkdir)) repo.Index.Add(entry.FilePath);
        }
    }

    /// <summary>Puts each of <paramref name="paths"/> (relative) back as the last commit has it: its content, or no file when the commit has none.</summary>
    public void RestoreFromHead(IEnumerable<string> paths)
    {
        try
        {
            foreach (var p in paths.Distinct(StringComparer.Ordinal))
            {
                var file = Path.Combine(Root, p);
                if (Committed(p) is { } content) Storage.AtomicFile.Write(file, content);
                else if (File.Exists(file)) File.Delete(file);
            }
        }
        catch (LibGit2SharpException ex) { throw new OrcException($"{Root}: cannot read the last commit: {ex.Message}"); }
    }

    /// <summary>The workspace's uncommitted changes (files new, changed or removed against the last commit, in the index or the folder), by relative path;
    /// ignored files are left out.</summary>
    public List<string> Uncommitted()
    {
        using var repo = new Repository(Root);
        return repo.RetrieveStatus(new StatusOptions { IncludeUntracked = true, RecurseUntrackedDirs = true, IncludeIgnored = false })
            .Where(e => e.State is not (FileStatus.Unaltered or FileStatus.Ignored)).Select(e => e.FilePath).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A file's content as the last commit has it (<paramref name="relativePath"/> with '/'); null when it has none.</summary>
    public byte[]? Committed(string relativePath)
    {
        using var repo = new Repository(Root);
        return repo.Head.Tip?[relativePath]?.Target is Blob blob ? Content(blob) : null;
    }

    /// <summary>
    /// The base version of a file a merge left conflicted (<paramref name="relativePath"/> with
    /// '/'): the index's ancestor entry while the merge is under way, else the file at the merge
    /// base of the merge being made (MERGE_HEAD) or of the last commit's two parents (a person
    /// committed the markers). Null when there is no such merge or the base has no such file.
    /// </summary>
    public byte[]? ConflictBase(string relativePath)
    {
        try
        {
            using var repo = new Repository(Root);
            if (repo.Index.Conflicts[relativePath]?.Ancestor is { } ancestor)
                return Content(repo.Lookup<Blob>(ancestor.Id));
            var head = repo.Head.Tip;
            if (head is null) return null;
            var mergeHead = Path.Combine(repo.Info.Path, "MERGE_HEAD");
            var other = File.Exists(mergeHead) ? repo.Lookup<Commit>(File.ReadLines(mergeHead).FirstOrDefault()?.Trim() ?? "") : null;
            var parents = head.Parents.ToList();
            Commit? a = head, b = other;
            if (other is null && parents.Count == 2) (a, b) = (parents[0], parents[1]);
            if (b is null) return null;
            return repo.ObjectDatabase.FindMergeBase(a, b)?[relativePath]?.Target is Blob blob ? Content(blob) : null;
        }
        catch (LibGit2SharpException) { return null; } // no base to be had: the sides are merged as they are
    }

    private static byte[]? Content(Blob? blob)
    {
        if (blob is null) return null;
        using var stream = blob.GetContentStream();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Sets a value in the repository's own config (.git/config).</summary>
    public void SetConfig(string key, string value)
    {
        using var repo = new Repository(Root);
        repo.Config.Set(key, value, ConfigurationLevel.Local);
    }

    public string? GetConfig(string key)
    {
        using var repo = new Repository(Root);
        return repo.Config.Get<string>(key, ConfigurationLevel.Local)?.Value;
    }

    /// <summary>
    /// Makes sure git's locks let orc commit: a lock a crashed git left is removed; one a running
    /// git in the workspace holds (a <c>git commit</c> waiting in an editor) is waited for up to
    /// <see cref="LiveLockWait"/>, then reported with that git's pid and command (exit 5), never
    /// removed. Called before a change is made, so such a report means nothing was changed.
    /// </summary>
    public void AwaitGitLocks()
    {
        var gitDir = Path.Combine(Root, ".git");
        if (!Directory.Exists(gitDir)) return;
        var deadline = DateTime.UtcNow + ShortLock + LiveLockWait;
        foreach (var lockFile in GitLocks.Present(gitDir))
        {
            var shortWait = DateTime.UtcNow + ShortLock;
            while (File.Exists(lockFile) && DateTime.UtcNow < shortWait) Thread.Sleep(50);
            while (File.Exists(lockFile))
            {
                if (GitLocks.LiveOwner(lockFile, Root) is not { } owner)
                {
                    try { File.Delete(lockFile); } catch (IOException) { }
                    break;
                }
                if (DateTime.UtcNow >= deadline)
                    throw new OrcException($"{Path.GetRelativePath(Root, lockFile)} is held by a git command running in the workspace ({owner}); finish it (an editor waiting for a commit message?) and try again", ExitCodes.Busy);
                Thread.Sleep(200);
            }
        }
    }

    private static string SafeName(string actor) =>
        new string(actor.Where(c => !char.IsControl(c) && c is not '<' and not '>').Take(100).ToArray()) is { Length: > 0 } s ? s : "orc";

    private static string SafeEmail(string actor) =>
        new string(actor.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').Take(64).ToArray()) is { Length: > 0 } s ? s : "user";
}
