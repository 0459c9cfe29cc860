using LibGit2Sharp;
using Orchestrator.Adapters.Git;
using Orchestrator.Core;

namespace Orchestrator.Integration.Tests.Runtime;

public sealed class RigRepositoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orc-rig-").FullName;

    public void Dispose()
    {
        foreach (var f in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)) File.SetAttributes(f, FileAttributes.Normal);
        Directory.Delete(_root, true);
    }

    private string MakeSource()
    {
        var src = Path.Combine(_root, "src");
        Repository.Init(src);
        using var repo = new Repository(src);
        File.WriteAllText(Path.Combine(src, "README.md"), "hello\n");
        Commands.Stage(repo, "README.md");
        var sig = new Signature("t", "t@example.com", DateTimeOffset.Now);
        repo.Commit("first", sig, sig);
        return src;
    }

    [Fact]
    public void A_rig_is_cloned_and_a_worktree_on_its_own_branch_holds_an_agents_commits()
    {
        var rig = RigRepository.Clone(MakeSource(), Path.Combine(_root, "rigs", "app"));
        var main = rig.CurrentBranch();
        var baseCommit = rig.TipOf(main);
        var wt = Path.Combine(_root, "worktrees", "app", "nux");
        rig.AddWorktree("nux", "polecat/nux/hq-a1", baseCommit, wt);
        Assert.True(File.Exists(Path.Combine(wt, "README.md")));
        Assert.Empty(RigRepository.Uncommitted(wt));
        Assert.Empty(RigRepository.CommitsSince(wt, baseCommit));

        File.WriteAllText(Path.Combine(wt, "work.txt"), "done\n");
        Assert.Equal(["work.txt"], RigRepository.Uncommitted(wt));
        using (var repo = new Repository(wt))
        {
            Commands.Stage(repo, "work.txt");
            var sig = new Signature("nux", "nux@orc.local", DateTimeOffset.Now);
            repo.Commit("hq-a1: the work", sig, sig);
            Assert.Equal("polecat/nux/hq-a1", repo.Head.FriendlyName);
        }
        Assert.Empty(RigRepository.Uncommitted(wt));
        var commits = RigRepository.CommitsSince(wt, baseCommit);
        Assert.Equal("hq-a1: the work", Assert.Single(commits).Subject);
        Assert.Equal(baseCommit, rig.TipOf(main));

        rig.RemoveWorktree("nux", wt, deleteBranch: "polecat/nux/hq-a1");
        Assert.False(Directory.Exists(wt));
        Assert.False(rig.BranchExists("polecat/nux/hq-a1"));
    }

    [Fact]
    public void Worktree_records_name_their_folders_and_a_broken_link_is_pointed_back_at_its_record()
    {
        var rig = RigRepository.Clone(MakeSource(), Path.Combine(_root, "rigs", "app"));
        var tip = rig.TipOf(rig.CurrentBranch());
        var nux = Path.Combine(_root, "worktrees", "app", "nux");
        var gone = Path.Combine(_root, "worktrees", "app", "gone");
        rig.AddWorktree("nux", "polecat/nux/hq-a1", tip, nux);
        rig.AddWorktree("gone", "polecat/gone/hq-a2", tip, gone);
        Directory.Delete(gone, recursive: true);
        File.WriteAllText(Path.Combine(nux, "work.txt"), "not committed\n");

        var records = rig.WorktreeRecords();
        Assert.Equal(["gone", "nux"], records.Select(r => r.Name));
        Assert.True(records[0].FolderGone);
        Assert.Equal(Path.GetFullPath(nux), Path.GetFullPath(records[1].Folder!));
        Assert.False(records[1].FolderGone || records[1].LinkBroken);

        foreach (var broken in new[] { "garbage\n", "gitdir: /nonexistent/.git/worktrees/nux\n" })
        {
            File.WriteAllText(Path.Combine(nux, ".git"), broken);
            var record = rig.WorktreeRecords().Single(r => r.Name == "nux");
            Assert.True(record.LinkBroken);
            Assert.True(rig.RepairLink(record));
            using var repo = new Repository(nux);
            Assert.Equal("polecat/nux/hq-a1", repo.Head.FriendlyName);
            Assert.Equal(["work.txt"], RigRepository.Uncommitted(nux)); // nothing in the folder changed
        }
    }

    [Fact]
    public void Removing_a_worktree_leaves_a_record_of_the_same_name_that_is_another_folders()
    {
        var rig = RigRepository.Clone(MakeSource(), Path.Combine(_root, "rigs", "app"));
        var tip = rig.TipOf(rig.CurrentBranch());
        var users = Path.Combine(_root, "elsewhere", "nux"); // the user's own worktree, named as an agent is
        rig.AddWorktree("nux", "mine", tip, users);
        rig.RemoveWorktree("nux", Path.Combine(_root, "worktrees", "app", "nux"), deleteBranch: null);
        Assert.True(Directory.Exists(users));
        Assert.Equal("nux", Assert.Single(rig.WorktreeRecords()).Name);
        using (var repo = new Repository(users)) Assert.Equal("mine", repo.Head.FriendlyName);

        rig.RemoveWorktree("nux", users, deleteBranch: null); // its own folder: removed with its record
        Assert.Empty(rig.WorktreeRecords());
        Assert.False(Directory.Exists(users));
    }

    [Fact]
    public void Cloning_something_that_is_not_a_repository_is_a_clear_error()
    {
        var e = Assert.Throws<OrcException>(() => RigRepository.Clone(Path.Combine(_root, "nothing-here"), Path.Combine(_root, "rigs", "x")));
        Assert.StartsWith("cannot clone", e.Message);
    }
}
