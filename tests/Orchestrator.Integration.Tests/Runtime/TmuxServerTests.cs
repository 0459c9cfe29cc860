using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>A real tmux server on a private socket per test, killed afterwards; never the user's server.</summary>
public sealed class TmuxServerTests : IDisposable
{
    private readonly TempWorkspace _dir = new(init: false);
    private readonly TmuxServer _tmux;

    public TmuxServerTests()
    {
        TmuxServer.CheckVersion();
        _tmux = new TmuxServer("orc-test-" + Guid.NewGuid().ToString("N")[..10], Path.Combine(_dir.Root, "tmux.conf"), Path.Combine(_dir.Root, "locks"));
    }

    public void Dispose()
    {
        _tmux.KillServer();
        _dir.Dispose();
    }

    private static readonly Dictionary<string, string> NoEnv = [];

    private void StartCat(string window) =>
        _tmux.StartWindow("rig", window, _dir.Root, new Dictionary<string, string> { ["ORC_AGENT"] = window }, ["sh", "-c",
            "echo started $ORC_AGENT; exec cat"]);

    private string WaitFor(string window, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string pane;
        do
        {
            pane = _tmux.CapturePane("rig", window, 200);
            if (pane.Contains(text)) return pane;
            Thread.Sleep(50);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"'{text}' never appeared in {window}:\n{pane}");
        return pane;
    }

    [Fact]
    public void A_window_starts_with_its_environment_and_is_listed()
    {
        StartCat("nux");
        WaitFor("nux", "started nux");
        var w = Assert.Single(_tmux.ListWindows());
        Assert.Equal(("rig", "nux", false), (w.Session, w.Window, w.PaneDead));
        Assert.True(w.PanePid > 0);
    }

    [Fact]
    public void Shell_syntax_sent_to_a_pane_arrives_as_literal_text_and_runs_nothing()
    {
        StartCat("ace");
        WaitFor("ace", "started ace");
        var marker = Path.Combine(_dir.Root, "pwned");
        var text = $"$(touch {marker}) `touch {marker}`; echo hi && ls | wc";
        Assert.True(_tmux.SendText("rig", "ace", text));
        var pane = WaitFor("ace", "echo hi && ls | wc");
        Assert.Contains($"$(touch {marker})", pane);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Two_senders_to_one_pane_never_interleave()
    {
        // What the program in the pane reads, not the screen: on the screen the terminal's echo of
        // the second sender's keys may come before the program (slow to be scheduled on a busy
        // machine) has printed its copy of the first line, with no interleaving of the input.
        var received = Path.Combine(_dir.Root, "received");
        _tmux.StartWindow("rig", "toast", _dir.Root, NoEnv, ["sh", "-c", "echo started; exec cat > received"]);
        WaitFor("toast", "started");
        var a = new string('a', 300);
        var b = new string('b', 300);
        Parallel.Invoke(() => _tmux.SendText("rig", "toast", a), () => _tmux.SendText("rig", "toast", b));
        RigFixture.Eventually(() => File.Exists(received) && File.ReadAllLines(received).Length >= 2,
            () => $"cat received: {(File.Exists(received) ? File.ReadAllText(received) : "nothing")}", 20);
        var lines = File.ReadAllLines(received);
        // Each line the program read is one sender's text, whole.
        Assert.All(lines, l => Assert.True(l == a || l == b, $"interleaved: {l}"));
        Assert.Equal([a, b], lines.Order());
    }

    [Fact]
    public void A_dead_agent_stays_visible_with_its_exit_status()
    {
        // (A short pause before the exit: a pty may drop what a process wrote just before it closed.)
        _tmux.StartWindow("rig", "crash", _dir.Root, NoEnv, ["sh", "-c", "echo last words; sleep 0.3; exit 3"]);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        TmuxWindow? w;
        // The pane ends (EOF) a moment before tmux reaps the process and knows its status.
        do { w = _tmux.FindWindow("rig", "crash"); Thread.Sleep(50); } while (w is not { PaneDead: true, ExitStatus: not null } && DateTime.UtcNow < deadline);
        Assert.True(w!.PaneDead);
        // Under heavy load tmux 3.3a has been seen to leave a dead pane without a status for good;
        // orc then shows it dead without one. When a status is there, it is the right one.
        if (w.ExitStatus is not null) Assert.Equal(3, w.ExitStatus);
        Assert.Contains("last words", _tmux.CapturePane("rig", "crash"));
        var e = Assert.Throws<OrcException>(() => _tmux.SendText("rig", "crash", "hello"));
        Assert.Contains("not running", e.Message);
        // Starting it again replaces the dead window.
        StartCat("crash");
        WaitFor("crash", "started crash");
    }

    [Fact]
    public void A_killed_agent_reports_128_plus_its_signal()
    {
        _tmux.StartWindow("rig", "shot", _dir.Root, NoEnv, ["sh", "-c", "kill -9 $$"]);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        TmuxWindow? w;
        do { w = _tmux.FindWindow("rig", "shot"); Thread.Sleep(50); } while (w is not { PaneDead: true, ExitStatus: not null } && DateTime.UtcNow < deadline);
        Assert.True(w!.PaneDead);
        if (w.ExitStatus is not null) Assert.Equal(137, w.ExitStatus); // see above: the status may never come
    }

    [Fact]
    public void Killing_a_window_or_the_server_is_seen()
    {
        StartCat("a1");
        StartCat("b1");
        WaitFor("b1", "started b1");
        _tmux.KillWindow("rig", "a1");
        Assert.Equal(["b1"], _tmux.ListWindows().Select(w => w.Window));
        _tmux.KillServer();
        Assert.False(_tmux.IsRunning());
        Assert.Empty(_tmux.ListWindows());
    }

    [Fact]
    public void Each_workspace_gets_its_own_socket_name()
    {
        Assert.NotEqual(TmuxServer.SocketNameFor("/a/ws"), TmuxServer.SocketNameFor("/b/ws"));
        Assert.Equal(TmuxServer.SocketNameFor("/a/ws"), TmuxServer.SocketNameFor("/a/ws/"));
        Assert.StartsWith("orc-", TmuxServer.SocketNameFor("/a/ws"));
    }
}
