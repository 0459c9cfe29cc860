using System.Text;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>The pane watcher against a real private tmux server per test (killed afterwards).</summary>
public sealed class PaneWatcherTests : IDisposable
{
    private readonly TempWorkspace _dir = new(init: false);
    private readonly TmuxServer _tmux;
    private readonly List<PaneWatcher> _watchers = [];

    public PaneWatcherTests()
    {
        TmuxServer.CheckVersion();
        _tmux = new TmuxServer("orc-test-" + Guid.NewGuid().ToString("N")[..10], Path.Combine(_dir.Root, "tmux.conf"), Path.Combine(_dir.Root, "locks"));
    }

    public void Dispose()
    {
        foreach (var w in _watchers) w.Dispose();
        _tmux.KillServer();
        _tmux.Dispose();
        _dir.Dispose();
    }

    private static readonly Dictionary<string, string> NoEnv = [];

    private PaneWatcher Watch(TimeSpan? refresh = null)
    {
        // Periodic refresh off unless a test asks: each test says when the sessions are looked at.
        var w = new PaneWatcher(_tmux, refresh ?? Timeout.InfiniteTimeSpan, TimeSpan.FromMilliseconds(20));
        _watchers.Add(w);
        return w;
    }

    /// <summary>Starts a window whose shell prints <paramref name="text"/> once the file <c>go-GO</c> exists, then waits for input.</summary>
    private string StartWaiting(string session, string window, string go, string text)
    {
        var file = Path.Combine(_dir.Root, "go-" + go);
        _tmux.StartWindow(session, window, _dir.Root, NoEnv, ["sh", "-c", $"while [ ! -e '{file}' ]; do sleep 0.05; done; printf '%s\\n' '{text}'; exec cat"]);
        return PaneOf(session, window);
    }

    private void Go(string go) => File.WriteAllText(Path.Combine(_dir.Root, "go-" + go), "");

    private void StartQuiet(string session, string window) =>
        _tmux.StartWindow(session, window, _dir.Root, NoEnv, ["sh", "-c", "exec cat"]);

    private string PaneOf(string session, string window) =>
        _tmux.FindWindow(session, window)?.PaneId ?? throw new InvalidOperationException($"no window {session}:{window}");

    /// <summary>Collects what <see cref="PaneWatcher.TakeChanged"/> returns until <paramref name="done"/> holds for it.</summary>
    private static HashSet<string> CollectUntil(PaneWatcher w, Func<HashSet<string>, bool> done, HashSet<string>? seen = null)
    {
        seen ??= [];
        var all = seen;
        RigFixture.Eventually(() => { all.UnionWith(w.TakeChanged()); return done(all); }, () => "changed panes seen: " + string.Join(' ', all), 20);
        return seen;
    }

    [Fact]
    public void Output_in_panes_of_two_sessions_is_reported_and_a_quiet_pane_is_not()
    {
        var a = StartWaiting("a", "loud", "a", "hello from a");
        var quiet = PaneOfQuiet("a", "quiet");
        var b = StartWaiting("b", "loud", "b", "hello from b");
        using var w = Watch();
        var raised = 0;
        w.Changed += () => Interlocked.Increment(ref raised);
        Assert.Equal(new[] { "a", "b" }, w.Sessions.Order());
        // Attaching counts every pane as changed once (its screen has to be shown first).
        CollectUntil(w, s => s.IsSupersetOf([a, b, quiet]));
        Assert.True(w.TakeStructureChanged());
        Assert.Equal(2, w.ProcessesStarted);

        Go("a");
        Go("b");
        var seen = CollectUntil(w, s => s.IsSupersetOf([a, b]));
        Assert.DoesNotContain(quiet, seen);
        RigFixture.Eventually(() => Volatile.Read(ref raised) > 0, () => "Changed was never raised", 20);
        Assert.True(w.ActivitySeen >= 2, $"{w.ActivitySeen} activity reports");
        // No client of the watcher's takes %output (tmux 3.3a crashes in control_append_data otherwise).
        Assert.All(_tmux.Run("list-clients", "-F", "#{client_control_mode} #{client_flags}").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => Assert.Contains("no-output", l));
        // Nothing more was written: nothing more is reported.
        Assert.DoesNotContain(quiet, w.TakeChanged());
    }

