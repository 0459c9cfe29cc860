namespace Orchestrator.Adapters.Processes;

/// <summary>Whether a process lives, as the kernel says (a zombie has exited: its parent has not looked yet).</summary>
public static class ProcessTable
{
    public static bool IsRunning(int pid)
    {
        if (pid <= 0) return false;
        if (pid == Environment.ProcessId) return true;
        if (Directory.Exists("/proc/self"))
        {
            try
            {
                var text = File.ReadAllText($"/proc/{pid}/stat");
                var close = text.LastIndexOf(')'); // the command name may contain spaces and parentheses
                return close < 0 || close + 2 >= text.Length || text[close + 2] is not ('Z' or 'X');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        }
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
    }
}
