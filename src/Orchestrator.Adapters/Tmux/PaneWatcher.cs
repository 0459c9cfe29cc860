using Orchestrator.Core;

namespace Orchestrator.Adapters.Tmux;

/// <summary>
/// Tells which panes of the server wrote something, and when windows came or went, without
/// polling and without a process per look: one control-mode client per session, attached with
/// <c>no-output</c>, and two format subscriptions tmux checks once a second for every pane of the
/// session: one whose value changes when the pane writes (its window's activity time, cursor and
/// history size) and <c>pane_dead</c>. A screen then captures just the changed panes
/// (<see cref="TmuxServer.CapturePanes"/>, no process). Every <see cref="RefreshInterval"/>, on
/// <c>%sessions-changed</c> and on <see cref="Refresh"/>, the sessions are listed through the
/// server's own control client and clients are opened for new ones and closed for gone ones. A
/// server that stops is survived (its clients close, no session is found) and attached to again
/// once it is back. Thread-safe.
/// <para>
/// No client of orc's ever takes <c>%output</c>: tmux 3.3a (Debian 12's) segfaults in
/// <c>control_append_data</c> when panes of a watched session print fast while windows, sessions
/// or output-taking control clients come and go (its per-client read offsets into a pane's buffer
/// go stale), which killed every agent under the TUI. A no-output client queues nothing, so that
/// code never runs; what it costs is that a pane's change is seen within about a second, not at
/// once. A pane reported as having written is marked once more a little over a second later, so
/// what it wrote later in that same second (the activity time counts seconds) is not missed.
/// PaneWatcherTests reproduces the crash pattern against the real server.
/// </para>
/// </summary>
public sealed class PaneWatcher : IDisposable
{
    /// <summary>The subscription that reports each pane's <c>pane_dead</c> (tmux checks it once a second).</summary>
    private const string DeadSubscription = "orc-pane-dead";

    /// <summary>The subscription that reports a pane that wrote (checked once a second).</summary>
    private const string ActivitySubscription = "orc-pane-activity";

    /// <summary>
    /// What changes when a pane writes: its window's last output time (whole seconds), and within
    /// one second its cursor and history (most output moves the cursor or scrolls).
    /// </summary>
    private const string ActivityFormat = "#{window_activity}.#{cursor_x}.#{cursor_y}.#{history_size}";

    private readonly ITmuxServer _server;
    private readonly Lock _gate = new();          // _changed, _dead
    private readonly Lock _refreshGate = new();   // _clients and opening/closing them
    private readonly Dictionary<string, TmuxControl> _clients = new(StringComparer.Ordinal); // by session id ($N)
    private readonly Dictionary<string, string> _sessionNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _dead = new(StringComparer.Ordinal);   // pane id -> last pane_dead
    private readonly Dictionary<string, string> _active = new(StringComparer.Ordinal); // pane id -> last window_activity
    private HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly Timer _refreshTimer;
    private readonly Timer _raiseTimer;
    private readonly Timer _trailTimer;
    private readonly Dictionary<string, long> _trailing = new(StringComparer.Ordinal); // pane -> when to mark it once more (under _gate)
    private int _structureChanged = 1; // a new watcher has not told anyone about the windows yet
    private int _raisePending;
    private int _refreshQueued;
    private long _lastRaise = long.MinValue / 2;
    private long _processes, _notifications, _activity;
    private volatile bool _disposed;

    /// <param name="server">The server to watch; the watcher lists its sessions through it but does not own it.</param>
    /// <param name="refreshInterval">How often sessions are listed again (default 3 s; <see cref="Timeout.InfiniteTimeSpan"/>: only on <see cref="Refresh"/>
    /// and <c>%sessions-changed</c>).</param>
    /// <param name="changedInterval">The least time between two <see cref="Changed"/> events (default 100 ms).</param>
    public PaneWatcher(ITmuxServer server, TimeSpan? refreshInterval = null, TimeSpan? changedInterval = null)
    {
        _server = server;
        RefreshInterval = refreshInterval ?? TimeSpan.FromSeconds(3);
        ChangedInterval = changedInterval ?? TimeSpan.FromMilliseconds(100);
        _raiseTimer = new Timer(_ => Raise());
        _trailTimer = new Timer(_ => Trail());
        Refresh();
        _refreshTimer = new Timer(_ => RefreshIfIdle());
        if (RefreshInterval > TimeSpan.Zero && RefreshInterval != Timeout.InfiniteTimeSpan)
            _refreshTimer.Change(RefreshInterval, RefreshInterval);
    }

    public TimeSpan RefreshInterval { get; }

    public TimeSpan ChangedInterval { get; }

    /// <summary>
    /// Raised on a thread-pool thread (never a reader's, never the caller's) after a pane wrote or
    /// the windows changed, at most once per <see cref="ChangedInterval"/> however many panes
    /// changed; the handler then calls <see cref="TakeChanged"/> and <see cref="TakeStructureChanged"/>.
    /// A handler's exception is swallowed.
    /// </summary>
    public event Action? Changed;