    private string PaneOfQuiet(string session, string window)
    {
        StartQuiet(session, window);
        return PaneOf(session, window);
    }

    [Fact]
    public void A_session_made_after_the_watcher_started_is_watched_after_refresh()
    {
        StartQuiet("a", "one");
        using var w = Watch();
        Assert.Equal(new[] { "a" }, w.Sessions);
        var late = StartWaiting("late", "w", "late", "late words");
        w.Refresh();
        Assert.Equal(new[] { "a", "late" }, w.Sessions.Order());
        CollectUntil(w, s => s.Contains(late)); // counted once on attaching
        Go("late");
        CollectUntil(w, s => s.Contains(late));
        Assert.Equal(2, w.ProcessesStarted);
    }

    [Fact]
    public void A_new_session_is_attached_to_without_refresh_too()
    {
        // %sessions-changed makes the watcher look again by itself.
        StartQuiet("a", "one");
        using var w = Watch();
        StartQuiet("b", "two");
        RigFixture.Eventually(() => w.Sessions.Contains("b"), () => "sessions: " + string.Join(' ', w.Sessions), 20);
    }

    [Fact]
    public void A_killed_window_a_dead_pane_and_a_gone_session_change_the_structure()
    {
        StartQuiet("a", "one");
        StartQuiet("a", "two");
        StartQuiet("b", "three");
        using var w = Watch();
        Assert.True(w.TakeStructureChanged());
        Assert.False(w.TakeStructureChanged());

        _tmux.KillWindow("a", "two");
        RigFixture.Eventually(w.TakeStructureChanged, () => "killing a window was not noticed", 20);

        // A pane whose program ends stays (remain-on-exit) and tmux tells no one: the subscription does.
        var dying = Path.Combine(_dir.Root, "die");
        _tmux.StartWindow("a", "dies", _dir.Root, NoEnv, ["sh", "-c", $"while [ ! -e '{dying}' ]; do sleep 0.05; done; exit 3"]);
        var pane = PaneOf("a", "dies");
        RigFixture.Eventually(w.TakeStructureChanged, () => "the new window was not noticed", 20);
        // The pane writes nothing, so only its death can report it as changed.
        Assert.DoesNotContain(pane, w.TakeChanged());
        File.WriteAllText(dying, "");
        CollectUntil(w, s => s.Contains(pane));
        Assert.True(w.TakeStructureChanged());
        Assert.True(_tmux.FindWindow("a", "dies")?.PaneDead);

        _tmux.Run("kill-session", "-t", "=b");
        RigFixture.Eventually(w.TakeStructureChanged, () => "the session's end was not noticed", 20);
        RigFixture.Eventually(() => !w.Sessions.Contains("b"), () => "still watching b", 20);
    }

    [Fact]
    public void The_server_dying_throws_nothing_and_the_watcher_attaches_again_when_it_is_back()
    {
        StartQuiet("a", "one");
        using var w = Watch();
        Assert.Equal(new[] { "a" }, w.Sessions);
        _tmux.RunProcess("kill-server"); // behind everyone's back: the socket file stays
        RigFixture.Eventually(() => { w.Refresh(); return w.Sessions.Count == 0; }, () => "still attached: " + string.Join(' ', w.Sessions), 20);
        Assert.True(w.TakeStructureChanged());
        w.TakeChanged();
        // The server takes a moment to close its socket after its sessions are gone; until then a
        // refresh may still find it listening and ask it (seen once: 2 processes more).
        RigFixture.Eventually(() => !_tmux.IsListening(), () => "the dead server's socket still answers", 20);
        var before = _tmux.ProcessesStarted;
        for (var i = 0; i < 5; i++) w.Refresh(); // no server: nothing to list, no process to find that out
        Assert.Equal(before, _tmux.ProcessesStarted);
        Assert.Empty(_tmux.CapturePanes(["%0"]));

        // Another process starts the server again.
        using var other = new TmuxServer(_tmux.SocketName, Path.Combine(_dir.Root, "tmux.conf"), Path.Combine(_dir.Root, "locks"));
        var file = Path.Combine(_dir.Root, "go-back");
        other.StartWindow("back", "w", _dir.Root, NoEnv, ["sh", "-c", $"while [ ! -e '{file}' ]; do sleep 0.05; done; echo back again; exec cat"]);
        var pane = PaneOf("back", "w");
        RigFixture.Eventually(() => { w.Refresh(); return w.Sessions.Contains("back"); }, () => "not attached again", 20);
        w.TakeChanged();
        Go("back");
        CollectUntil(w, s => s.Contains(pane));
        Assert.Contains("back again", _tmux.CapturePanes([pane])[pane]);
        // The server object's own control client comes back too, though another process started the server.
        RigFixture.Eventually(() => { _tmux.CapturePanes([pane]); return _tmux.ControlConnected; }, () => "commands stay plain processes", 20);
    }

