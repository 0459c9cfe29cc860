using LibGit2Sharp;
using Orchestrator.Core;

namespace Orchestrator.Adapters.Git;

/// <summary>
/// The workspace's own git repository, through LibGit2Sharp. Only the process holding the
/// workspace write lock commits, so a git lock file found here was left by a writer that died;
/// it is removed after a short grace period.
/// </summary>
public sealed class WorkspaceRepository(string root)
{
    private static readonly TimeSpan StaleLockGrace = TimeSpan.FromSeconds(2);

    public string Root { get; } = root;

    public static bool Exists(string root) => Repository.IsValid(root);

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
        ClearStaleLocks();
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
            throw new OrcException($"{Root}: the change is saved on disk but could not be committed to the workspace repository: {ex.Message}");
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

    private void ClearStaleLocks()
    {
        var gitDir = Path.Combine(Root, ".git");
        foreach (var name in new[] { "index.lock", "HEAD.lock" })
            ClearIfStale(Path.Combine(gitDir, name));
        var heads = Path.Combine(gitDir, "refs", "heads");
        if (Directory.Exists(heads))
            foreach (var f in Directory.EnumerateFiles(heads, "*.lock", SearchOption.AllDirectories))
                ClearIfStale(f);
    }

    private static void ClearIfStale(string lockFile)
    {
        if (!File.Exists(lockFile)) return;
        var deadline = DateTime.UtcNow + StaleLockGrace;
        while (File.Exists(lockFile) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        try { File.Delete(lockFile); } catch (IOException) { }
    }

    private static string SafeName(string actor) =>
        new string(actor.Where(c => !char.IsControl(c) && c is not '<' and not '>').Take(100).ToArray()) is { Length: > 0 } s ? s : "orc";

    private static string SafeEmail(string actor) =>
        new string(actor.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').Take(64).ToArray()) is { Length: > 0 } s ? s : "user";
}
