using Orchestrator.Adapters.Processes;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>Finding and stopping what is left of a command CommandRunner started in its own session, with real processes.</summary>
public sealed class SessionMarkTests
{
    [Fact]
    public async Task A_marked_session_is_found_and_killed_whole_and_a_reused_pid_is_left_alone()
    {
        Assert.True(OperatingSystem.IsLinux() && File.Exists("/usr/bin/setsid"), "needs Linux and setsid");
        var marked = new TaskCompletionSource<SessionMark>();
        var cwd = Path.GetTempPath();
        var run = Task.Run(() => CommandRunner.Run(["sh", "-c", "sleep 60 & sleep 60 & wait"], cwd, new Dictionary<string, string?>(), TimeSpan.FromMinutes(5),
            started: m => marked.TrySetResult(m)));
        var mark = await marked.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        try
        {
            Assert.Equal(mark, SessionMark.Parse(mark.ToString()));
            // The shell and both sleeps, once the shell has started them.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (mark.Members().Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(50, TestContext.Current.CancellationToken);
            Assert.Equal(3, mark.Members().Count);
            Assert.Equal(0, (mark with { StartTicks = mark.StartTicks + 1 }).Kill()); // same pid, another start: not ours
            Assert.Equal(3, mark.Kill());
            var outcome = await run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.False(outcome.Green);
            Assert.Empty(mark.Members());
        }
        finally { mark.Kill(); }
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("1 5")]
    [InlineData("x 5")]
    [InlineData("12 -5")]
    public void A_mark_that_does_not_parse_is_none(string text) => Assert.Null(SessionMark.Parse(text));
}