    [Fact]
    public void Continuous_output_starts_no_process_beyond_one_client_per_session()
    {
        string[] loop = ["sh", "-c", "i=0; while :; do i=$((i+1)); echo \"tick $i\"; sleep 0.02; done"];
        _tmux.StartWindow("a", "busy", _dir.Root, NoEnv, loop);
        _tmux.StartWindow("a", "busy2", _dir.Root, NoEnv, loop);
        _tmux.StartWindow("b", "busy", _dir.Root, NoEnv, loop);
        var panes = new[] { PaneOf("a", "busy"), PaneOf("a", "busy2"), PaneOf("b", "busy") };
        using var w = Watch(TimeSpan.FromMilliseconds(100)); // refreshing often, through the control client
        Assert.Equal(2, w.ProcessesStarted);
        CollectUntil(w, s => s.IsSupersetOf(panes));
        var processes = _tmux.ProcessesStarted;
        var activity = w.ActivitySeen;
        var rounds = 0;
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (DateTime.UtcNow < deadline || rounds < 10)
        {
            var changed = w.TakeChanged();
            if (changed.Count > 0) Assert.Equal(changed.Count, _tmux.CapturePanes(changed, 20).Count);
            w.Refresh();
            rounds++;
            Thread.Sleep(50);
        }
        Assert.Equal(2, w.ProcessesStarted);
        Assert.Equal(processes, _tmux.ProcessesStarted);
        Assert.True(w.ActivitySeen > activity);
        Assert.True(_tmux.ControlConnected);
    }

    [Fact]
    public void Capture_panes_returns_each_panes_text_without_escapes()
    {
        _tmux.StartWindow("a", "one", _dir.Root, NoEnv, ["sh", "-c", "printf 'first \\033[31mred\\033[0m é 🚀\\n'; exec cat"]);
        _tmux.StartWindow("b", "two", _dir.Root, NoEnv, ["sh", "-c", "printf 'second pane\\n'; exec cat"]);
        var one = PaneOf("a", "one");
        var two = PaneOf("b", "two");
        Dictionary<string, string> texts = [];
        RigFixture.Eventually(() =>
        {
            texts = _tmux.CapturePanes([one, two, "%9999", "=a:=one", one]);
            return texts.GetValueOrDefault(one, "").Contains("🚀") && texts.GetValueOrDefault(two, "").Contains("second pane");
        }, () => string.Join('\n', texts.Select(t => t.Key + ": " + t.Value)), 20);
        Assert.Equal(new[] { one, two }.Order(), texts.Keys.Order());
        Assert.Contains("first red é 🚀", texts[one]);
        Assert.DoesNotContain('\u001b', texts[one]);
        Assert.Equal(_tmux.CapturePane("b", "two"), texts[two]);
        var before = _tmux.ProcessesStarted;
        _tmux.CapturePanes([one, two]);
        Assert.Equal(before, _tmux.ProcessesStarted);
    }

