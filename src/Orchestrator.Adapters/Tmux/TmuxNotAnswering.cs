using System.Diagnostics;
using Orchestrator.Core;

namespace Orchestrator.Adapters.Tmux;

/// <summary>
/// The tmux server accepted the connection but did not answer within <see cref="TmuxServer.AnswerWithin"/>:
/// it is stopped (SIGSTOP) or hung. Nothing is tried again against it; <c>orc down --force</c> ends it.
/// </summary>
public sealed class TmuxNotAnsweringException(string message) : OrcException(message);

/// <summary>The process of a tmux server, found without asking it (a stopped server cannot answer).</summary>
public static class TmuxServerProcess
{
    /// <summary>
    /// The pids that hold the listening socket at <paramref name="socketPath"/> (the server), from
    /// /proc/net/unix and each process's open files; empty when none is found or on a system without /proc.
    /// </summary>
    public static List<int> PidsListeningOn(string socketPath)
    {
        var pids = new List<int>();
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/net/unix")) return pids;
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/net/unix").Skip(1))
        {
            // Num RefCount Protocol Flags Type St Inode [Path]
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 8 && f[7] == socketPath) inodes.Add(f[6]);
        }
        if (inodes.Count == 0) return pids;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                    {
                        pids.Add(pid);
                        break;
                    }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // exited, or not ours
        }
        return pids;
    }

    /// <summary>Kills the server listening on <paramref name="socketPath"/> (SIGKILL: a stopped process dies too). Returns the pids killed.</summary>
    public static List<int> Kill(string socketPath)
    {
        var killed = new List<int>();
        foreach (var pid in PidsListeningOn(socketPath))
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                p.Kill();
                p.WaitForExit(5000);
                killed.Add(pid);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { } // gone already
        }
        return killed;
    }
}
