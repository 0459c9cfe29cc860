using Orchestrator.Adapters.Processes;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Git;

/// <summary>
/// Saves everything in a worktree (tracked changes and new files) as a commit on a ref of its
/// repository, through a temporary index (git CLI plumbing: read-tree, add, write-tree,
/// commit-tree, update-ref), so the worktree, its index and its branch are left exactly as they were.
/// </summary>
public static class WorktreeCheckpoint
{
    /// <summary>How long one git step may take.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Commits the worktree at <paramref name="worktree"/> on top of its HEAD, as
    /// <paramref name="author"/>, with <paramref name="message"/>, and points
    /// <paramref name="refName"/> at it; returns the commit's id. <paramref name="indexFile"/> is the
    /// temporary index to use (the caller removes it). Throws <see cref="OrcException"/> when a step fails.
    /// </summary>
    public static string Save(string worktree, string refName, string message, string indexFile, (string Name, string Email) author)
    {
        var env = new Dictionary<string, string?>
        {
            ["GIT_INDEX_FILE"] = indexFile,
            ["GIT_AUTHOR_NAME"] = author.Name, ["GIT_AUTHOR_EMAIL"] = author.Email,
            ["GIT_COMMITTER_NAME"] = author.Name, ["GIT_COMMITTER_EMAIL"] = author.Email,
        };
        string Git(params string[] a)
        {
            var r = ChildProcess.Run(["git", .. a], worktree, env, StepTimeout);
            if (r.TimedOut) throw new OrcException($"git {a[0]} did not finish in {StepTimeout.TotalSeconds:0}s in {worktree}");
            if (r.ExitCode != 0) throw new OrcException($"git {a[0]} failed in {worktree}: {TerminalText.Line(r.Err.Trim())}");
            return r.Out.Trim();
        }
        Git("read-tree", "HEAD");
        Git("add", "-A", ".");
        var tree = Git("write-tree");
        var commit = Git("commit-tree", tree, "-p", "HEAD", "-m", message);
        Git("update-ref", refName, commit);
        return commit;
    }
}
