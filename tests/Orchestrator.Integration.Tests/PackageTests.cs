using System.Diagnostics;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>
/// orc installs as a .NET tool: 'dotnet pack' of the CLI, 'dotnet tool install --tool-path' from
/// that folder only (no other package source, a private package cache), and the installed orc
/// runs: --version, init, a committed change, and git's merge driver pointing at the installed orc.
/// Packs the build 'dotnet test' has already made (--no-build): nothing is restored or compiled again.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orc-test-pack-" + Guid.NewGuid().ToString("N")[..12]);

    public PackageTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Orchestrator.sln"))) return d.FullName;
        throw new InvalidOperationException("Orchestrator.sln not found");
    }

    /// <summary>The configuration this test assembly was built in (Debug, Release): the CLI's build beside it.</summary>
    private static string Configuration =>
        typeof(PackageTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;

    private CliResult Run(string file, string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NUGET_PACKAGES"] = Path.Combine(_root, "packages"); // never the user's package cache
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("ORC_WORKSPACE");
        psi.Environment.Remove("ORC_AGENT");
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        psi.Environment.Remove("MSBuildSDKsPath");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 10 minutes");
        }
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void The_packed_tool_installs_and_runs()
    {
        var nupkg = Path.Combine(_root, "nupkg");
        // --no-build: the build that made these tests made the CLI too (a project reference), so
        // packing needs no restore or compile; a restore here would rewrite the source tree's
        // obj/ for this test's private package folder and rebuild every project under a running suite.
        var pack = Run("dotnet", RepoRoot(), "pack", Path.Combine("src", "Orchestrator.Cli"), "--no-build", "-c", Configuration, "-o", nupkg);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Assert.Single(Directory.GetFiles(nupkg, "orc.*.nupkg"));

        // Only the folder as a source: the test never reaches nuget.org.
        var config = Path.Combine(_root, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{nupkg}" />
              </packageSources>
            </configuration>
            """);
        var tools = Path.Combine(_root, "tools");
        var install = Run("dotnet", _root, "tool", "install", "orc", "--tool-path", tools, "--configfile", config);
        Assert.True(install.ExitCode == 0, install.ToString());
        var orc = Path.Combine(tools, "orc");
        Assert.True(File.Exists(orc), $"no {orc} after install: {install}");

        var version = Run(orc, _root, "--version");
        Assert.True(version.ExitCode == 0, version.ToString());
        var expected = Path.GetFileNameWithoutExtension(package)["orc.".Length..];
        Assert.StartsWith(expected, version.Out.Trim());

        var ws = Path.Combine(_root, "ws");
        Directory.CreateDirectory(ws);
        var init = Run(orc, ws, "init", ".");
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Contains("initialised orc workspace", init.Out);
        var create = Run(orc, ws, "item", "create", "Installed orc works", "--json");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Contains("\"title\":\"Installed orc works\"", create.Out);
        var ready = Run(orc, ws, "ready");
        Assert.Contains("Installed orc works", ready.Out);
        // git runs the installed orc as the ledger's merge driver.
        Assert.Contains($"'{orc}' merge-driver", File.ReadAllText(Path.Combine(ws, ".git", "config")));
    }
}
