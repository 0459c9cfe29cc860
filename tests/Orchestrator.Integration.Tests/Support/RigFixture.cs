using LibGit2Sharp;

namespace Orchestrator.Integration.Tests.Support;

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
