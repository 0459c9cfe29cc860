using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>
/// What a build can break that the JIT build never shows: the native git paths (NativeAOT broke
/// LibGit2Sharp's diff line callback and its merge), crash reports with readable stacks, and a
/// native library missing beside the binary. Run against whatever <see cref="OrcProcess"/> starts:
/// '.ci/run' runs them again with ORC_TEST_BINARY naming the published NativeAOT orc.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class ShippedBinaryTests : IDisposable
{
    private readonly TempWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public void Every_kind_of_git_operation_orc_does_works_in_the_binary_under_test()
    {
        var r = OrcProcess.Run(_ws.Root, ["doctor", "git-engine"]);
        Assert.True(r.ExitCode == 0, $"{OrcProcess.Describe}: {r}");
        var steps = r.Out.Split('\n').Where(l => l.StartsWith("step ", StringComparison.Ordinal)).Select(l => l[5..].Trim()).ToList();
        Assert.Equal(Orchestrator.Adapters.Git.GitEngineCheck.Steps, steps);
        Assert.StartsWith("ok LibGit2Sharp", r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
    }

    [Fact]
    public void Doctor_reports_the_git_engine_healthy()
    {
        var r = OrcProcess.Run(_ws.Root, ["doctor", "--json"], new Dictionary<string, string> { ["HOME"] = _ws.Root });
        var check = JsonDocument.Parse(r.Out).RootElement.GetProperty("checks").EnumerateArray().Single(c
            => c.GetProperty("check").GetString() == "git engine");
        Assert.True(check.GetProperty("status").GetString() == "ok", check.ToString());
        Assert.Contains("all 13 kinds of operation", check.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_crash_leaves_a_report_in_the_workspace_naming_the_verb_the_method_and_the_exit_code(bool onAnotherThread)
    {
        string[] args = onAnotherThread ? ["doctor", "crash-test", "--thread"] : ["doctor", "crash-test"];
        var r = OrcProcess.Run(_ws.Root, args);
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("orc: internal error: InvalidOperationException: orc doctor crash-test: a crash on purpose; crash report: ", line);
        var path = line[(line.IndexOf("crash report: ", StringComparison.Ordinal) + "crash report: ".Length)..].Trim();
        Assert.StartsWith(Path.Combine(_ws.Root, ".orc", "logs", "crash-"), path);
        var report = File.ReadAllText(path);
        Assert.Contains("verb: orc " + string.Join(' ', args), report);
        Assert.Contains("exit code: 1", report);
        Assert.Contains("DoctorCommand.CrashOnPurpose", report); // the stack names methods, NativeAOT too
        Assert.Contains(OrcProcess.Native is null ? "build: JIT" : "build: NativeAOT", report);
        Assert.True(_ws.IsClean(), "a crash report must not dirty the workspace's git: " + _ws.Dirty());
    }

    [Fact]
    public void A_native_binary_without_its_libgit2_says_so_in_one_line_and_doctor_names_the_fix()
    {
        Assert.SkipUnless(OrcProcess.Native is not null,
            "needs the published NativeAOT binary (ORC_TEST_BINARY); the JIT build loads libgit2 from the runtime's folders");
        var lonely = Path.Combine(_ws.Root, ".orc", "tmp", "bin");
        Directory.CreateDirectory(lonely);
        var orc = Path.Combine(lonely, "orc");
        File.Copy(OrcProcess.Native!, orc);
        foreach (var so in Directory.EnumerateFiles(Path.GetDirectoryName(OrcProcess.Native!)!, "libonigwrap*.so")) File.Copy(so, Path.Combine(lonely,
            Path.GetFileName(so)));
        var psi = new System.Diagnostics.ProcessStartInfo(orc) { WorkingDirectory = _ws.Root, RedirectStandardError = true, RedirectStandardOutput = true,
            ArgumentList = { "item", "create", "needs git" } };
        using (var p = StartCopy(psi))
        {
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(1, p.ExitCode);
            var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("orc: error: a native library cannot be loaded", line);
            Assert.Contains("crash report: ", line);
        }
        psi.ArgumentList.Clear();
        psi.ArgumentList.Add("doctor");
        using (var p = StartCopy(psi))
        {
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(1, p.ExitCode);
            Assert.Contains("problem  git engine: libgit2 failed at step 'init'", output);
            Assert.Contains("keep the libgit2-*.so published beside orc", output);
        }
    }

    [Fact]
    public void The_published_orc_hands_the_TUI_to_orc_tui_beside_it_and_says_so_in_one_line_when_it_is_missing()
    {
        Assert.SkipUnless(OrcProcess.Native is not null, "needs the published NativeAOT binary (ORC_TEST_BINARY); the JIT build has the TUI in orc itself");
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(OrcProcess.Native!)!, "orc-tui")), "the NativeAOT publish puts orc-tui beside orc");
        var lonely = Path.Combine(_ws.Root, ".orc", "tmp", "bin");
        Directory.CreateDirectory(lonely);
        var orc = Path.Combine(lonely, "orc");
        File.Copy(OrcProcess.Native!, orc);
        var psi = new System.Diagnostics.ProcessStartInfo(orc) { WorkingDirectory = _ws.Root, RedirectStandardError = true, RedirectStandardOutput = true,
            ArgumentList = { "tui" } };
        using var p = StartCopy(psi);
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(1, p.ExitCode);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"orc: error: the TUI is a second program, orc-tui, published beside orc, and {Path.Combine(lonely, "orc-tui")} is missing; publish orc again (README, Install) or keep orc-tui next to orc", line);
    }

    /// <summary>
    /// Starts a binary this test has just copied. Another test's fork can still hold the copy's
    /// write handle until that child execs, so exec may briefly fail with ETXTBSY ("Text file busy"):
    /// that is retried, nothing else is.
    /// </summary>
    private static System.Diagnostics.Process StartCopy(System.Diagnostics.ProcessStartInfo psi)
    {
        const int TextFileBusy = 26;
        for (var attempt = 0; ; attempt++)
        {
            try { return System.Diagnostics.Process.Start(psi)!; }
            catch (System.ComponentModel.Win32Exception e) when (e.NativeErrorCode == TextFileBusy && attempt < 50) { Thread.Sleep(100); }
        }
    }
}
