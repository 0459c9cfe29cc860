using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// A service that dies is seen and reported, not restarted forever and never shown as running:
/// a refinery killed with SIGKILL again and again (a real crash, on a real tmux server, with the
/// orc under test) is shown crashed with its signal, restarted by the deacon after a backoff, and
/// at the third crash in a row shown crash-looping, put in the feed and mailed to the overseer once.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class SupervisionTests : IDisposable
{
    private readonly FleetFixture _f;

    public SupervisionTests()
    {
        _f = new FleetFixture();
        _f.Ws.Env["ORC_RESTART_DELAY"] = "1"; // 1 s, 2 s, 4 s … instead of 30 s, 1 min, 2 min …
    }

    public void Dispose() => _f.Dispose();

    private JsonElement Status(string name) =>
        JsonDocument.Parse(_f.Ok("status", "--json").Out).RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name).Clone();

    /// <summary>Waits for the refinery to run (its heartbeat from its window's pid) and returns that pid.</summary>
    private int RunningRefinery()
    {
        var pid = 0;
        RigFixture.Eventually(() => _f.Tmux.FindWindow("orc", "refinery-app") is { PaneDead: false } w && Status("refinery@app") is var s
            && s.GetProperty("state").GetString() == "running" && s.GetProperty("pid").GetInt32() == w.PanePid && (pid = w.PanePid) > 0,
            () => "the refinery never ran: " + _f.Ok("status").Out + _f.Ok("feed", "-n", "20").Out, 60);
        return pid;
    }

    private void Crash(int pid)
    {
        FleetFixture.Signal(pid, "KILL");
        RigFixture.Eventually(() => _f.Tmux.FindWindow("orc", "refinery-app") is { PaneDead: true }, () => "the killed refinery's pane is not dead");
    }

    [Fact]
    public void A_refinery_that_keeps_dying_is_restarted_with_backoff_then_reported_once_as_crash_looping()
    {
        Assert.Contains("started refinery@app", _f.Ok("deacon", "run", "--once").Out);
        var pids = new List<int>();
        for (var crash = 1; crash <= 3; crash++)
        {
            var pid = RunningRefinery();
            Assert.DoesNotContain(pid, pids);
            pids.Add(pid);
            Crash(pid);
            var seen = Status("refinery@app");
            Assert.Equal("crashed", seen.GetProperty("state").GetString()); // the deacon has not counted this one yet
            Assert.False(seen.GetProperty("alive").GetBoolean());
            // tmux 3.3 knows the signal only once it has reaped the process; until then, no status.
            Assert.Contains(seen.GetProperty("error").GetString(), (string[])["killed by SIGKILL (exit 137)",
                "died without stopping (tmux has no exit status)"]);
            // The deacon counts the crash once and waits out the backoff before starting it again.
            var first = _f.Ok("deacon", "run", "--once").Out;
            var after = Status("refinery@app");
            Assert.Equal(crash, after.GetProperty("crashes").GetInt32());
            Assert.Equal(crash >= 3 ? "crash-looping" : "crashed", after.GetProperty("state").GetString());
            Assert.DoesNotContain("restarted refinery@app", first);
            RigFixture.Eventually(() => _f.Ok("deacon", "run", "--once").Out.Contains($"restarted refinery@app (crash {crash} in a row)"),
                () => "the deacon never restarted the refinery: " + _f.Ok("status").Out, 30);
        }
        RunningRefinery();
        // One mail for the streak, naming the service, the error and what it stops.
        var mail = JsonDocument.Parse(_f.Ok("mail", "inbox", "--json").Out).RootElement.EnumerateArray()
            .Where(m => m.GetProperty("subject").GetString()!.Contains("refinery@app keeps crashing")).ToList();
        Assert.Single(mail);
        var body = _f.Ok("mail", "read", mail[0].GetProperty("id").GetString()!).Out;
        Assert.Contains("Last error: ", body);
        Assert.Contains("nothing lands on app's main", body);
        var feed = _f.Ok("feed", "-n", "2000", "--source", "deacon").Out;
        Assert.Contains("refinery@app crashed (", feed);
        Assert.Contains("); crash 1 in a row, started again in 1 s", feed);
        Assert.Contains("refinery@app is crash-looping (3 crashes in a row)", feed);
        var status = Status("refinery@app");
        Assert.Equal(3, status.GetProperty("restarts").GetInt32());
    }

    [Fact]
    public void A_service_that_died_is_not_shown_running_after_orc_down()
    {
        _f.Ok("deacon", "run", "--once");
        var pid = RunningRefinery();
        Crash(pid);
        _f.Ok("down");
        // No window and no server any more; the heartbeat still says "running", but its pid is gone.
        var s = Status("refinery@app");
        Assert.Equal("crashed", s.GetProperty("state").GetString());
        Assert.Contains($"pid {pid} is gone", s.GetProperty("error").GetString());
        var text = _f.Ok("status").Out.Split('\n').Single(l => l.StartsWith("refinery@app", StringComparison.Ordinal));
        Assert.DoesNotContain("running", text);
        // The witness stopped when the server went (SIGHUP): stopped, not crashed.
        RigFixture.Eventually(() => Status("witness@app").GetProperty("state").GetString() == "stopped", () => "the witness: " + Status("witness@app"));
    }

    [Fact]
    public void Once_orc_down_returns_no_service_writes_in_the_workspace_any_more()
    {
        _f.Ok("deacon", "run", "--once");
        RunningRefinery();
        var pids = _f.Tmux.ListWindows().Where(w => !w.PaneDead && w.PanePid > 0).Select(w => w.PanePid).ToList();
        Assert.NotEmpty(pids);
        _f.Ok("down");
        // Hung up on, each service finishes its pass and writes its last heartbeat before orc down returns,
        // so 'orc down && rm -rf DIR' removes everything.
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"pid {pid} still runs after orc down returned"));
        var copy = _f.Root + "-gone";
        Directory.Move(_f.Root, copy);
        try { Directory.Delete(copy, recursive: true); }
        finally { Directory.CreateDirectory(_f.Root); }
    }
}
