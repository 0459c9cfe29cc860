using LibGit2Sharp;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Git;

/// <summary>
/// Runs, in a throwaway folder, every kind of git operation orc does through LibGit2Sharp and its
/// native libgit2 (init and commit, clone, worktrees, status, tree diffs, the refinery's squash and
/// conflict-marker check, the gate's scratch worktree, the fast-forward of main, an agent's union
/// merge, checkout), through the same adapter methods the services call. It exists because a
/// NativeAOT build can break exactly these paths (a native-to-managed callback that aborts the
/// process) while the JIT build works: <c>orc doctor</c> runs it in a child process, so even an
/// abort is reported as one line naming the step, and the AOT test suite runs it against the
/// published binary.
/// </summary>
public static class GitEngineCheck
{
    /// <summary>The steps, in order (each one's name is printed before it runs).</summary>
    public static readonly string[] Steps =
        ["init", "commit", "clone", "worktree", "status", "diff", "squash", "conflict-markers", "gate-worktree", "fast-forward", "merge", "checkout",
            "remove-worktree"];

    /// <summary>LibGit2Sharp's version and the libgit2 it carries.</summary>
    public static string Version => "LibGit2Sharp " + GlobalSettings.Version.ToString();

    /// <summary>Runs every step in a new folder under <paramref name="tempRoot"/>, calling <paramref name="starting"/> before each; removes the
    /// folder.</summary>
    public static void Run(string tempRoot, Action<string> starting)
    {
        var dir = System.IO.Path.Combine(tempRoot, "orc-git-check-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        var step = "init";
        try
        {
            var source = System.IO.Path.Combine(dir, "source");
            var clone = System.IO.Path.Combine(dir, "clone");
            var worktree = System.IO.Path.Combine(dir, "worktrees", "agent");
            var scratch = System.IO.Path.Combine(dir, "worktrees", "gate");
            void Step(string name) { step = name; starting(name); }

            Step("init");
            Directory.CreateDirectory(source);
            WorkspaceRepository.Init(source);
            File.WriteAllText(System.IO.Path.Combine(source, "README.md"), "check\n");
            File.WriteAllText(System.IO.Path.Combine(source, "shared.txt"), "one\ntwo\nthree\n");
            Step("commit");
            var first = new WorkspaceRepository(source).Commit(["README.md", "shared.txt"], "first", "orc")
                ?? throw new OrcException("the first commit was not made");
            using (var repo = new Repository(source)) Expect(repo.Head.Tip.Message == "first\n", "the commit message did not survive");

            Step("clone");
            var rig = RigRepository.Clone(source, clone);
            var main = rig.CurrentBranch();

            Step("worktree");
            rig.AddWorktree("agent", "orc/agent", main, worktree);
            File.WriteAllText(System.IO.Path.Combine(worktree, "feature.txt"), "new\n");
            File.AppendAllText(System.IO.Path.Combine(worktree, "shared.txt"), "four\n");

            Step("status");
            var dirty = RigRepository.Uncommitted(worktree);
            Expect(dirty.Contains("feature.txt") && dirty.Contains("shared.txt"), "status missed a change: " + string.Join(", ", dirty));
            var work = new WorkspaceRepository(worktree).Commit(["feature.txt", "shared.txt"], "work",
                "agent") ?? throw new OrcException("the worktree commit was not made");

            Step("diff");
            var changed = RigRepository.ChangedFiles(clone, first, work, worktree);
            Expect(changed.SequenceEqual(["feature.txt", "shared.txt"]), "the tree diff saw " + string.Join(", ", changed));
            var integration = new RigIntegration(clone);
            Expect(integration.ChangedFiles(first, work).Count == 2, "the refinery's diff differs");

            Step("squash");
            var squash = integration.Squash(integration.TipOf(main), work, "check: squash\n", DateTimeOffset.Now);
            Expect(squash.Ok, "the squash failed: " + string.Join(", ", squash.Conflicts.Concat(squash.MarkerFiles)));

            Step("conflict-markers");
            File.WriteAllText(System.IO.Path.Combine(worktree, "feature.txt"), "new\n<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n");
            var marked = new WorkspaceRepository(worktree).Commit(["feature.txt"], "markers",
                "agent") ?? throw new OrcException("the marker commit was not made");
            var refused = integration.Squash(integration.TipOf(main), marked, "check: markers\n", DateTimeOffset.Now);
            Expect(!refused.Ok && refused.MarkerFiles.SequenceEqual(["feature.txt"]), "conflict markers were not found");

            Step("gate-worktree");
            integration.PrepareScratch(scratch, "orc-check-gate", squash.Commit!);
            Expect(File.ReadAllText(System.IO.Path.Combine(scratch, "shared.txt")).EndsWith("four\n", StringComparison.Ordinal),
                "the gate worktree is not at the candidate");

            Step("fast-forward");
            integration.FastForward(main, integration.TipOf(main), squash.Commit!, "check");
            Expect(File.Exists(System.IO.Path.Combine(clone, "feature.txt")), "the checkout did not follow main");

            Step("merge");
            File.AppendAllText(System.IO.Path.Combine(worktree, "shared.txt"), "five\n");
            new WorkspaceRepository(worktree).Commit(["shared.txt"], "more", "agent");
            var outcome = RigRepository.MergeUnion(worktree, main, "agent");
            Expect(outcome == RigRepository.MergeOutcome.Merged, "the merge ended " + outcome);
            using (var repo = new Repository(worktree)) Expect(repo.Head.Tip.Parents.Count() == 2 && repo.Head.Tip.Message.StartsWith("Merge branch",
                StringComparison.Ordinal), "the merge commit is wrong");

            Step("checkout");
            rig.SetBranch("orc/other", first, overwrite: false);
            RigRepository.Checkout(worktree, "orc/other");
            Expect(RigRepository.BranchOf(worktree) == "orc/other" && !File.Exists(System.IO.Path.Combine(worktree, "feature.txt")),
                "the checkout did not change the files");

            Step("remove-worktree");
            rig.RemoveWorktree("agent", worktree, "orc/agent");
            Expect(!Directory.Exists(worktree) && !rig.BranchExists("orc/agent"), "the worktree is still there");
        }
        catch (Exception e) when (e is LibGit2SharpException or OrcException or IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"git engine: step '{step}' failed: {TerminalText.Line(e.Message)}");
        }
        finally
        {
            try { DeleteTree(dir); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static void Expect(bool ok, string why)
    {
        if (!ok) throw new OrcException(why);
    }

    private static void DeleteTree(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)) File.SetAttributes(f, FileAttributes.Normal);
        Directory.Delete(dir, recursive: true);
    }
}
