using System.Diagnostics;

namespace Orchestrator.Testing;

/// <summary>
/// Starts the real orc as a child process: the orc.dll built beside the tests (run with
/// <c>dotnet</c>), or, when <c>ORC_TEST_BINARY</c> names one, that binary (the published
/// NativeAOT <c>orc</c>), so the process-level suites run what ships. Every orc a test starts
/// (a verb, a service, an agent in tmux, a git merge driver) is started through <see cref="Argv"/>.
/// </summary>
public static class OrcProcess
{
    public const string BinaryVariable = "ORC_TEST_BINARY";

    /// <summary>
    /// The trait of the test classes that run orc as child processes (verbs, services, agents in
    /// tmux, the TUI in a terminal): the suites '.ci/run' runs again against the published binary
    /// (<c>--filter-trait "Level=Process"</c>).
    /// </summary>
    public const string Level = "Level";
    public const string ProcessLevel = "Process";

    /// <summary>
    /// The trait of the fast suites for the edit-test loop: no tmux, no git, no child process
    /// (the core, the TUI drawn headlessly): <c>--filter-trait "Level=Unit"</c>. The classes with
    /// neither level run orc in-process on real git repositories in temp folders.
    /// </summary>
    public const string UnitLevel = "Unit";

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "orc.dll");

    /// <summary>The binary named by <c>ORC_TEST_BINARY</c> (absolute), or null for the JIT build.</summary>
    public static string? Native { get; } = FindNative();

    /// <summary>The argv prefix that starts orc: the given binary, or <c>dotnet orc.dll</c>.</summary>
    public static IReadOnlyList<string> Argv { get; } = Native is { } native ? [native] : ["dotnet", Dll];

    /// <summary><see cref="Argv"/> as one shell command word list, each word single-quoted.</summary>
    public static string ShellCommand => string.Join(' ', Argv.Select(a => "'" + a.Replace("'", "'\\''") + "'"));

    /// <summary>Which orc the tests run, for messages: "NativeAOT /path/orc" or "JIT orc.dll".</summary>
    public static string Describe => Native is { } n ? "binary " + n : "JIT " + Dll;

    private static string? FindNative()
    {
        if (Environment.GetEnvironmentVariable(BinaryVariable) is not { Length: > 0 } value) return null;
        var path = Path.GetFullPath(value);
        // A relative path is the repository's (the test host runs in its bin folder).
        if (!File.Exists(path) && !Path.IsPathRooted(value) && RepositoryRoot() is { } root) path = Path.Combine(root, value);
        // A wrong path must fail every test loudly, never fall back to the JIT build unnoticed.
        if (!File.Exists(path)) throw new InvalidOperationException($"{BinaryVariable}={value}: no such file (publish it: dotnet publish src/Orchestrator.Cli -c Release -r linux-x64 -p:PublishAot=true -o artifacts/aot)");
        return path;
    }

    /// <summary>The source tree this test build came from (null when run elsewhere).</summary>
    public static string? RepoRoot => RepositoryRoot();

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        return null;
    }

    public static ProcessStartInfo StartInfo(string cwd, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(Argv[0])
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in Argv.Skip(1)) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("ORC_WORKSPACE");
        psi.Environment.Remove("ORC_AGENT");
        psi.Environment["DOTNET_TieredPGO"] = "0";
        psi.Environment["DOTNET_TC_QuickJitForLoops"] = "1";
        psi.Environment["DOTNET_ReadyToRun"] = "1";
        // No diagnostics pipes: a child the fault tests kill with SIGKILL would leave its
        // /tmp/clr-debug-pipe-* and dotnet-diagnostic-* files behind.
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }

    public static CliResult Run(string cwd, IEnumerable<string> args, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        using var p = Process.Start(StartInfo(cwd, args, env))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"orc {string.Join(' ', args)} did not finish ({Describe})");
        }
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
