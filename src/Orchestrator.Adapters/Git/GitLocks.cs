namespace Orchestrator.Adapters.Git;

/// <summary>
/// git's own lock files (<c>index.lock</c>, <c>HEAD.lock</c>, <c>refs/**.lock</c>) and who may hold
/// them. git writes no owner into them, so a lock is taken to be live while a git process works in
/// the repository (its working directory is inside it): a user's <c>git commit -a</c> waiting in
/// an editor holds <c>index.lock</c> for minutes. Only a lock no running git can own is stale.
/// </summary>
public static class GitLocks
{
    /// <summary>Where no process list can be read (not Linux), a lock younger than this counts as live.</summary>
    public static readonly TimeSpan AssumeLiveFor = TimeSpan.FromMinutes(10);

    /// <summary>The lock files now in the repository whose git folder is <paramref name="gitDir"/> (worktrees' index locks too).</summary>
    public static List<string> Present(string gitDir)
    {
        var found = new List<string>();
        foreach (var name in new[] { "index.lock", "HEAD.lock" })
            if (File.Exists(Path.Combine(gitDir, name))) found.Add(Path.Combine(gitDir, name));
        try
        {
            var refs = Path.Combine(gitDir, "refs");
            if (Directory.Exists(refs)) found.AddRange(Directory.EnumerateFiles(refs, "*.lock", SearchOption.AllDirectories));
            var worktrees = Path.Combine(gitDir, "worktrees");
            if (Directory.Exists(worktrees))
                found.AddRange(Directory.EnumerateDirectories(worktrees).Select(w => Path.Combine(w, "index.lock")).Where(File.Exists));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // went away while listed
        return found;
    }

    /// <summary>
    /// The git processes working in <paramref name="workTree"/> (pid and command line), or null
    /// when this system cannot tell (no /proc).
    /// </summary>
    public static List<(int Pid, string Command)>? GitProcessesIn(string workTree)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc")) return null;
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workTree));
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                if (!comm.StartsWith("git", StringComparison.Ordinal)) continue;
                var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget;
                if (cwd is null || !(cwd == root || cwd.StartsWith(root + "/", StringComparison.Ordinal))) continue;
                var argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                found.Add((pid, Core.Text.TerminalText.Line(string.Join(' ', argv.Take(6)))));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // exited, or not ours to read
        }
        return found;
    }

    /// <summary>Who may hold <paramref name="lockFile"/> of the repository at <paramref name="workTree"/>: a description, or null when it is provably stale.</summary>
    public static string? LiveOwner(string lockFile, string workTree)
    {
        if (GitProcessesIn(workTree) is { } running)
            return running.Count == 0 ? null : string.Join(", ", running.Select(p => $"pid {p.Pid}: {p.Command}"));
        try { return DateTime.UtcNow - File.GetLastWriteTimeUtc(lockFile) < AssumeLiveFor ? "perhaps a git command still running" : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
