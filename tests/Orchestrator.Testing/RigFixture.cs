using LibGit2Sharp;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Agents;

namespace Orchestrator.Testing;

/// <summary>What the runtime and service tests share: a source repository for a rig, rig settings, waiting for a condition.</summary>
public static class RigFixture
{
    /// <summary>A git repository beside the workspace with one commit of README.md; returns its path.</summary>
    public static string CreateSource(TempWorkspace ws, string readme = "app\n")
    {
        var source = Path.Combine(ws.Root, "..", Path.GetFileName(ws.Root) + "-src");
        Repository.Init(source);
        using var repo = new Repository(source);
        File.WriteAllText(Path.Combine(source, "README.md"), readme);
        Commands.Stage(repo, "README.md");
        var sig = new Signature("t", "t@example.com", DateTimeOffset.Now);
        repo.Commit("first", sig, sig);
        return source;
    }

    public static void DeleteSource(string source)
    {
        try { Directory.Delete(source, true); } catch (IOException) { }
    }

    /// <summary>Sets one key of a rig's settings file (.orc/rigs/RIG.yaml), as a user editing it would.</summary>
    public static void SetSetting(TempWorkspace ws, string rig, string key, string value)
    {
        var path = Path.Combine(ws.Root, ".orc", "rigs", rig + ".yaml");
        File.WriteAllLines(path, File.ReadAllLines(path).Where(l => !l.StartsWith(key + ":", StringComparison.Ordinal)).Append($"{key}: {value}"));
    }

    /// <summary>
    /// An agent at work on a new item of <paramref name="rig"/>, made the way a sling makes it
    /// (a worktree on polecat/AGENT/ITEM from the tip of <paramref name="mainBranch"/>, the item
    /// hooked by the agent, an active hook) with <paramref name="files"/> committed on its branch.
    /// Returns the item id and the worktree.
    /// </summary>
    public static (string Item, string Worktree) Hook(TempWorkspace ws, string rig, string agent, string title, Dictionary<string, string> files,
        string mainBranch = "master", params string[] createArgs)
    {
        var id = ws.Create(title, ["--prefix", rig, .. createArgs]);
        var branch = $"polecat/{agent}/{id}";
        var worktree = Path.Combine(ws.Root, "worktrees", rig, agent);
        var repository = new RigRepository(Path.Combine(ws.Root, "rigs", rig));
        var baseCommit = repository.TipOf(mainBranch);
        repository.AddWorktree(agent, branch, baseCommit, worktree);
        using (var repo = new Repository(worktree))
        {
            foreach (var (path, text) in files)
            {
                var full = Path.Combine(worktree, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
                Commands.Stage(repo, path);
            }
            var sig = new Signature(agent, agent + "@orc.local", DateTimeOffset.Now);
            repo.Commit($"{id}: {title}", sig, sig);
        }
        new RecordStore<Orchestrator.Core.Agents.Hook>(Path.Combine(ws.Root, "agents"), OrcJsonContext.Default.Hook).Write(agent,
            new Orchestrator.Core.Agents.Hook
        {
            Agent = agent, Rig = rig, Item = id, Branch = branch, Worktree = worktree, BaseCommit = baseCommit,
            Profile = "sim", State = HookStates.Active, CreatedAt = "2026-11-23T00:00:00Z",
        });
        var hooked = ws.Orc("item", "update", id, "--status", "hooked", "--assignee", agent);
        Assert.True(hooked.ExitCode == 0, hooked.ToString());
        return (id, worktree);
    }

    /// <summary>An agent's finished work: <see cref="Hook"/>, then the real 'orc done' (the work is in the rig's merge queue). Returns the item id.</summary>
    public static string Submit(TempWorkspace ws, string rig, string agent, string title, Dictionary<string, string> files, string mainBranch = "master",
        params string[] createArgs)
    {
        var (id, _) = Hook(ws, rig, agent, title, files, mainBranch, createArgs);
        var done = ws.Orc("done", "--agent", agent);
        Assert.True(done.ExitCode == 0, done.ToString());
        return id;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, else fails with <paramref name="what"/>.</summary>
    public static void Eventually(Func<bool> condition, Func<string> what, int seconds = 45)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail(what());
            Thread.Sleep(150);
        }
    }
}
