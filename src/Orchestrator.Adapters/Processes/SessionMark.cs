using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Adapters.Processes;

/// <summary>
/// Names a command <see cref="CommandRunner"/> started in its own session (setsid) well enough for
/// another process to find what is left of it later: the leader's pid and its start time (so a
/// reused pid is not taken for it). A refinery killed with SIGKILL cannot stop its gate; the next
/// one reads the mark and stops the leftover processes before it touches the scratch worktree.
/// Linux only (it reads /proc); elsewhere there is no mark.
/// </summary>
public sealed record SessionMark(int Pid, long StartTicks)
{
    public override string ToString() => $"{Pid} {StartTicks}";

    public static SessionMark? Parse(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? new SessionMark(pid, ticks) : null;
    }

    /// <summary>The mark of a running process, or null if it is gone or this is not Linux.</summary>
    public static SessionMark? Of(int pid) => Stat(pid) is { } s ? new SessionMark(pid, s.StartTicks) : null;

    /// <summary>
    /// The live processes of the marked session. While any process is in a session, Linux does not
    /// give its id to a new process, so members found with the leader gone are the marked session's;
    /// with the leader alive, its start time must match.
    /// </summary>
    public List<int> Members()
    {
        var members = new List<int>();
        if (!Directory.Exists("/proc")) return members;
        if (Stat(Pid) is { } leader && leader.StartTicks != StartTicks) return members; // the pid is another process now
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (Stat(pid) is { State: not 'Z' } s && s.Session == Pid) members.Add(pid);
        }
        return members;
    }

    /// <summary>Kills every live process of the marked session (SIGKILL); returns how many were killed.</summary>
    public int Kill()
    {
        var killed = new HashSet<int>();
        for (var round = 0; round < 5; round++) // a member may fork while the others are killed
        {
            var members = Members();
            if (members.Count == 0) break;
            foreach (var pid in members)
            {
                try
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill();
                    killed.Add(pid);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
            }
            Thread.Sleep(20); // killed processes become zombies, then go; let them
        }
        return killed.Count;
    }

    private sealed record ProcStat(char State, int Session, long StartTicks);

    /// <summary>Fields of /proc/PID/stat: state (3), session (6), start time (22); null if the process is gone.</summary>
    private static ProcStat? Stat(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var close = text.LastIndexOf(')'); // the command name may contain spaces and parentheses
        if (close < 0 || close + 2 >= text.Length) return null;
        var f = text[(close + 2)..].Split(' ');
        if (f.Length < 20 || f[0].Length == 0) return null;
        return int.TryParse(f[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var session)
            && long.TryParse(f[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new ProcStat(f[0][0], session, start) : null;
    }
}
