using System.Diagnostics;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Faults;

/// <summary>
/// A person's own git at work in the workspace (a <c>git commit -a</c> waiting in its editor holds
/// <c>.git/index.lock</c>) while orc writes: orc waits for it, or reports it and changes nothing;
/// it never deletes a lock a running git owns. A lock no running git can own (a crash) is removed.
/// Real git, real orc processes.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GitLockTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _go;
    private readonly string _editor;

    public GitLockTests()
    {
        // An editor that waits until the test says go, then writes the commit message.
        _go = Path.Combine(_ws.Root, ".orc", "tmp", "editor-go");
        _editor = Path.Combine(_ws.Root, ".orc", "tmp", "editor.sh");
        Directory.CreateDirectory(Path.GetDirectoryName(_editor)!);
        File.WriteAllText(_editor, $"#!/bin/sh\nwhile [ ! -e '{_go}' ]; do sleep 0.1; done\necho 'my own change' > \"$1\"\n");
        File.SetUnixFileMode(_editor, (UnixFileMode)Convert.ToInt32("755", 8));
        File.WriteAllText(Path.Combine(_ws.Root, "notes.txt"), "one\n");
        Assert.Equal(0, Git(["add", "notes.txt"]).Code);
        Assert.Equal(0, Git(["commit", "-q", "-m", "notes"]).Code);
    }

    public void Dispose()
    {
        File.WriteAllText(_go, ""); // never leave a git waiting
        _ws.Dispose();
    }

    private (int Code, string Out) Git(string[] args)
    {
        using var p = StartGit(args);
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    private Process StartGit(string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = _ws.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GIT_EDITOR"] = _editor;
        psi.Environment["GIT_AUTHOR_NAME"] = psi.Environment["GIT_COMMITTER_NAME"] = "A Person";
        psi.Environment["GIT_AUTHOR_EMAIL"] = psi.Environment["GIT_COMMITTER_EMAIL"] = "person@example.com";
        return Process.Start(psi)!;
    }

    private string IndexLock => Path.Combine(_ws.Root, ".git", "index.lock");

    /// <summary>A person's 'git commit -a' of notes.txt (changed, same length), waiting in its editor with git's index lock held.</summary>
    private Process CommitInEditor()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "notes.txt"), "two\n");
        var git = StartGit(["commit", "-a"]);
        RigFixture.Eventually(() => File.Exists(IndexLock), () => "git did not take its index lock", 20);
        return git;
    }

    private void PersonsCommitLanded(Process git)
    {
        Assert.True(git.WaitForExit(30_000), "the person's git commit did not finish");
        Assert.True(git.ExitCode == 0, "the person's git commit failed: " + git.StandardError.ReadToEnd());
        var log = Git(["log", "-1", "--format=%s", "--", "notes.txt"]).Out.Trim();
        Assert.Equal("my own change", log);
        Assert.Equal("two\n", Git(["show", "HEAD:notes.txt"]).Out.Replace("\r", ""));
        Assert.DoesNotContain("notes.txt", Git(["status", "--porcelain"]).Out);
    }

    [Fact]
    public async Task A_persons_git_commit_in_its_editor_is_waited_for_and_both_changes_land()
    {
        using var git = CommitInEditor();
        var write = Task.Run(() => _ws.Orc("item", "create", "while you commit"), TestContext.Current.CancellationToken);
        Thread.Sleep(3000); // longer than orc's old 2 s grace: the lock must still be the person's
        Assert.True(File.Exists(IndexLock), "orc removed the lock of a running git");
        Assert.False(write.IsCompleted, "orc wrote past a running git's lock");
        File.WriteAllText(_go, "");
        PersonsCommitLanded(git);
        var r = await write;
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("while you commit", _ws.LedgerText());
        Assert.Contains("while you commit", _ws.HeadMessage());
        Assert.True(_ws.IsClean(), _ws.Dirty());
    }

    [Fact]
    public void A_git_that_keeps_its_lock_is_reported_by_pid_and_command_and_nothing_changes()
    {
        using var git = CommitInEditor();
        var ledger = _ws.LedgerBytes();
        var commits = _ws.CommitCount();
        var r = _ws.Orc("item", "create", "blocked by your git");
        Assert.Equal(5, r.ExitCode);
        Assert.Contains($".git/index.lock is held by a git command running in the workspace (pid {git.Id}: git commit -a)", r.Err);
        Assert.Contains("nothing was changed", r.Err);
        Assert.Equal(ledger, _ws.LedgerBytes());
        Assert.Equal(commits, _ws.CommitCount());
        Assert.True(File.Exists(IndexLock));
        File.WriteAllText(_go, "");
        PersonsCommitLanded(git);
        Assert.Equal(0, _ws.Orc("item", "create", "now it goes").ExitCode);
    }

    [Fact]
    public void A_lock_no_running_git_can_own_is_removed_and_the_write_goes_on()
    {
        File.WriteAllText(IndexLock, ""); // what a git killed mid-write leaves
        var r = _ws.Orc("item", "create", "after a crash");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(File.Exists(IndexLock));
        Assert.Contains("after a crash", _ws.HeadMessage());
    }
}