    /// <summary>tmux processes the watcher started: one per control client it opened (listing sessions goes through the server's client).</summary>
    public long ProcessesStarted => Interlocked.Read(ref _processes);

    /// <summary>Notifications its clients received.</summary>
    public long NotificationsSeen => Interlocked.Read(ref _notifications);

    /// <summary>Reports that a watched pane wrote (at most one a second per pane, however much it wrote).</summary>
    public long ActivitySeen => Interlocked.Read(ref _activity);

    /// <summary>Names of the sessions a client is attached to now.</summary>
    public IReadOnlyCollection<string> Sessions
    {
        get { lock (_refreshGate) return [.. _clients.Where(c => c.Value.IsOpen).Select(c => _sessionNames[c.Key])]; }
    }

    /// <summary>
    /// The pane ids (<c>%3</c>) that wrote output (or changed mode, or died) since the last call,
    /// and, after a session is first attached, all its panes. Empty when none did.
    /// </summary>
    public IReadOnlyCollection<string> TakeChanged()
    {
        lock (_gate)
        {
            if (_changed.Count == 0) return [];
            var taken = _changed;
            _changed = new HashSet<string>(StringComparer.Ordinal);
            return taken;
        }
    }

    /// <summary>
    /// True once after windows or sessions were added, closed or renamed, a pane died or came back,
    /// or a pane entered or left a mode (and once for a new watcher): list the windows again.
    /// </summary>
    public bool TakeStructureChanged() => Interlocked.Exchange(ref _structureChanged, 0) == 1;

    /// <summary>
    /// Lists the sessions now and attaches to new ones, detaches from gone ones. Never throws for
    /// tmux's sake: with no server there are simply no sessions.
    /// </summary>
    public void Refresh()
    {
        if (_disposed) return;
        lock (_refreshGate)
        {
            if (_disposed) return;
            try { RefreshLocked(); }
            catch (OrcException) { /* tmux missing or not answering: try again next time */ }
        }
    }

    private void RefreshIfIdle()
    {
        // A timer tick while a refresh runs is skipped, not queued.
        if (_disposed || !_refreshGate.TryEnter()) return;
        try
        {
            if (!_disposed) RefreshLocked();
        }
        catch (Exception) { /* on a timer thread an exception would end the process; next tick tries again */ }
        finally { _refreshGate.Exit(); }
    }

    /// <summary>Refreshes soon on a pool thread (a reader thread must not wait for replies it reads itself).</summary>
    private void RefreshSoon()
    {
        if (_disposed || Interlocked.CompareExchange(ref _refreshQueued, 1, 0) != 0) return;
        ThreadPool.QueueUserWorkItem(_ =>
        {
            Volatile.Write(ref _refreshQueued, 0);
            try { Refresh(); }
            catch (Exception) { /* see RefreshIfIdle */ }
        });
    }

    private void RefreshLocked()
    {
        var sessions = ListSessions();
        foreach (var (id, client) in _clients.ToList())
        {
            if (client.IsOpen && sessions.ContainsKey(id)) continue;
            Close(client);
            _clients.Remove(id);
            _sessionNames.Remove(id);
            MarkStructure();
        }
        if (sessions.Count == 0) lock (_gate) { _dead.Clear(); _active.Clear(); } // a new server numbers its panes from %0 again
        foreach (var (id, name) in sessions)
        {
            if (_clients.ContainsKey(id)) continue;
            if (Open(id) is not { } client) continue;
            _clients[id] = client;
            _sessionNames[id] = name;
            MarkStructure();
        }
    }