    [Fact]
    public void Dispose_detaches_every_client()
    {
        StartQuiet("a", "one");
        StartQuiet("b", "two");
        var w = Watch();
        Assert.Equal(2, w.Sessions.Count);
        string[] controlClients() => [.. _tmux.Run("list-clients", "-F", "#{client_control_mode}").Out.Split('\n',
            StringSplitOptions.RemoveEmptyEntries).Where(l => l == "1")];
        Assert.Equal(3, controlClients().Length); // the server's own and one per session
        w.Dispose();
        RigFixture.Eventually(() => controlClients().Length == 1, () => $"{controlClients().Length} control clients", 20);
        Assert.Empty(w.Sessions);
        w.Refresh(); // does nothing once disposed
        Assert.Empty(w.Sessions);
    }

    [Fact]
    public void Escaped_output_is_counted_as_the_bytes_it_stands_for()
    {
        Assert.Equal(0, TmuxControl.UnescapedLength(""u8));
        Assert.Equal(5, TmuxControl.UnescapedLength("a\\033b\\134c"u8));
        Assert.Equal(4, TmuxControl.UnescapedLength("\\9ab"u8)); // not an escape
        foreach (var s in new[] { "x\\015\\012", "\\\\\\134", "é\\0", "\\012", "abc\\01" })
            Assert.Equal(TmuxControl.Unescape(Encoding.UTF8.GetBytes(s)).Length, TmuxControl.UnescapedLength(Encoding.UTF8.GetBytes(s)));
    }
    /// <summary>
    /// The pattern that crashed tmux 3.3a under the TUI (issue 20): many panes printing fast while
    /// the watcher watches their sessions, windows closed, respawned and made, every window of a
    /// session closed, and watchers made and thrown away (a layout switch). With clients that took
    /// %output, or a session destroyed while a client attached to it, the server segfaulted within
    /// seconds. It must live through all of it. ORC_TMUX_STRESS_SECONDS makes it run longer.
    /// </summary>
    [Fact]
    public void The_server_survives_panes_flooding_while_windows_and_sessions_close_under_watchers()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("ORC_TMUX_STRESS_SECONDS"), out var s) ? s : 20;
        string[] flood = ["sh", "-c", "while :; do printf '%0300d\\n' 7; done"];
        for (var n = 0; n < 3; n++)
            for (var k = 0; k < 4; k++) _tmux.StartWindow($"s{n}", $"w{k}", _dir.Root, NoEnv, flood);
        var pid = int.Parse(_tmux.Run("display-message", "-p", "#{pid}").Out.Trim());
        var watcher = Watch(TimeSpan.FromMilliseconds(300));
        var end = DateTime.UtcNow.AddSeconds(seconds);
        var rounds = 0;
        var rnd = new Random(20);
        while (DateTime.UtcNow < end)
        {
            rounds++;
            var session = $"s{rnd.Next(3)}";
            switch (rnd.Next(5))
            {
                case 0: _tmux.Run("kill-window", "-t", $"={session}:w{rnd.Next(4)}"); break;
                case 1: _tmux.StartWindow(session, $"w{rnd.Next(4)}", _dir.Root, NoEnv, flood, replaceRunning: true); break;
                case 2:
                    // every window of a session closed (the deacon closing dead ones): the session
                    // itself stays, kept by its keeper window, so no client races its end
                    for (var k = 0; k < 4; k++) _tmux.Run("kill-window", "-t", $"={session}:w{k}");
                    Assert.True(_tmux.HasSession(session));
                    _tmux.StartWindow(session, "w0", _dir.Root, NoEnv, flood);
                    break;
                case 3:
                    // a layout switch: the watcher goes and a new one comes
                    watcher.Dispose();
                    _watchers.Remove(watcher);
                    watcher = Watch(TimeSpan.FromMilliseconds(300));
                    break;
                default: watcher.TakeChanged(); watcher.Refresh(); break;
            }
            Thread.Sleep(rnd.Next(20, 120));
            Assert.True(Directory.Exists($"/proc/{pid}"), $"the tmux server died after {rounds} rounds");
        }
        Thread.Sleep(1500);
        Assert.True(Directory.Exists($"/proc/{pid}"), $"the tmux server died after {rounds} rounds");
        Assert.True(_tmux.Run("list-sessions").Ok);
    }
}
