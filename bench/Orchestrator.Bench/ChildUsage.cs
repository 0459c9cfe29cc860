using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Orchestrator.Bench;

/// <summary>What one run of a child process cost, as the kernel accounted it (<c>wait4</c>'s rusage).</summary>
internal sealed record ChildRun(double WallMs, double UserMs, double SysMs, long MaxRssKb, long MinorFaults, int ExitCode, string Stderr)
{
    public double CpuMs => UserMs + SysMs;
}

/// <summary>
/// Runs a command as a child of this process with <c>posix_spawn</c> and reaps it with
/// <c>wait4</c>, which hands back the child's own resource usage: user and system CPU time and
/// minor page faults (what <c>/usr/bin/time</c> prints), without depending on GNU time. Standard
/// input and output are /dev/null (as in <c>cmd &gt; /dev/null</c>); standard error goes to a file
/// and is returned. The wall time runs from just before the spawn to the reap. Linux only.
/// </summary>
/// <remarks>
/// <para>Peak RSS needs a detour: <c>posix_spawn</c> starts the child with <c>vfork</c>, and the
/// kernel folds the address space the child leaves at <c>execve</c> (this process's, hundreds of MB
/// after generating a ledger) into the child's <c>ru_maxrss</c>. <see cref="PeakRss"/> therefore
/// has <c>/bin/sh</c> fork the command (a fresh process, copied from a shell of ~1-2 MB) and exit;
/// this process, a child subreaper, inherits the command and reaps it with its own figures.</para>
/// <para>.NET's <see cref="Process"/> class reaps only the children it started (by pid), so a child
/// spawned here is ours to wait for even after <see cref="Process"/> has been used.</para>
/// </remarks>
internal static partial class ChildUsage
{
    private const int ORdOnly = 0, OWrOnly = 1, OCreat = 0x40, OTrunc = 0x200;
    private const int EIntr = 4;

    /// <summary>Runs the command once: wall time, CPU time and minor faults (its <see cref="ChildRun.MaxRssKb"/> is not its own: see the remarks).</summary>
    public static ChildRun Run(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment = null) =>
        Spawn([Resolve(argv[0]), .. argv.Skip(1)], environment, grandchild: false);

    /// <summary>Runs the command once, forked by /bin/sh, for its own peak RSS (KB); the other figures include the shell's detour.</summary>
    public static ChildRun PeakRss(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!s_subreaper)
        {
            if (Prctl(PrSetChildSubreaper, 1, 0, 0,
                0) != 0) throw new BenchException($"prctl(PR_SET_CHILD_SUBREAPER) failed: errno {Marshal.GetLastPInvokeError()}");
            s_subreaper = true;
        }
        return Spawn(["/bin/sh", "-c", "\"$@\" & exit 0", "sh", Resolve(argv[0]), .. argv.Skip(1)], environment, grandchild: true);
    }

    private const int PrSetChildSubreaper = 36;
    private static bool s_subreaper;

    private static ChildRun Spawn(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment, bool grandchild)
    {
        if (!OperatingSystem.IsLinux()) throw new BenchException("measuring a child's resource usage needs Linux (wait4)");
        var program = argv[0];
        var stderrPath = Path.Combine(Path.GetTempPath(), $"orc-bench-stderr-{Environment.ProcessId}.txt");
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        if (environment is not null) foreach (var (k, v) in environment) env[k] = v;

        var strings = new List<IntPtr>();
        var actions = Marshal.AllocHGlobal(512); // posix_spawn_file_actions_t is 80 bytes on glibc
        try
        {
            var argvPtrs = Terminated(argv.Select(a => Utf8(a, strings)));
            var envPtrs = Terminated(env.Select(kv => Utf8($"{kv.Key}={kv.Value}", strings)));
            Check(FileActionsInit(actions), "posix_spawn_file_actions_init");
            Check(AddOpen(actions, 0, "/dev/null", ORdOnly, 0), "addopen stdin");
            Check(AddOpen(actions, 1, "/dev/null", OWrOnly, 0), "addopen stdout");
            Check(AddOpen(actions, 2, stderrPath, OWrOnly | OCreat | OTrunc, Convert.ToInt32("644", 8)), "addopen stderr");

            var sw = Stopwatch.StartNew();
            var rc = PosixSpawn(out var pid, program, actions, IntPtr.Zero, argvPtrs, envPtrs);
            if (rc != 0) throw new BenchException($"cannot start {program}: posix_spawn returned {rc}");
            var (status, usage) = Reap(pid);
            // The shell exits at once; the command, now this process's child, is the next to end.
            if (grandchild) (status, usage) = Reap(-1);
            sw.Stop();
            var exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
            var stderr = File.Exists(stderrPath) ? File.ReadAllText(stderrPath) : "";
            return new ChildRun(sw.Elapsed.TotalMilliseconds, usage.Utime.Ms, usage.Stime.Ms, usage.MaxRss, usage.MinFlt, exit, stderr);
        }
        finally
        {
            _ = FileActionsDestroy(actions);
            Marshal.FreeHGlobal(actions);
            foreach (var p in strings) Marshal.FreeHGlobal(p);
            try { File.Delete(stderrPath); } catch (IOException) { }
        }
    }

    private static (int Status, Rusage Usage) Reap(int pid)
    {
        int status;
        Rusage usage;
        while (Wait4(pid, out status, 0, out usage) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EIntr) throw new BenchException($"wait4({pid}) failed: errno {errno}");
        }
        return (status, usage);
    }

    /// <summary>The program's path: as given when it has a '/', else the first match on PATH.</summary>
    public static string Resolve(string program)
    {
        if (program.Contains('/')) return Path.GetFullPath(program);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        throw new BenchException($"'{program}' is not on PATH");
    }

    private static IntPtr Utf8(string s, List<IntPtr> owned)
    {
        var bytes = Encoding.UTF8.GetBytes(s + "\0");
        var p = Marshal.AllocHGlobal(bytes.Length);
        Marshal.Copy(bytes, 0, p, bytes.Length);
        owned.Add(p);
        return p;
    }

    private static IntPtr[] Terminated(IEnumerable<IntPtr> items) => [.. items, IntPtr.Zero];

    private static void Check(int rc, string what)
    {
        if (rc != 0) throw new BenchException($"{what} failed: {rc}");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timeval
    {
        public long Sec;
        public long Usec;
        public readonly double Ms => Sec * 1000.0 + Usec / 1000.0;
    }

    /// <summary>struct rusage on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public Timeval Utime;
        public Timeval Stime;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NVcsw, NIvcsw;
    }

    [LibraryImport("libc", EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int PosixSpawn(out int pid, string path, IntPtr fileActions, IntPtr attributes, IntPtr[] argv, IntPtr[] envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(IntPtr actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(IntPtr actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int AddOpen(IntPtr actions, int fd, string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", EntryPoint = "wait4", SetLastError = true)]
    private static partial int Wait4(int pid, out int status, int options, out Rusage usage);
}
