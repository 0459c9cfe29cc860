using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>
/// The README's tour works when pasted into bash: its ```sh blocks, in order, run by
/// <c>bash</c> with <c>set -eo pipefail</c>, from nothing (it makes its own repository and
/// workspace in temporary folders), with the one change a test needs: the lines that build orc
/// and define the <c>orc</c> shell function give way to a function that runs the orc under test
/// (<see cref="OrcProcess.Argv"/>). It must land its convoy within a few minutes and remove what it
/// made. It runs beside other tests: its own temporary folder (TMPDIR, HOME) and its own tmux
/// socket (<c>ORC_TMUX_SOCKET</c>), both removed at the end whatever happened.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed partial class ReadmeTourTests
{
    /// <summary>The tour's section: from a heading that starts with this to the next "## " heading.</summary>
    public const string TourHeading = "## A tour";

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [GeneratedRegex(@"^orc\(\)\s*\{")]
    private static partial Regex OrcFunction();

    /// <summary>The ```sh blocks of the README's tour, each with the line (1-based) of its first line.</summary>
    public static List<(int Line, List<string> Lines)> TourBlocks(string readme)
    {
        var lines = readme.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var start = Array.FindIndex(lines, l => l.StartsWith(TourHeading, StringComparison.Ordinal));
        Assert.True(start >= 0, $"README.md has no section '{TourHeading}…'");
        var blocks = new List<(int, List<string>)>();
        List<string>? current = null;
        var fenceInfo = "";
        for (var i = start + 1; i < lines.Length; i++)
        {
            var l = lines[i];
            if (current is null && fenceInfo.Length == 0 && l.StartsWith("## ", StringComparison.Ordinal)) break;
            if (!l.StartsWith("```", StringComparison.Ordinal))
            {
                current?.Add(l);
                continue;
            }
            if (fenceInfo.Length == 0)
            {
                fenceInfo = l[3..].Trim() is { Length: > 0 } info ? info : "-";
                if (fenceInfo is "sh" or "bash" or "shell") { current = []; blocks.Add((i + 2, current)); }
            }
            else { fenceInfo = ""; current = null; }
        }
        return blocks;
    }

    /// <summary>
    /// The tour as one script: the lines that build orc (<c>dotnet build</c>, <c>dotnet publish</c>)
    /// left out, the line that defines the <c>orc</c> function replaced by <paramref name="orcFunction"/>.
    /// </summary>
    public static string Script(IEnumerable<(int Line, List<string> Lines)> blocks, string orcFunction)
    {
        var script = new StringBuilder();
        var builds = 0;
        var functions = 0;
        foreach (var (line, body) in blocks)
        {
            script.Append("# README.md:").Append(line).Append('\n');
            foreach (var l in body)
            {
                var t = l.TrimStart();
                if (t.StartsWith("dotnet build ", StringComparison.Ordinal) || t.StartsWith("dotnet publish ",
                    StringComparison.Ordinal)) { builds++; continue; }
                if (OrcFunction().IsMatch(t)) { functions++; script.Append(orcFunction).Append('\n'); continue; }
                script.Append(l).Append('\n');
            }
        }
        // The convention this test relies on: the README builds orc once and defines one orc function.
        Assert.True(builds == 1, $"the tour should build orc on one line (dotnet build …); found {builds}");
        Assert.True(functions == 1, $"the tour should define orc as a shell function on one line (orc() {{ … }}); found {functions}");
        return script.ToString();
    }

    [Fact]
    public void The_readme_tour_builds_once_and_defines_orc_as_a_function()
    {
        var blocks = TourBlocks(File.ReadAllText(Path.Combine(CommandText.RepoRoot, "README.md")));
        Assert.True(blocks.Count >= 4, $"only {blocks.Count} ```sh blocks in the tour");
        var script = Script(blocks, "orc() { :; }");
        Assert.Contains("orc up", script);
        Assert.Contains("orc down", script);
        Assert.Contains("mktemp -d", script);
        Assert.DoesNotContain("orc_dll\" \"$@\"", script); // the README's own function is gone
    }

    [Fact]
    public void The_readme_tour_runs_from_nothing_and_lands_its_work()
    {
        TmuxServer.CheckVersion();
        var root = Path.Combine(Path.GetTempPath(), "orc-test-" + Guid.NewGuid().ToString("N")[..12]);
        var tmp = Path.Combine(root, "tmp");
        var home = Path.Combine(root, "home");
        Directory.CreateDirectory(tmp);
        Directory.CreateDirectory(home);
        var socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
        var output = new StringBuilder();
        try
        {
            var blocks = TourBlocks(File.ReadAllText(Path.Combine(CommandText.RepoRoot, "README.md")));
            var script = "set -Eeo pipefail\n" // -E: the ERR trap also in the orc function, so the failing line is named
                + "trap 'echo \"tour: failed ($?): $BASH_COMMAND\" >&2' ERR\n"
                + Script(blocks, $"orc() {{ {OrcProcess.ShellCommand} \"$@\"; }}");
            var path = Path.Combine(root, "tour.sh");
            File.WriteAllText(path, script);

            var psi = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true,
                RedirectStandardInput = true, UseShellExecute = false };
            psi.ArgumentList.Add(path);
            foreach (var name in new[] { "ORC_WORKSPACE", "ORC_AGENT", "ORC_RIG", "ORC_ROLE", "TMUX", "TMUX_PANE", "XDG_CONFIG_HOME", "GIT_DIR",
                "GIT_WORK_TREE" })
                psi.Environment.Remove(name);
            psi.Environment["HOME"] = home;
            psi.Environment["TMPDIR"] = tmp;
            psi.Environment["ORC_TMUX_SOCKET"] = socket;
            psi.Environment["USER"] = "tester";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            psi.Environment["DOTNET_TieredPGO"] = "0";
            psi.Environment["DOTNET_TC_QuickJitForLoops"] = "1";
            psi.Environment["DOTNET_ReadyToRun"] = "1";
            psi.Environment["DOTNET_EnableDiagnostics"] = "0";

            using var bash = Process.Start(psi)!;
            bash.StandardInput.Close();
            bash.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            bash.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            bash.BeginOutputReadLine();
            bash.BeginErrorReadLine();
            if (!bash.WaitForExit(Limit))
            {
                bash.Kill(entireProcessTree: true);
                bash.WaitForExit(10_000);
                Assert.Fail($"the README's tour did not finish in {Limit.TotalMinutes} minutes ({OrcProcess.Describe}):\n{Log(output)}");
            }
            bash.WaitForExit(); // the output's last lines
            var log = Log(output);
            Assert.True(bash.ExitCode == 0, $"the README's tour failed, exit {bash.ExitCode} ({OrcProcess.Describe}):\n{log}");

            // The work landed: the convoy, the merge queue, the rig's main, the last item.
            Assert.Contains("convoy hello has landed", log);
            Assert.Equal(3, log.Split('\n').Count(l => Regex.IsMatch(l, @"^app-[0-9a-z.]+\s+app\s+merged\s")));
            foreach (var title in new[] { "Say hello in English", "Say hello in French", "List the greetings" })
                Assert.Matches(new Regex(@"^[0-9a-f]{7,} app-[0-9a-z.]+: " + Regex.Escape(title) + @"\s*$", RegexOptions.Multiline), log);
            Assert.Matches(new Regex(@"^\s*status: closed", RegexOptions.Multiline), log);
            // And it cleaned up after itself: the folders it made are gone.
            var left = Directory.GetFileSystemEntries(tmp, "tmp.*"); // mktemp -d names them so
            Assert.True(left.Length == 0, "the tour left behind: " + string.Join(", ", left) + "\n" + log);
        }
        finally
        {
            StopTmux(socket, root);
            Remove(root);
        }
    }

    private static string Log(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    /// <summary>Stops the tmux server of <paramref name="socket"/> (ours only) and every process of the tour (PrivateTmux).</summary>
    private static void StopTmux(string socket, string root)
    {
        using var tmux = new TmuxServer(socket, Path.Combine(root, "tmux.conf"), Path.Combine(root, "locks")) { PreferControlMode = false };
        try { PrivateTmux.Stop(tmux, root); }
        catch (Exception e) when (e is Orchestrator.Core.OrcException or IOException or InvalidOperationException) { }
    }

    private static void Remove(string root)
    {
        for (var attempt = 0; attempt < 10 && Directory.Exists(root); attempt++)
        {
            try { Directory.Delete(root, recursive: true); }
            // a process the server just hung up on may write a last line
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Thread.Sleep(200); }
        }
    }
}
