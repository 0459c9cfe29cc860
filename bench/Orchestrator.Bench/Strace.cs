using System.Diagnostics;

namespace Orchestrator.Bench;

/// <summary>
/// Exact counts of programs executed, with <c>strace -f -ff -e trace=execve</c> (one output file
/// per process, so no call is split across lines). Used to cross-check <see cref="ProcSampler"/>,
/// which can miss a process that lives less than a sampling interval.
/// </summary>
internal static class Strace
{
    /// <summary>A program that ran: its path and argv as strace printed them.</summary>
    internal sealed record Exec(int Pid, string Path, string Line);

    public static bool Available() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(System.IO.Path.Combine(d, "strace")));

    /// <summary>Runs <paramref name="start"/> under strace; returns its run and every successful execve in it (the first is the command itself).</summary>
    public static (ProcessRun Run, List<Exec> Execs) RunTraced(ProcessStartInfo start, string scratchDir)
    {
        var prefix = System.IO.Path.Combine(scratchDir, "trace-" + Guid.NewGuid().ToString("N")[..8]);
        var psi = new ProcessStartInfo("strace") { WorkingDirectory = start.WorkingDirectory };
        foreach (var a in new[] { "-f", "-ff", "-qq", "-e", "trace=execve", "-e", "signal=none", "-s", "200", "-o", prefix,
            start.FileName }) psi.ArgumentList.Add(a);
        foreach (var a in start.ArgumentList) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        foreach (var (k, v) in start.Environment) psi.Environment[k] = v;
        var run = ProcessTimer.RunOnce(psi, captureStdout: true);
        return (run, Collect(prefix));
    }

    /// <summary>Attaches to <paramref name="pids"/> (and all their threads and future children) for <paramref name="duration"/>.</summary>
    public static List<Exec>? Attach(IReadOnlyList<int> pids, TimeSpan duration, string scratchDir)
    {
        var prefix = System.IO.Path.Combine(scratchDir, "attach-" + Guid.NewGuid().ToString("N")[..8]);
        // timeout sends SIGINT, on which strace detaches cleanly (SIGKILL would leave that to the kernel).
        var psi = new ProcessStartInfo("timeout");
        foreach (var a in new[] { "--signal=INT", $"{duration.TotalSeconds:0.###}s", "strace", "-f", "-ff", "-qq", "-e", "trace=execve", "-e", "signal=none",
            "-s", "200", "-o", prefix })
            psi.ArgumentList.Add(a);
        foreach (var pid in pids) { psi.ArgumentList.Add("-p"); psi.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        var run = ProcessTimer.RunOnce(psi, captureStdout: false);
        // timeout exits 124 when it had to stop strace, which is the normal end here.
        return run.ExitCode is 0 or 124 or 130 ? Collect(prefix) : null;
    }

    private static List<Exec> Collect(string prefix)
    {
        var execs = new List<Exec>();
        var dir = System.IO.Path.GetDirectoryName(prefix)!;
        var name = System.IO.Path.GetFileName(prefix) + ".";
        foreach (var file in Directory.EnumerateFiles(dir, name + "*"))
        {
            _ = int.TryParse(System.IO.Path.GetFileName(file)[name.Length..], out var pid);
            foreach (var line in File.ReadLines(file))
            {
                if (!line.StartsWith("execve(\"", StringComparison.Ordinal) || !line.TrimEnd().EndsWith("= 0", StringComparison.Ordinal)) continue;
                var end = line.IndexOf('"', 8);
                execs.Add(new Exec(pid, end > 8 ? line[8..end] : "?", line));
            }
            File.Delete(file);
        }
        return execs;
    }
}
