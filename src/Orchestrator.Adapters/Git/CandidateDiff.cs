using System.Text;
using LibGit2Sharp;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Git;

/// <summary>One file a candidate changes: its path (and the old one for a rename), how, and the lines added and removed.</summary>
public sealed record FileChange(string Path, string? OldPath, string Status, int Added, int Removed, bool Binary);

/// <summary>What a candidate commit changes against the main it was built on: the files, and the unified diff as text.</summary>
public sealed record CandidateChanges(IReadOnlyList<FileChange> Files, string Patch)
{
    public int Added => Files.Sum(f => f.Added);
    public int Removed => Files.Sum(f => f.Removed);

    /// <summary>
    /// The diff of <paramref name="candidate"/> against <paramref name="onto"/> in the repository at
    /// <paramref name="repositoryPath"/>: a tree diff and the two blobs of each file, diffed by
    /// <see cref="LineDiff"/> (not <c>Diff.Compare&lt;Patch&gt;</c>, whose line callback aborts under NativeAOT).
    /// </summary>
    public static CandidateChanges Of(string repositoryPath, string onto, string candidate)
    {
        using var repo = new Repository(repositoryPath);
        var before = repo.Lookup<Commit>(onto)
            ?? throw new OrcException($"{repositoryPath}: no commit {onto[..Math.Min(12, onto.Length)]} (the main the candidate was built on)");
        var after = repo.Lookup<Commit>(candidate)
            ?? throw new OrcException($"{repositoryPath}: no commit {candidate[..Math.Min(12, candidate.Length)]} (the candidate)");
        using var changes = repo.Diff.Compare<TreeChanges>(before.Tree, after.Tree);
        var files = new List<FileChange>();
        var patch = new StringBuilder();
        foreach (var c in changes.OrderBy(c => c.Path, StringComparer.Ordinal))
        {
            var oldBlob = c.Status == ChangeKind.Added ? null : repo.Lookup<Blob>(c.OldOid);
            var newBlob = c.Status == ChangeKind.Deleted ? null : repo.Lookup<Blob>(c.Oid);
            var oldPath = c.OldPath != c.Path ? c.OldPath : null;
            var status = c.Status.ToString().ToLowerInvariant();
            patch.Append($"diff --git a/{c.OldPath} b/{c.Path}\n");
            if (c.Status == ChangeKind.Added) patch.Append("new file\n");
            if (c.Status == ChangeKind.Deleted) patch.Append("deleted file\n");
            if (oldPath is not null) patch.Append($"renamed from {oldPath}\n");
            if (oldBlob is { IsBinary: true } || newBlob is { IsBinary: true })
            {
                patch.Append("Binary files differ\n");
                files.Add(new FileChange(c.Path, oldPath, status, 0, 0, true));
                continue;
            }
            var diff = LineDiff.Unified(oldBlob?.GetContentText(), newBlob?.GetContentText());
            patch.Append(c.Status == ChangeKind.Added ? "--- /dev/null\n" : $"--- a/{c.OldPath}\n");
            patch.Append(c.Status == ChangeKind.Deleted ? "+++ /dev/null\n" : $"+++ b/{c.Path}\n");
            patch.Append(diff.Hunks);
            files.Add(new FileChange(c.Path, oldPath, status, diff.Added, diff.Removed, false));
        }
        return new CandidateChanges(files, patch.ToString());
    }
}