    /// <summary>Session id → name; empty when no server answers (told without starting a process).</summary>
    private Dictionary<string, string> ListSessions()
    {
        var sessions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!_server.IsListening()) return sessions;
        var r = _server.Run("list-sessions", "-F", "#{session_id}\t#{session_name}");
        if (!r.Ok) return sessions;
        foreach (var line in r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t');
            if (tab > 1 && line[0] == '$') sessions[line[..tab]] = line[(tab + 1)..];
        }
        return sessions;
    }

    private TmuxControl? Open(string sessionId)
    {
        Interlocked.Increment(ref _processes);
        var client = _server.OpenControl(sessionId, output: false);
        if (client is null) return null;
        client.Notified += OnNotified;
        try
        {
            // Output written before the listener was there is not lost: every pane counts as
            // changed once, so a screen shows each from the start.
            // Their activity times now are what the subscription's first report will say: not news.
            var panes = client.Run(["list-panes", "-s", "-F", "#{pane_id} " + ActivityFormat]);
            if (panes.Ok)
                foreach (var line in panes.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var sp = line.IndexOf(' ');
                    if (sp < 0) continue;
                    lock (_gate) _active[line[..sp]] = line[(sp + 1)..];
                    MarkPane(line[..sp]);
                }
            // tmux sends no notification when a pane dies; a subscription to pane_dead does (within a second).
            client.Run(["refresh-client", "-B", $"{DeadSubscription}:%*:#{{pane_dead}}"]);
            // Nor, to a no-output client, when a pane writes: its window's activity time does.
            client.Run(["refresh-client", "-B", $"{ActivitySubscription}:%*:{ActivityFormat}"]);
            return client;
        }
        catch (OrcException)
        {
            Close(client);
            return null;
        }
    }

    private void Close(TmuxControl client)
    {
        client.Notified -= OnNotified;
        client.Dispose();
    }

    /// <summary>On a client's reader thread: marks and counts only, nothing that waits.</summary>
    private void OnNotified(TmuxNotification n)
    {
        Interlocked.Increment(ref _notifications);
        switch (n.Name)
        {
            case "pane-mode-changed":
                MarkPane(n.Arguments);
                MarkStructure();
                break;
            case "subscription-changed":
                OnSubscription(n.Arguments);
                break;
            case "sessions-changed" or "exit":
                MarkStructure();
                RefreshSoon();
                break;
            case "window-add" or "window-close" or "window-renamed" or "unlinked-window-add" or "unlinked-window-close"
                or "unlinked-window-renamed" or "session-renamed" or "session-changed" or "layout-change":
                MarkStructure();
                break;
        }
    }

    /// <summary><c>NAME $SESSION @WINDOW INDEX %PANE ... : VALUE</c>: a pane that wrote, or died or came back.</summary>
    private void OnSubscription(string arguments)
    {
        var colon = arguments.IndexOf(" : ", StringComparison.Ordinal);
        if (colon < 0) return;
        var words = arguments[..colon].Split(' ');
        if (words.Length < 5 || !TmuxServer.IsPaneId(words[4])) return;
        var pane = words[4];
        var value = arguments[(colon + 3)..];
        if (words[0] == ActivitySubscription)
        {
            bool first;
            lock (_gate)
            {
                // A pane seen on attaching was marked then; one made since is news on its first report.
                if (_active.TryGetValue(pane, out var before) && before == value) return;
                _active[pane] = value;
                first = _trailing.Count == 0;
                _trailing[pane] = Environment.TickCount64 + TrailAfterMs;
            }
            Interlocked.Increment(ref _activity);
            MarkPane(pane);
            if (first) ScheduleTrail(TrailAfterMs);
            return;
        }
        if (words[0] != DeadSubscription) return;
        bool changed;
        lock (_gate)
        {
            // The first report of a pane is its state when the subscription began: news only if dead.
            changed = _dead.TryGetValue(pane, out var before) ? before != value : value == "1";
            _dead[pane] = value;
        }
        if (!changed) return;
        MarkStructure();
        MarkPane(pane);
    }

    private void MarkPane(string pane)
    {
        bool added;
        lock (_gate) added = _changed.Add(pane);
        if (added) ScheduleRaise();
    }

    /// <summary>A little over the one second the activity time counts in.</summary>
    private const int TrailAfterMs = 1100;

    private void ScheduleTrail(long wait)
    {
        if (_disposed) return;
        try { _trailTimer.Change(Math.Max(0, wait), Timeout.Infinite); }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Marks the panes whose second look is due, and waits for the next one.</summary>
    private void Trail()
    {
        if (_disposed) return;
        List<string> due = [];
        long next = long.MaxValue;
        lock (_gate)
        {
            var now = Environment.TickCount64;
            foreach (var (pane, at) in _trailing)
                if (at <= now) due.Add(pane);
                else next = Math.Min(next, at);
            foreach (var pane in due) _trailing.Remove(pane);
            if (_trailing.Count > 0) ScheduleTrail(next - now);
        }
        foreach (var pane in due) MarkPane(pane);
    }

    private void MarkStructure()
    {
        if (Interlocked.Exchange(ref _structureChanged, 1) == 0) ScheduleRaise();
    }

    /// <summary>Schedules one <see cref="Changed"/> unless one is pending, no sooner than <see cref="ChangedInterval"/> after the last.</summary>
    private void ScheduleRaise()
    {
        if (_disposed || Interlocked.CompareExchange(ref _raisePending, 1, 0) != 0) return;
        var wait = Math.Max(0, Volatile.Read(ref _lastRaise) + (long)ChangedInterval.TotalMilliseconds - Environment.TickCount64);
        try { _raiseTimer.Change(wait, Timeout.Infinite); }
        catch (ObjectDisposedException) { }
    }

    private void Raise()
    {
        Volatile.Write(ref _lastRaise, Environment.TickCount64);
        // Cleared before the handler runs: whatever is marked from now on schedules another event.
        Volatile.Write(ref _raisePending, 0);
        if (_disposed) return;
        try { Changed?.Invoke(); }
        catch (Exception) { /* a listener's fault must not end the process (this is a timer thread) */ }
    }

    /// <summary>Stops the timers and detaches every client.</summary>
    public void Dispose()
    {
        _disposed = true;
        _refreshTimer.Dispose();
        _raiseTimer.Dispose();
        _trailTimer.Dispose();
        lock (_refreshGate)
        {
            foreach (var client in _clients.Values) Close(client);
            _clients.Clear();
            _sessionNames.Clear();
        }
    }
}
