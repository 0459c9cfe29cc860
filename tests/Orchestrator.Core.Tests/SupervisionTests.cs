using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Supervision;

namespace Orchestrator.Core.Tests;

public sealed class SupervisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static Heartbeat Beat(int pid, string state = "running", DateTimeOffset? at = null) => new()
    {
        Name = "refinery@app", Pid = pid, StartedAt = Timestamps.Format(T0), BeatAt = Timestamps.Format(at ?? T0), IntervalSeconds = 5, State = state,
    };

    private static ServiceHealth Classify(bool window = false, bool dead = false, int panePid = 0, int? exit = null, Heartbeat? beat = null,
        bool pidAlive = false, SupervisionRecord? record = null, DateTimeOffset? now = null) =>
        ServiceHealth.Classify(new ServiceObservation(window, dead, panePid, exit, beat, pidAlive, record, now ?? T0.AddSeconds(3)));

    [Fact]
    public void Every_service_has_one_name_window_heartbeat_lock_and_supervisor()
    {
        var all = ServiceDefinition.All(["app", "web"]);
        Assert.Equal(["boot", "deacon", "refinery@app", "witness@app", "refinery@web", "witness@web"], all.Select(s => s.Name));
        var refinery = all[2];
        Assert.Equal(("refinery-app", "refinery-app", "refinery-app.lock", "deacon"), (refinery.Window, refinery.RecordKey, refinery.LockFile,
            refinery.Supervisor));
        Assert.Equal(["refinery", "run", "app"], refinery.Args);
        Assert.Equal("boot", ServiceDefinition.ForDeacon().Supervisor);
        Assert.Null(ServiceDefinition.ForBoot().Supervisor);
        Assert.Equal(refinery, ServiceDefinition.Parse("refinery@app"));
        Assert.Null(ServiceDefinition.Parse("mayor"));
        Assert.Null(ServiceDefinition.Parse("refinery@"));
    }

    [Fact]
    public void A_live_window_with_a_fresh_heartbeat_of_its_pid_is_running() =>
        Assert.Equal((ServiceStates.Running, true, (int?)42), Classify(window: true, panePid: 42, beat: Beat(42)) is var h ? (h.State, h.Alive,
            h.Pid) : default);

    [Fact]
    public void A_live_window_that_has_not_beaten_yet_is_starting_and_counts_as_alive()
    {
        Assert.Equal(ServiceStates.Starting, Classify(window: true, panePid: 43, beat: Beat(42)).State);
        Assert.True(Classify(window: true, panePid: 43).Alive);
    }

    [Fact]
    public void A_live_window_silent_for_three_intervals_is_stale_and_not_alive()
    {
        var h = Classify(window: true, panePid: 42, beat: Beat(42), now: T0.AddMinutes(2));
        Assert.Equal(ServiceStates.Stale, h.State);
        Assert.False(h.Alive);
    }

    [Fact]
    public void A_dead_pane_that_did_not_stop_itself_crashed_with_its_exit_signal()
    {
        var h = Classify(window: true, dead: true, panePid: 42, exit: 134, beat: Beat(42));
        Assert.Equal(ServiceStates.Crashed, h.State);
        Assert.Equal("killed by SIGABRT (exit 134)", h.Error);
        Assert.Equal(42, h.Pid);
        Assert.False(h.Alive);
    }

    [Fact]
    public void A_dead_pane_that_wrote_stopped_or_exited_0_stopped()
    {
        Assert.Equal(ServiceStates.Stopped, Classify(window: true, dead: true, panePid: 42, exit: 129, beat: Beat(42, "stopped")).State);
        Assert.Equal(ServiceStates.Stopped, Classify(window: true, dead: true, panePid: 42, exit: 0).State);
    }

    [Fact]
    public void A_running_heartbeat_whose_pid_is_gone_is_a_crash_never_running()
    {
        // Seen after 'orc down' killed a server whose refinery had already died: no window, a stale "running" beat.
        var h = Classify(beat: Beat(4242), pidAlive: false);
        Assert.Equal(ServiceStates.Crashed, h.State);
        Assert.Contains("pid 4242 is gone", h.Error);
        Assert.Equal(ServiceStates.Running, Classify(beat: Beat(4242), pidAlive: true).State); // started by hand outside tmux
        Assert.Equal(ServiceStates.Stopping, Classify(beat: Beat(4242) with { Launched = true }, pidAlive: true).State); // its window was closed
        Assert.False(Classify(beat: Beat(4242) with { Launched = true }, pidAlive: true).Alive);
        Assert.Equal(ServiceStates.NeverRan, Classify().State);
    }

    [Fact]
    public void The_third_crash_in_a_row_is_crash_looping_with_the_recorded_error()
    {
        SupervisionRecord? r = null;
        for (var i = 0; i < 3; i++) r = RestartPolicy.Crashed(r, "refinery@app", 100 + i, "NullReferenceException: boom",
            "/ws/.orc/logs/crash-1-10" + i + ".log", T0.AddMinutes(i), TimeSpan.FromSeconds(30));
        var h = Classify(window: true, dead: true, panePid: 102, exit: 134, record: r);
        Assert.Equal(ServiceStates.CrashLooping, h.State);
        Assert.Equal("NullReferenceException: boom", h.Error);
        Assert.Equal(3, h.Crashes);
        Assert.EndsWith("crash-1-102.log", h.Log);
    }

    [Fact]
    public void Restarts_back_off_30_s_then_1_2_4_minutes_up_to_30()
    {
        var first = TimeSpan.FromSeconds(30);
        Assert.Equal([30, 60, 120, 240, 480, 960, 1800, 1800], Enumerable.Range(1, 8).Select(n => (int)RestartPolicy.Delay(n, first).TotalSeconds));
    }

    [Fact]
    public void A_crash_is_counted_once_per_pid_and_reported_once_per_streak()
    {
        var first = TimeSpan.FromSeconds(30);
        var r1 = RestartPolicy.Crashed(null, "deacon", 7, "exit 1", null, T0, first);
        Assert.Same(r1, RestartPolicy.Crashed(r1, "deacon", 7, "exit 1", null, T0.AddSeconds(5), first));
        Assert.False(RestartPolicy.Due(r1, T0.AddSeconds(29)));
        Assert.True(RestartPolicy.Due(r1, T0.AddSeconds(30)));
        var r3 = RestartPolicy.Crashed(RestartPolicy.Crashed(r1, "deacon", 8, "exit 1", null, T0.AddMinutes(1), first), "deacon", 9, "exit 1", null,
            T0.AddMinutes(2), first);
        Assert.True(RestartPolicy.ShouldReport(r3));
        var reported = r3 with { Reported = true };
        Assert.False(RestartPolicy.ShouldReport(RestartPolicy.Crashed(reported, "deacon", 10, "exit 1", null, T0.AddMinutes(3), first)));
    }

    [Fact]
    public void A_run_of_ten_minutes_ends_the_streak()
    {
        var first = TimeSpan.FromSeconds(30);
        var streak = RestartPolicy.Crashed(RestartPolicy.Crashed(null, "deacon", 7, "exit 1", null, T0, first), "deacon", 8, "exit 1", null, T0.AddMinutes(1),
            first)
            with { StartedAt = Timestamps.Format(T0.AddMinutes(2)) };
        Assert.Equal(2, streak.Crashes);
        Assert.Equal(1, RestartPolicy.Crashed(streak, "deacon", 9, "exit 1", null, T0.AddMinutes(13), first).Crashes);
        Assert.Equal(3, RestartPolicy.Crashed(streak, "deacon", 9, "exit 1", null, T0.AddMinutes(5), first).Crashes);
        Assert.Equal(0, RestartPolicy.SeenAlive(streak, T0.AddMinutes(12))!.Crashes);
        Assert.Same(streak, RestartPolicy.SeenAlive(streak, T0.AddMinutes(4)));
    }
}
