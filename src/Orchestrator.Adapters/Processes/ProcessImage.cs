using System.Runtime.InteropServices;

namespace Orchestrator.Adapters.Processes;

/// <summary>
/// Replaces this process with another program (execv(2)): the same pid, terminal, standard streams
/// and environment, as a shell's <c>exec</c> does. Used where orc hands the terminal over for good
/// (the published orc starting orc-tui), so that signals, the exit code and the terminal belong to
/// the program the user asked for and no orc process waits in between.
/// </summary>
public static partial class ProcessImage
{
    /// <summary>Runs <paramref name="program"/> (a path) with <paramref name="arguments"/> in place of this process; returns only when that fails (then
    /// throws).</summary>
    public static int Replace(string program, IEnumerable<string> arguments)
    {
        var argv = new[] { program }.Concat(arguments).Select(Marshal.StringToCoTaskMemUTF8).Append(IntPtr.Zero).ToArray();
        var path = Marshal.StringToCoTaskMemUTF8(program);
        try
        {
            Exec(path, argv);
            throw new Core.OrcException($"{program}: cannot be run ({Marshal.GetLastPInvokeErrorMessage()})");
        }
        finally
        {
            Marshal.FreeCoTaskMem(path);
            foreach (var p in argv) Marshal.FreeCoTaskMem(p);
        }
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static partial int Exec(IntPtr path, IntPtr[] argv);
}
