using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Text;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Cli;

/// <summary>
/// What happens when orc itself fails: the exception goes to a crash report in the workspace's
/// <c>.orc/logs</c> (<see cref="CrashLog"/>) and the user reads one line saying what failed and
/// where the report is. <see cref="Report"/> is used for an exception a verb let escape;
/// <see cref="Install"/> covers the rest of the process (an exception on another thread), which
/// the runtime would otherwise end with a bare stack on stderr.
/// </summary>
public static class CrashHandler
{
    /// <summary>Writes the report and prints the line; returns the exit code to end with.</summary>
    public static int Report(CliEnvironment env, IReadOnlyList<string> args, Exception error, TextWriter stderr)
    {
        const int exitCode = Core.ExitCodes.Failure;
        var path = CrashLog.Write(LogsDir(env), args, error, exitCode, DateTimeOffset.UtcNow);
        var where = path is null ? "no crash report could be written" : "crash report: " + path;
        stderr.WriteLine(IsMissingNativeLibrary(error)
            ? $"orc: error: a native library cannot be loaded ({CrashLog.Summary(error)}); keep the libgit2-*.so and libonigwrap.so published beside orc; {where}"
            : $"orc: internal error: {CrashLog.Summary(error)}; {where}");
        stderr.Flush();
        return exitCode;
    }

    /// <summary>Reports any exception no code catches (another thread's), then ends the process with exit 1.</summary>
    public static void Install(CliEnvironment env, string[] args)
    {
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is not Exception error) return;
            try { Report(env, args, error, Console.Error); }
            catch (Exception) { /* reporting must never hide the crash itself */ }
            Environment.Exit(Core.ExitCodes.Failure);
        };
    }

    private static bool IsMissingNativeLibrary(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is DllNotFoundException or EntryPointNotFoundException) return true;
        return false;
    }

    private static string? LogsDir(CliEnvironment env)
    {
        try { return new WorkspaceContext(env.CurrentDirectory, env.Variable, TimeProvider.System).TryPaths?.LogsDir; }
        catch (Exception) { return null; } // a broken workspace must not stop the report (it goes to the temp folder)
    }
}
