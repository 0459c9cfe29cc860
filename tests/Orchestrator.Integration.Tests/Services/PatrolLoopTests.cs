using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Services.Patrol;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Workspace;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>The loop every service (refinery, witness, deacon, boot) runs in.</summary>
public sealed class PatrolLoopTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_service_whose_workspace_is_deleted_under_it_writes_nothing_there_again(bool passFails)
    {
        var ws = new TempWorkspace();
        try
        {
            var context = new WorkspaceContext(ws.Root, name => name == "ORC_WORKSPACE" ? ws.Root : Environment.GetEnvironmentVariable(name),
                TimeProvider.System);
            using var runtime = new RuntimeContext(context, ["orc"]);
            var loop = new PatrolLoop(runtime, NullLogger<PatrolLoop>.Instance);
            // The pass deletes the workspace, as a test's clean-up or the demo's does while a service finishes a pass.
            // The service stops by itself; the token only bounds the test if it does not.
            using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            loop.Run("deacon", TimeSpan.FromSeconds(1), () =>
            {
                if (Directory.Exists(ws.Root)) Directory.Delete(ws.Root, recursive: true);
                return passFails ? throw new InvalidOperationException("the workspace vanished mid-pass") : "done";
            }, safety.Token, once: false);
            Assert.False(safety.IsCancellationRequested, "the service went on patrolling a deleted workspace");
            Assert.False(Directory.Exists(ws.Root), "the stopped service brought the deleted workspace's folders back (heartbeat, events or log)");
        }
        finally
        {
            ws.Dispose();
        }
    }

    [Fact]
    public void A_service_that_stops_normally_says_so_in_its_heartbeat_and_the_events()
    {
        using var ws = new TempWorkspace();
        var context = new WorkspaceContext(ws.Root, name => name == "ORC_WORKSPACE" ? ws.Root : Environment.GetEnvironmentVariable(name), TimeProvider.System);
        using var runtime = new RuntimeContext(context, ["orc"]);
        new PatrolLoop(runtime, NullLogger<PatrolLoop>.Instance).Run("deacon", TimeSpan.FromSeconds(30), () => "ok", CancellationToken.None, once: true);
        Assert.Equal("stopped", runtime.Heartbeats.Find("deacon")!.State);
        Assert.Contains("deacon stopped after 1 pass", File.ReadAllText(Path.Combine(ws.Root, "events", "events.jsonl")));
    }

    [Fact]
    public void The_same_error_pass_after_pass_goes_to_the_feed_once_and_the_heartbeat_counts_it()
    {
        using var ws = new TempWorkspace();
        var context = new WorkspaceContext(ws.Root, name => name == "ORC_WORKSPACE" ? ws.Root : Environment.GetEnvironmentVariable(name), TimeProvider.System);
        using var runtime = new RuntimeContext(context, ["orc"]);
        var passes = 0;
        using var stop = new CancellationTokenSource();
        new PatrolLoop(runtime, NullLogger<PatrolLoop>.Instance).Run("refinery@app", TimeSpan.FromMilliseconds(1), () =>
        {
            if (++passes == 6) stop.Cancel();
            throw new InvalidOperationException(passes == 6 ? "another error" : "rigs/app: not a git repository");
        }, stop.Token);
        var events = File.ReadAllLines(Path.Combine(ws.Root, "events", "events.jsonl")).Where(l => l.Contains("\"error\"")).ToList();
        Assert.Equal(2, events.Count); // the first of the five, then the different one
        Assert.Contains("refinery@app: rigs/app: not a git repository", events[0]);
        Assert.Contains("another error", events[1]);
        var heartbeat = runtime.Heartbeats.Find("refinery-app")!;
        Assert.Equal("error: another error", heartbeat.Last);
    }
}
