using System.Text.RegularExpressions;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>
/// orc starts child processes in one place, the Processes module
/// (<c>src/Orchestrator.Adapters/Processes/ChildProcess.cs</c>): buffered, streamed and
/// interactive runs, and <c>CommandRunner</c> for gates, all on top of it. No other file of src/
/// may start a process itself (<c>Process.Start</c>, <c>ProcessStartInfo</c>, <c>Cli.Wrap</c>),
/// so that timeouts, process-group kills, environment handling and "not found" are the same everywhere.
/// Read from the source files, comment lines skipped.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed partial class ProcessStartSitesTests
{
    /// <summary>The files allowed to start processes, relative to the repository root.</summary>
    private static readonly string[] Allowed = ["src/Orchestrator.Adapters/Processes/ChildProcess.cs"];

    [GeneratedRegex(@"\bProcess\.Start\b|\bProcessStartInfo\b|\bCli\.Wrap\b|\bnew\s+(System\.Diagnostics\.)?Process\s*\(")]
    private static partial Regex StartSite();

    private static IEnumerable<(string File, int Line, string Code)> StartSites()
    {
        var sep = Path.DirectorySeparatorChar;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(CommandText.RepoRoot, "src"), "*.cs",
            SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (file.Contains($"{sep}bin{sep}", StringComparison.Ordinal) || file.Contains($"{sep}obj{sep}", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal)) continue;
                if (StartSite().IsMatch(code)) yield return (CommandText.Relative(file).Replace(sep, '/'), i + 1, code);
            }
        }
    }

    [Fact]
    public void Only_the_processes_module_starts_processes()
    {
        var sites = StartSites().ToList();
        // The module itself is found: a scan that finds nothing proves nothing.
        Assert.Contains(sites, s => s.File == Allowed[0] && s.Code.Contains("Cli.Wrap", StringComparison.Ordinal));
        Assert.Contains(sites, s => s.File == Allowed[0] && s.Code.Contains("Process.Start", StringComparison.Ordinal));
        var outside = sites.Where(s => !Allowed.Contains(s.File)).Select(s => $"{s.File}:{s.Line}: {s.Code}").ToList();
        Assert.True(outside.Count == 0,
            "processes are started outside the Processes module; start them through Orchestrator.Adapters.Processes.ChildProcess " +
            "(Run: buffered, StreamAsync: line by line, ConverseAsync: stdin/stdout streams, Interactive: on this terminal) " +
            "or CommandRunner.Run (a gate), or TmuxAttach for tmux attach/switch-client:\n" + string.Join("\n", outside));
    }
}
