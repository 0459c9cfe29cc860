using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Bench;

/// <summary>How to start orc: the NativeAOT binary directly, or <c>dotnet orc.dll</c>.</summary>
internal sealed class OrcCommand(string path)
{
    public string Path { get; } = path;

    public bool IsDll => Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The given path; without one, <c>ORC_BIN</c>, else the Release build of the repository this
    /// program was built from, else <c>orc</c> on PATH.
    /// </summary>
    public static OrcCommand Locate(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            var full = System.IO.Path.GetFullPath(given);
            if (!File.Exists(full)) throw new BenchException($"no orc at {full}");
            return new OrcCommand(full);
        }
        if (Environment.GetEnvironmentVariable("ORC_BIN") is { Length: > 0 } env) return Locate(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = System.IO.Path.Combine(dir.FullName, "src", "Orchestrator.Cli", "bin", "Release", "net10.0", "orc.dll");
            if (File.Exists(dll)) return new OrcCommand(dll);
        }
        return new OrcCommand("orc");
    }

    public ProcessStartInfo Start(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(IsDll ? "dotnet" : Path);
        if (IsDll) psi.ArgumentList.Add(Path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    public override string ToString() => IsDll ? $"dotnet {Path}" : Path;
}

/// <summary>One run of a process: wall time from start to exit, with its output read fully.</summary>
internal sealed record ProcessRun(double Milliseconds, int ExitCode, byte[] Stdout, string Stderr);

/// <summary>The timings of several runs of one command.</summary>
internal sealed record TimingReport(IReadOnlyList<double> Milliseconds, int Warmup, byte[] LastStdout)
{
    public double Min => Sorted[0];
    public double Max => Sorted[^1];
    public double Median => Sorted.Count % 2 == 1 ? Sorted[Sorted.Count / 2] : (Sorted[Sorted.Count / 2 - 1] + Sorted[Sorted.Count / 2]) / 2;
    /// <summary>Nearest-rank 90th percentile.</summary>
    public double P90 => Sorted[Math.Clamp((int)Math.Ceiling(0.9 * Sorted.Count) - 1, 0, Sorted.Count - 1)];
    public double Mean => Sorted.Average();

    private List<double> Sorted => field ??= Milliseconds.Order().ToList();

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"runs {Milliseconds.Count} (after {Warmup} warm-up)   wall ms: min {Min:F1}   median {Median:F1}   p90 {P90:F1}   max {Max:F1}   (mean {Mean:F1})");
}

internal static class ProcessTimer
{
    /// <summary>Runs <paramref name="start"/> <paramref name="warmup"/> times untimed, then <paramref name="runs"/> times timed.</summary>
    public static TimingReport Measure(ProcessStartInfo start, int runs, int warmup)
    {
        if (runs < 1) throw new UsageException("--runs must be at least 1");
        ProcessRun? last = null;
        for (var i = 0; i < warmup; i++) last = Check(start, RunOnce(start, captureStdout: false));
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            // Keep the output of the last run only (for the item count); all runs read all of it.
            last = Check(start, RunOnce(start, captureStdout: i == runs - 1));
            times.Add(last.Milliseconds);
        }
        return new TimingReport(times, warmup, last!.Stdout);
    }

    private static ProcessRun Check(ProcessStartInfo start, ProcessRun run) =>
        run.ExitCode == 0
            ? run
            : throw new BenchException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with {run.ExitCode}: {run.Stderr.Trim()}");

    /// <summary>
    /// Starts the process, reads standard output to its end (into a buffer that is kept only if
    /// <paramref name="captureStdout"/>) and standard error, and waits for the exit. The time
    /// covers process creation to exit, as a shell user would see it.
    /// </summary>
    public static ProcessRun RunOnce(ProcessStartInfo start, bool captureStdout)
    {
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = false;
        var sink = captureStdout ? new MemoryStream() : null;
        var buffer = new byte[64 * 1024];
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(start) ?? throw new BenchException($"could not start {start.FileName}");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.BaseStream;
        int n;
        while ((n = stdout.Read(buffer, 0, buffer.Length)) > 0) sink?.Write(buffer, 0, n);
        p.WaitForExit();
        sw.Stop();
        return new ProcessRun(sw.Elapsed.TotalMilliseconds, p.ExitCode, sink?.ToArray() ?? [], stderr.GetAwaiter().GetResult());
    }
}
