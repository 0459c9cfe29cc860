using Orchestrator.Adapters.Processes;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>
/// The Processes module's entry points on real child processes (sh): a buffered run keeps stdout,
/// stderr and the exit code apart and kills what it started on timeout; a streamed run hands over
/// the lines as they come; a program that is not there is said so, not thrown as a system error.
/// </summary>
public sealed class ChildProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("orc-child-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public void A_buffered_run_keeps_stdout_stderr_the_exit_code_and_the_environment_it_was_given()
    {
        Environment.SetEnvironmentVariable("ORC_CHILD_TEST_GONE", "still here");
        var r = ChildProcess.Run(["sh", "-c", "pwd; echo \"$ORC_CHILD_TEST_SET/${ORC_CHILD_TEST_GONE:-unset}\"; echo oops >&2; exit 3"], _dir,
            new Dictionary<string, string?> { ["ORC_CHILD_TEST_SET"] = "given", ["ORC_CHILD_TEST_GONE"] = null }, TimeSpan.FromSeconds(30));
        Assert.Equal(3, r.ExitCode);
        Assert.False(r.TimedOut);
        Assert.False(r.Ok);
        Assert.Equal([Path.GetFullPath(_dir), "given/unset"], r.Out.Trim().Split('\n'));
        Assert.Equal("oops", r.Err.Trim());
    }

    [Fact]
    public void A_buffered_run_in_its_own_group_is_killed_with_what_it_started_on_timeout()
    {
        var pidFile = Path.Combine(_dir, "pid");
        var r = ChildProcess.Run(["sh", "-c", $"sleep 60 & echo $! > '{pidFile}'; wait"], _dir, timeout: TimeSpan.FromSeconds(1), ownGroup: true);
        Assert.True(r.TimedOut);
        Assert.Equal(-1, r.ExitCode);
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid")) return;
        var pid = File.ReadAllText(pidFile).Trim();
        RigFixture.Eventually(() => Gone(pid), () => $"the grandchild {pid} outlived the timeout");
    }

    /// <summary>No such process, or only its zombie.</summary>
    private static bool Gone(string pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return true; }
    }

    [Fact]
    public async Task A_streamed_run_hands_over_every_line_and_returns_the_exit_code()
    {
        var lines = new List<string>();
        var exit = await ChildProcess.StreamAsync(["sh", "-c", "echo one; echo two >&2; echo three; exit 5"], l => { lock (lines) lines.Add(l); }, _dir,
            cancel: TestContext.Current.CancellationToken);
        Assert.Equal(5, exit);
        lock (lines) Assert.Equal(["one", "three", "two"], lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_program_that_is_not_there_is_said_so()
    {
        var missing = Path.Combine(_dir, "no-such-program");
        var e = Assert.Throws<ProgramNotFoundException>(() => ChildProcess.Run([missing]));
        Assert.Contains("not found or not executable", e.Message);
        Assert.Throws<ProgramNotFoundException>(() => ChildProcess.StreamAsync([missing], _ => { },
            cancel: TestContext.Current.CancellationToken).GetAwaiter().GetResult());
    }
}
