using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// Crash reports: one file per crashed orc process, <c>.orc/logs/crash-YYYYMMDD-HHMMSS-PID.log</c>,
/// with the verb, the pid, the build (NativeAOT or JIT), the exit code and the exception with its
/// stack. A supervisor that finds a service dead looks its report up by pid.
/// </summary>
public static class CrashLog
{
    /// <summary>Writes a report into <paramref name="logsDir"/> (or the temp folder outside a workspace); returns its path, or null when nothing could be
    /// written.</summary>
    public static string? Write(string? logsDir, IReadOnlyList<string> args, Exception error, int exitCode, DateTimeOffset now)
    {
        var pid = Environment.ProcessId;
        var name = $"crash-{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{pid}.log";
        var text = new StringBuilder()
            .Append("orc crashed: ").AppendLine(Summary(error))
            .Append("verb: orc ").AppendLine(TerminalText.Line(string.Join(' ', args.Select(Word))))
            .Append("pid: ").AppendLine(pid.ToString(CultureInfo.InvariantCulture))
            .Append("at: ").AppendLine(now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .Append("build: ").AppendLine(Build)
            .Append("exit code: ").AppendLine(exitCode.ToString(CultureInfo.InvariantCulture))
            .AppendLine()
            .AppendLine(TerminalText.Block(error.ToString()).TrimEnd())
            .ToString();
        foreach (var dir in new[] { logsDir, Path.GetTempPath() })
        {
            if (dir is null) continue;
            try
            {
                Directory.CreateDirectory(dir);
                var path = Path.Combine(dir, name);
                File.WriteAllText(path, text);
                return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return null;
    }

    /// <summary>The exception in one line: its type and message (and the innermost cause's, when it wraps one).</summary>
    public static string Summary(Exception error)
    {
        var inner = error;
        while (inner.InnerException is not null
            && inner is TypeInitializationException or AggregateException or System.Reflection.TargetInvocationException) inner = inner.InnerException;
        return TerminalText.Line($"{inner.GetType().Name}: {inner.Message}");
    }

    /// <summary>"NativeAOT" or "JIT (.NET VERSION)", and orc's version.</summary>
    public static string Build =>
        (RuntimeFeature.IsDynamicCodeSupported ? $"JIT (.NET {Environment.Version})" : "NativeAOT") + ", orc " +
        (typeof(CrashLog).Assembly.GetName().Version?.ToString(3) ?? "?");

    /// <summary>The newest report written by process <paramref name="pid"/>, with its first line's error, or null.</summary>
    public static (string Path, string Error)? Find(string logsDir, int pid)
    {
        if (!Directory.Exists(logsDir)) return null;
        var path = Directory.EnumerateFiles(logsDir, $"crash-*-{pid.ToString(CultureInfo.InvariantCulture)}.log").Order(StringComparer.Ordinal).LastOrDefault();
        if (path is null) return null;
        try
        {
            using var reader = new StreamReader(path);
            var first = reader.ReadLine() ?? "";
            const string prefix = "orc crashed: ";
            return (path, TerminalText.Line(first.StartsWith(prefix, StringComparison.Ordinal) ? first[prefix.Length..] : first));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static string Word(string a) =>
        a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@%+,".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'";
}
