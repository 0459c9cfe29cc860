using System.Diagnostics;

namespace Orchestrator.Integration.Tests.Support;

/// <summary>Starts the real orc (the orc.dll built beside the tests) as a child process.</summary>
public static class OrcProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "orc.dll");

    public static ProcessStartInfo StartInfo(string cwd, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
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
            throw new TimeoutException($"orc {string.Join(' ', args)} did not finish");
        }
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
