using Orchestrator.Adapters.Tmux;
using Orchestrator.Services.Fleet;

namespace Orchestrator.Tui;

/// <summary>
/// Keeps the TUI fed from a background thread: a snapshot of the workspace every
/// <see cref="SnapshotInterval"/> (or at once when asked), and agents' screens as their output
/// arrives. tmux tells a <see cref="PaneWatcher"/> (control-mode clients) which panes wrote, and
/// only those are captured, through the server's one control client: steady state starts no
/// tmux process, and an idle fleet costs one snapshot a second.
/// </summary>
internal sealed class FleetFeed : IDisposable
{
    private readonly FleetReader _reader;
    private readonly ITmuxServer _tmux;
    private readonly PaneWatcher _watcher;
    private readonly AutoResetEvent _wake = new(false);
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private volatile bool _refresh = true;
    private Dictionary<string, string> _screens = new(StringComparer.Ordinal);
    private HashSet<string> _livePanes = new(StringComparer.Ordinal);

    public FleetFeed(FleetReader reader, ITmuxServer tmux)
    {
        _reader = reader;
        _tmux = tmux;
        _watcher = new PaneWatcher(tmux, changedInterval: TimeSpan.FromMilliseconds(40));
        _watcher.Changed += () => _wake.Set();
    }

    public TimeSpan SnapshotInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often changed panes are captured at most (output reaches a tile within about this).</summary>
    public TimeSpan ScreenInterval { get; init; } = TimeSpan.FromMilliseconds(80);

    /// <summary>Lines of each pane kept for its tile.</summary>
    public int ScreenLines { get; init; } = Core.Agents.AgentProfile.ScreenLines;

    /// <summary>A new snapshot with the screens known then (called on the feed's thread).</summary>
    public event Action<FleetSnapshot, IReadOnlyDictionary<string, string>>? Snapshot;

    /// <summary>New screens for panes that wrote (called on the feed's thread).</summary>
    public event Action<IReadOnlyDictionary<string, string>>? Screens;

    /// <summary>Snapshots taken and panes captured so far (for the benchmark).</summary>
    public long Snapshots { get; private set; }
    public long Captures { get; private set; }

    public PaneWatcher Watcher => _watcher;

    public void Start()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "orc-tui-feed" };
        _thread.Start();
    }

    public void RequestRefresh()
    {
        _refresh = true;
        _wake.Set();
    }

    private void Loop()
    {
        var lastSnapshot = DateTimeOffset.MinValue;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var changed = _watcher.TakeChanged();
                if (_watcher.TakeStructureChanged()) _refresh = true;
                if (changed.Count > 0) CaptureScreens(changed.Where(_livePanes.Contains).ToList(), raise: true);
                var now = DateTimeOffset.UtcNow;
                if (_refresh || now - lastSnapshot >= SnapshotInterval)
                {
                    _refresh = false;
                    lastSnapshot = now;
                    TakeSnapshot();
                }
            }
            catch (Exception ex) when (ex is Core.OrcException or IOException or InvalidOperationException)
            {
                // The server went away or a file was mid-write: the next round tries again.
            }
            _wake.WaitOne(ScreenInterval);
        }
    }

    private void TakeSnapshot()
    {
        var first = Snapshots == 0;
        var snapshot = _reader.Read(pane => _screens.TryGetValue(pane, out var s) ? s : null);
        Snapshots++;
        var live = snapshot.Agents.Where(a => a.PaneId is not null).Select(a => a.PaneId!).ToHashSet(StringComparer.Ordinal);
        // Panes seen for the first time (a new agent, or the first snapshot) are captured whole now.
        var fresh = live.Where(p => !_screens.ContainsKey(p)).ToList();
        _livePanes = live;
        if (fresh.Count > 0) CaptureScreens(fresh, raise: false);
        if (first || fresh.Count > 0) _watcher.Refresh();
        var screens = new Dictionary<string, string>(_screens.Where(kv => live.Contains(kv.Key)), StringComparer.Ordinal);
        _screens = screens;
        Snapshot?.Invoke(snapshot, screens);
    }

    private void CaptureScreens(IReadOnlyList<string> panes, bool raise)
    {
        if (panes.Count == 0) return;
        var captured = _tmux.CapturePanes(panes, ScreenLines);
        Captures += captured.Count;
        var next = new Dictionary<string, string>(_screens, StringComparer.Ordinal);
        foreach (var (pane, text) in captured) next[pane] = text;
        _screens = next;
        if (raise) Screens?.Invoke(next);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _wake.Set();
        _thread?.Join(TimeSpan.FromSeconds(3));
        _watcher.Dispose();
        _wake.Dispose();
        _stop.Dispose();
    }
}
