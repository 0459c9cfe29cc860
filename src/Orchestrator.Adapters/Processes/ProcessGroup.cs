using System.Runtime.InteropServices;

namespace Orchestrator.Adapters.Processes;

/// <summary>
/// Signals a whole process group (kill(2) on the negative group id), with no <c>kill</c> process
/// in between: a group leader started with <c>setsid</c> and everything it started end together.
/// </summary>
public static partial class ProcessGroup
{
    private const int SigKill = 9;

    /// <summary>Sends SIGKILL to the process group led by <paramref name="leader"/>; false when there is no such group (or on Windows).</summary>
    public static bool Kill(int leader)
    {
        if (leader <= 1 || OperatingSystem.IsWindows()) return false;
        return SendSignal(-leader, SigKill) == 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
