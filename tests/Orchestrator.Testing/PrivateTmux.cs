using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orchestrator.Adapters.Tmux;

namespace Orchestrator.Testing;

/// <summary>
/// Ends what a test started on its private tmux socket, and only that: the server, and every
/// process that could start it again or still write into the test's workspace. A service or an
/// agent's hook call still running when the server is killed starts a new server (seen as servers
/// left behind the suite); a process the server just hung up on may write a last heartbeat or log
/// line after the folder is deleted.
/// </summary>
public static class PrivateTmux
{
    /// <summary>
    /// Kills the server on <paramref name="tmux"/>'s socket and every process that is ours (see
    /// <see cref="Processes"/>), until none is left and nothing listens, then removes the socket
    /// file a killed (or 3.3a) server leaves behind. Deleting it first would leave a server
    /// running that nothing can reach.
    /// </summary>
    public static void Stop(TmuxServer tmux, string? workspace = null)
    {
        for (var round = 0; round < 5; round++)
        {
            tmux.RunProcess("kill-server");
            var left = Processes(tmux.SocketName, workspace);
            foreach (var pid in left) Signal(pid, "KILL");
            if (left.Count == 0 && !tmux.IsListening()) break;
            Thread.Sleep(100);
        }
        tmux.KillServer();
    }

    /// <summary>
    /// Waits until no live process is ours (up to <paramref name="seconds"/>), for a folder about to
    /// be deleted; returns whether none is left.
    /// </summary>
    public static bool WaitForNone(string socket, string? workspace, int seconds = 5)
    {
        var deadline = Stopwatch.StartNew();
        while (Processes(socket, workspace).Count > 0)
        {
            if (deadline.Elapsed.TotalSeconds > seconds) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    /// <summary>Sends a signal to one process (kill -SIG PID).</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, pid.ToString(CultureInfo.InvariantCulture) },
            UseShellExecute = false, RedirectStandardError = true })!;
        kill.WaitForExit();
    }

    /// <summary>
    /// Live processes that are ours: tmux on our socket (server and clients, by their argv
    /// <c>-L SOCKET</c>); every process whose environment names our socket (<c>ORC_TMUX_SOCKET</c>)
    /// or our workspace (<c>ORC_WORKSPACE</c>: agents, services, hook calls); every process whose
    /// current folder is inside the workspace (a gate, a hook's child). Never this process.
    /// </summary>
    public static List<int> Processes(string socket, string? workspace)
    {
        var markers = new List<byte[]> { Encoding.UTF8.GetBytes("ORC_TMUX_SOCKET=" + socket + "\0") };
        if (workspace is not null) markers.Add(Encoding.UTF8.GetBytes("ORC_WORKSPACE=" + workspace + "\0"));
        var inside = workspace is null ? null : workspace.TrimEnd('/') + "/";
        var self = Environment.ProcessId;
        var mine = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == self) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "stat")).Contains(") Z ", StringComparison.Ordinal)) continue;
                var argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                var found = false;
                for (var i = 0; i + 1 < argv.Length && !found; i++) found = argv[i] == "-L" && argv[i + 1] == socket;
                if (!found)
                {
                    var environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
                    found = markers.Any(m => environ.AsSpan().IndexOf(m) >= 0);
                }
                if (!found && inside is not null && new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget is { } cwd)
                    found = (cwd + "/").StartsWith(inside, StringComparison.Ordinal);
                if (found) mine.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return mine;
    }
}
