using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Services.Convoys;
using Orchestrator.Services.Fleet;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Mail;
using Orchestrator.Services.Planning;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Workspace;
using Orchestrator.Tui;
using Orchestrator.Tui.Actions;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Views;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Terminal.Gui.Input;

namespace Orchestrator.Bench;

/// <summary>
/// <c>orc-bench tui</c>: the TUI's speed with a live fleet. A workspace (as <c>fleet</c> makes
/// it) with Q quiet sim agents (sim:idle, waiting at their prompt) and P printing agents (a shell
/// loop that prints a line a second while a flag file exists), on a private tmux server. The
/// real <see cref="FleetFeed"/> and <see cref="FleetWindow"/> run in this process on
/// Terminal.Gui's ANSI driver with no terminal (DisableRealDriverIO=1), in the real main loop
/// (<c>app.Run</c> on its own thread), as <c>orc tui</c> wires them. Measured: this process's
/// CPU with the fleet quiet and printing, tmux processes it starts in steady state, key press →
/// frame drawn, and agent output → drawn in its tile.
/// </summary>
internal sealed class TuiBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private const string PrinterProfile = "printer";

    private readonly FleetBench _fleet;
    private readonly int _quiet;
    private readonly int _printing;
    private readonly int _seconds;
    private readonly int _markers;
    private readonly int _keys;
    private readonly int _width;
    private readonly int _height;
    private readonly string? _layoutName;
    private readonly int _warmupSeconds;
    private readonly int _maxFps;
    private readonly bool _noBinary;
    private readonly OrcCommand? _tuiOrc;
    private readonly string[] _tuiEnv;
    private readonly int _snapshotMs;
    private bool _termStarted;
    private List<string> _snapshotNames = [];
    private readonly string _flag;
    private readonly Random _random = new(42);

    // Set on the UI thread, read by the bench thread.
    private IApplication? _app;
    private FleetWindow? _window;
    private string? _layoutFocus;
    private readonly ManualResetEventSlim _uiReady = new();
    private Exception? _uiError;
    private long _draws;
    private long _iterationStart;
    private readonly ConcurrentQueue<double> _drawMs = new();
    private volatile FleetSnapshot? _snapshot;

    // One key in flight: injected at _keySent, seen by the app at _keySeen, drawn at _keyDrawn.
    private long _keySent, _keySeen, _keyDrawn;
    private readonly ManualResetEventSlim _keyDone = new();

    // One marker in flight: typed at _markerSent, captured by the feed at _markerCaptured, on screen at _markerDrawn.
    private volatile string? _marker;
    private volatile string? _markerPane;
    private long _markerCaptured, _markerDrawn;
    private readonly ManualResetEventSlim _markerDone = new();

    private TuiBench(FleetBench fleet, Options o)
    {
        _fleet = fleet;
        var agents = o.Int("agents", 30);
        _printing = o.Int("printing", 10);
        if (agents < 1 || _printing >= agents) throw new UsageException("--agents must be at least 1 and more than --printing");
        _quiet = agents - _printing;
        _seconds = Math.Max(1, o.Int("sample-seconds", 10));
        _markers = o.Int("markers", 20);
        _keys = o.Int("keys", 40);
        _width = o.Int("width", 200);
        _height = o.Int("height", 50);
        _layoutName = o.Optional("layout");
        _warmupSeconds = o.Int("warmup-seconds", 20);
        _maxFps = o.Int("max-fps", 0);
        _noBinary = o.Flag("no-binary");
        _tuiOrc = o.Optional("tui-orc") is { } t ? OrcCommand.Locate(t) : null;
        _tuiEnv = (o.Optional("tui-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (_tuiEnv.Any(e => e.IndexOf('=') < 1)) throw new UsageException("--tui-env takes NAME=VALUE[,NAME=VALUE...]");
        _snapshotMs = o.Int("snapshot-ms", 0);
        _flag = Path.Combine(fleet.Root, "printing-on");
    }

    public static int Run(Options o)
    {
        var orc = OrcCommand.Locate(o.Optional("orc"));
        var files = o.Int("files", 200);
        if (files < 1) throw new UsageException("--files must be at least 1");
        // Before Terminal.Gui is touched: its drivers must not look for a terminal.
        Environment.SetEnvironmentVariable("DisableRealDriverIO", "1");
        var fleet = new FleetBench(orc, o.Flag("keep"), Path.GetFullPath(o.Optional("dir") ?? "/tmp"));
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (fleet.Interrupted) return;
            fleet.Interrupted = true;
            e.Cancel = true;
            Console.Error.WriteLine("orc-bench: interrupted; cleaning up after the current step (Ctrl-C again to abort without cleaning up)");
        };
        Console.CancelKeyPress += onCancel;
        TuiBench? bench = null;
        try
        {
            bench = new TuiBench(fleet, o);
            return bench.Execute(files);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            bench?.StopTerminal();
            fleet.Cleanup();
        }
    }

    private int Execute(int files)
    {
        var orc = _fleet.OrcBinary;
        var ws = _fleet.Workspace;
        Console.WriteLine($"orc-bench tui   orc: {orc} ({(orc.IsDll ? "JIT" : "NativeAOT")}; slings and sim agents run it; the TUI runs in this process, {(IsReleaseBuild() ? "Release" : "Debug")} build)");
        Console.WriteLine($"dir {_fleet.Root}   tmux -L {_fleet.Socket}   {Environment.ProcessorCount} cores   load {FleetBench.Load()}");

        // Setup: rig, items, a profile for the printing agents, the agents.
        var sw = Stopwatch.StartNew();
        _fleet.MakeSource(files);
        _fleet.RunOrc(_fleet.Root, "init", ws);
        _fleet.RunOrc(ws, "rig", "add", "app", _fleet.Source, "--max-polecats", Math.Max(40, _quiet + _printing).ToString(Inv));
        WritePrinterProfile();
        var (quietIds, _) = _fleet.CreateItems(_quiet, ["sim:idle"], first: 1);
        var printIds = _printing > 0 ? _fleet.CreateItems(_printing, [], first: _quiet + 1).Ids : [];
        var clock = Stopwatch.StartNew();
        _fleet.RunOrc(ws, ["sling", .. quietIds]);
        if (printIds.Count > 0) _fleet.RunOrc(ws, ["sling", .. printIds, "--profile", PrinterProfile]);
        var total = _quiet + _printing;
        _fleet.WaitAgents(clock, a => a.Count(x => x.WindowAlive && !FleetBench.Ended(x.State)) >= total && a.Count(x => x.State == "idle") >= _quiet, true,
            $"{total} live agents, {_quiet} idle at their prompt");
        Console.WriteLine(F($"setup: rig of {files} files; {_quiet} sim agents (sim:idle: waiting at their prompt) and {_printing} printing agents (profile '{PrinterProfile}': sh loop, one line a second while {Path.GetFileName(_flag)} exists) live after {sw.Elapsed.TotalSeconds:F1} s"));
        InProcess();
        if (!_noBinary) ShippedBinary();
        Console.WriteLine();
        Console.WriteLine($"load at the end {FleetBench.Load()}");
        return 0;
    }

    /// <summary>Steps 1-7: the TUI in this process.</summary>
    private void InProcess()
    {
        var orc = _fleet.OrcBinary;
        var ws = _fleet.Workspace;
        // The TUI, wired as TuiApp wires it, on the ANSI driver with no terminal.
        string? Env(string name) => name switch
        {
            "ORC_WORKSPACE" => ws,
            RuntimeContext.SocketVariable => _fleet.Socket,
            "TMUX" or "TMUX_PANE" => null,
            _ => Environment.GetEnvironmentVariable(name),
        };
        var context = new WorkspaceContext(ws, Env, TimeProvider.System);
        var ledger = new LedgerService(context, NullLogger<LedgerService>.Instance);
        using var runtime = new RuntimeContext(context, orc.IsDll ? ["dotnet", orc.Path] : [orc.Path]);
        var sling = new SlingService(runtime, ledger, NullLogger<SlingService>.Instance);
        var agents = new AgentService(runtime, ledger, sling);
        var mail = new MailService(runtime, ledger, agents, NullLogger<MailService>.Instance);
        var convoys = new ConvoyService(runtime, ledger, new PlanService(runtime, ledger), mail, sling, NullLogger<ConvoyService>.Instance);
        var reader = new FleetReader(runtime, ledger, mail, convoys, new Orchestrator.Services.Patrol.ServiceLauncher(runtime, mail,
            NullLogger<Orchestrator.Services.Patrol.ServiceLauncher>.Instance));
        var layouts = new LayoutCatalog(TuiConfigFolders.Layouts(ws, Env));
        var themes = new ThemeCatalog(TuiConfigFolders.Themes(ws, Env));
        var (layout, layoutWarning) = layouts.Load(_layoutName ?? context.Config.TuiLayout);
        var (theme, _) = themes.Load(context.Config.TuiTheme);
        if (layoutWarning is not null) Console.WriteLine($"layout: {layoutWarning}");
        _layoutFocus = layout.FocusedPane;
        // --snapshot-ms is for experiments only (how much of the CPU the periodic snapshot costs).
        using var feed = _snapshotMs > 0 ? new FleetFeed(reader,
            runtime.Tmux) { SnapshotInterval = TimeSpan.FromMilliseconds(_snapshotMs) } : new FleetFeed(reader, runtime.Tmux);
        var host = new TuiHost
        {
            Actions = new FleetActions(ledger, sling, agents, mail, convoys),
            Self = new SelfRunner(runtime.SelfArgv, ws, new Dictionary<string, string?> { [RuntimeContext.SocketVariable] = _fleet.Socket }),
            Layouts = layouts,
            Themes = themes,
            Background = work => ThreadPool.QueueUserWorkItem(_ => work()),
            OnUi = update => _app?.Invoke(update),
            Refresh = feed.RequestRefresh,
            Quit = () => _app?.RequestStop(),
        };
        var ui = new Thread(() => RunUi(layout, theme, host)) { Name = "orc-tui-main", IsBackground = true };
        ui.Start();
        if (!_uiReady.Wait(TimeSpan.FromSeconds(30)) || _uiError is not null)
            throw new BenchException($"the TUI did not start: {_uiError?.Message ?? "timeout"}");
        feed.Snapshot += (snapshot, screens) => { _snapshot = snapshot; _app?.Invoke(() => _window!.Apply(snapshot, screens)); };
        feed.Screens += screens =>
        {
            if (_marker is { } m && _markerPane is { } p && Volatile.Read(ref _markerCaptured) == 0 && screens.TryGetValue(p, out var text) && text.Contains(m,
                StringComparison.Ordinal))
                Volatile.Write(ref _markerCaptured, Stopwatch.GetTimestamp());
            _app?.Invoke(() => _window!.ApplyScreens(screens));
        };
        feed.Start();
        feed.RequestRefresh();

        // The stimulus: a tmux client of its own (one process, started now), to type into panes.
        using var stimulus = new TmuxServer(_fleet.Socket, runtime.Workspace.Paths.TmuxConfig, runtime.Workspace.Paths.LocksDir);
        if (!stimulus.Run("list-sessions").Ok) throw new BenchException("the stimulus tmux client cannot reach the server");

        try
        {
            Measure(feed, (TmuxServer)runtime.Tmux, stimulus, layout.Name);
        }
        finally
        {
            File.Delete(_flag);
            _app?.Invoke(() => _app.RequestStop());
            if (!ui.Join(TimeSpan.FromSeconds(10))) Console.WriteLine("the TUI's main loop did not stop within 10 s");
        }
    }

    /// <summary>The UI thread: the app is made, run and disposed here, as in TuiApp.</summary>
    private void RunUi(LayoutSpec layout, ThemeSpec theme, TuiHost host)
    {
        try
        {
            using var app = Orchestrator.Tui.Hosting.TerminalApp.Create(_maxFps > 0 ? _maxFps : null);
            app.Driver!.SetScreenSize(_width, _height);
            var window = new FleetWindow(layout, TuiPalette.From(theme, false), host) { ThemeName = theme.Name };
            app.Iteration += (_, _) => Volatile.Write(ref _iterationStart, Stopwatch.GetTimestamp());
            app.Keyboard.KeyDown += (_, _) =>
            {
                if (Volatile.Read(ref _keySent) != 0 && Volatile.Read(ref _keySeen) == 0) Volatile.Write(ref _keySeen, Stopwatch.GetTimestamp());
            };
            app.LayoutAndDrawComplete += (_, _) => OnDrawn(app);
            _window = window;
            _app = app;
            _uiReady.Set();
            app.Run(window);
            _app = null;
            window.Dispose();
        }
        catch (Exception ex)
        {
            _uiError = ex;
            Console.Error.WriteLine($"orc-bench: the TUI's thread failed: {ex}");
        }
        finally
        {
            _uiReady.Set();
        }
    }

    /// <summary>On the UI thread after every frame that drew something.</summary>
    private void OnDrawn(IApplication app)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _draws);
        if (Volatile.Read(ref _iterationStart) is var start and > 0) _drawMs.Enqueue(Ms(now - start));
        if (Volatile.Read(ref _keySeen) != 0 && Volatile.Read(ref _keyDrawn) == 0)
        {
            Volatile.Write(ref _keyDrawn, now);
            _keyDone.Set();
        }
        if (_marker is { } m && Volatile.Read(ref _markerDrawn) == 0 && (app.Driver?.ToString() ?? "").Contains(m, StringComparison.Ordinal))
        {
            Volatile.Write(ref _markerDrawn, now);
            _markerDone.Set();
        }
    }

    private void Measure(FleetFeed feed, TmuxServer tuiTmux, TmuxServer stimulus, string layoutName)
    {
        var frameMs = 1000.0 / Math.Max(1, (int)Application.MaximumIterationsPerSecond);
        var tiered = Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is not "0";
        Console.WriteLine($"JIT: tiered compilation {(tiered ? "on (JIT work goes on in the background for a while: see '.NET Tiered Com' below; orc itself is NativeAOT)" : "off (DOTNET_TieredCompilation=0: methods are compiled once, fully optimised, as NativeAOT would have them)")}");
        Console.WriteLine(F($"TUI: FleetFeed + FleetWindow, layout {layoutName}, {_width}x{_height}, ANSI driver (DisableRealDriverIO=1), app.Run on its own thread; Terminal.Gui {typeof(Application).Assembly.GetName().Version}, MaximumIterationsPerSecond {Application.MaximumIterationsPerSecond} (one frame = {frameMs:F0} ms)"));

        // Warm-up: every agent's tile has its screen, then a few seconds for the JIT and the caches.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_uiError is not null) throw new BenchException($"the TUI failed: {_uiError.Message}");
            if (_snapshot is { } s && s.Agents.Count(a => a.PaneId is not null) >= _quiet + _printing && feed.Snapshots >= 3) break;
            Thread.Sleep(100);
        }
        Thread.Sleep(TimeSpan.FromSeconds(_warmupSeconds));
        var screen = OnUi(() => _app!.Driver!.ToString() ?? "");
        var focused = OnUi(() => _window!.FocusedPane?.Kind ?? "(none)");
        var snap = _snapshot ?? throw new BenchException("no snapshot after 60 s");
        _snapshotNames = snap.Agents.Select(a => a.Name).ToList();
        var shown = snap.Agents.Count(a => screen.Contains($" {a.Name} · ", StringComparison.Ordinal));
        Console.WriteLine(F($"warm-up {warm.Elapsed.TotalSeconds:F1} s: {snap.Agents.Count} agents in the snapshot, {shown} tiles on screen, {feed.Snapshots} snapshots, {feed.Captures} pane captures, {Interlocked.Read(ref _draws)} frames drawn; focused pane at start: {focused} (layout says {_layoutFocus})"));
        var quietAgents = snap.Agents.Where(a => a.PaneId is not null && a.State == "idle" && screen.Contains($" {a.Name} · ",
            StringComparison.Ordinal)).ToList();
        if (quietAgents.Count == 0) throw new BenchException("no quiet agent's tile is on screen");

        // 1. Quiet fleet: CPU and tmux processes.
        Console.WriteLine();
        Console.WriteLine(F($"1. steady state, {_quiet + _printing} agents, all quiet, no input: {_seconds} s"));
        Window(feed, tuiTmux, "quiet");

        // 2. Key presses, quiet fleet.
        Console.WriteLine();
        Keys("2. key press → frame drawn, fleet quiet", frameMs);

        // 3. Output → tile, quiet fleet.
        Console.WriteLine();
        Markers("3. agent output → drawn in its tile, fleet otherwise quiet", stimulus, quietAgents);

        // 4. Printing fleet.
        File.WriteAllText(_flag, "");
        Thread.Sleep(3000);
        Console.WriteLine();
        Console.WriteLine(F($"4. steady state, {_printing} agents printing a line a second, {_quiet} quiet, no input: {_seconds} s"));
        Window(feed, tuiTmux, "printing");

        // 5. Output → tile while agents print.
        Console.WriteLine();
        Markers($"5. agent output → drawn in its tile, {_printing} agents printing", stimulus, quietAgents);

        // 6. Key presses while agents print.
        Console.WriteLine();
        Keys($"6. key press → frame drawn, {_printing} agents printing", frameMs);

        // 7. Cross-check of the process count from /proc.
        Console.WriteLine();
        Console.WriteLine(F($"7. cross-check: new tmux processes on this server from /proc, sampled every ~5 ms for {_seconds} s, agents printing"));
        var before = tuiTmux.ProcessesStarted;
        var sampler = new ProcSampler(_fleet.Socket);
        sampler.RunFor(TimeSpan.FromSeconds(_seconds), TimeSpan.FromMilliseconds(5), () => _fleet.Interrupted);
        var ours = sampler.OursSpawned.ToList();
        Console.WriteLine(F($"   {sampler.Samples:N0} samples; new tmux processes: {ours.Count}; the TUI's counter: +{tuiTmux.ProcessesStarted - before}   target 0: {(ours.Count == 0 ? "met" : "MISSED")}"));
        foreach (var p in ours.Take(5)) Console.WriteLine(F($"     at {p.AtMs:F0} ms pid {p.Pid} [{p.Comm}] parent {p.ParentPid}: {p.CommandLine}"));
        Console.WriteLine();
        Console.WriteLine(F($"totals: {feed.Snapshots} snapshots, {feed.Captures} pane captures, {Interlocked.Read(ref _draws)} frames drawn; tmux processes started by the TUI since it began: {tuiTmux.ProcessesStarted} (TmuxServer.ProcessesStarted: its control client, and the pane watcher's {feed.Watcher.ProcessesStarted}, one per session)"));
    }

    /// <summary>
    /// Step 8: the shipped binary, <c>orc tui</c>, in a real terminal: a W x H pane of a second
    /// private tmux server (so its own drawing is not output of the fleet's server). Its CPU from
    /// /proc/PID/stat with the fleet quiet and printing, and the programs it runs (strace).
    /// </summary>
    private void ShippedBinary()
    {
        var orc = _tuiOrc ?? _fleet.OrcBinary;
        Console.WriteLine();
        Console.WriteLine(F($"8. the shipped binary: '{orc} tui' ({(orc.IsDll ? "JIT" : "NativeAOT")}) in a {_width}x{_height} terminal (a pane of a second tmux server, tmux -L {TermSocket}), same workspace, {_seconds} s windows{(_tuiEnv.Length > 0 ? ", environment " + string.Join(' ', _tuiEnv) : "")}"));
        File.Delete(_flag);
        List<string> args = ["-L", TermSocket, "-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", _width.ToString(Inv), "-y", _height.ToString(Inv),
            "-e", $"ORC_WORKSPACE={_fleet.Workspace}", "-e", $"{RuntimeContext.SocketVariable}={_fleet.Socket}"];
        foreach (var e in _tuiEnv) args.AddRange(["-e", e]);
        args.Add("--");
        args.AddRange(orc.IsDll ? ["dotnet", orc.Path, "tui"] : [orc.Path, "tui"]);
        Tmux([.. args]);
        _termStarted = true;
        var panePid = int.Parse(Tmux("-L", TermSocket, "list-panes", "-t", "tui", "-F", "#{pane_pid}").Trim(), Inv);
        Thread.Sleep(TimeSpan.FromSeconds(Math.Max(5, _warmupSeconds / 2)));
        var screen = Tmux("-L", TermSocket, "capture-pane", "-p", "-t", "tui");
        var shown = _snapshotNames.Count(n => screen.Contains($" {n} · ", StringComparison.Ordinal));
        if (ProcSampler.Read($"/proc/{panePid}/stat") is null) throw new BenchException($"orc tui exited: {screen.Trim()}");
        Console.WriteLine($"   orc tui pid {panePid}: {shown} agent tiles on its screen");
        if (shown == 0) Console.WriteLine("   its screen:\n" + string.Join('\n', screen.Split('\n').Take(_height).Select(l => "   | " + l.TrimEnd())));
        foreach (var (label, printing) in new[] { ("quiet", false), ("printing", true) })
        {
            if (printing) { File.WriteAllText(_flag, ""); Thread.Sleep(3000); }
            var t0 = Threads(panePid);
            var c0 = StatTicks(ProcSampler.Read($"/proc/{panePid}/stat")).Ticks;
            var clock = Stopwatch.StartNew();
            Thread.Sleep(TimeSpan.FromSeconds(_seconds));
            var c1 = StatTicks(ProcSampler.Read($"/proc/{panePid}/stat")).Ticks;
            var wall = clock.Elapsed.TotalSeconds;
            var pct = 100.0 * (c1 - c0) / ClockTicks / wall;
            Console.WriteLine(F($"   {(printing ? $"{_printing} agents printing" : "fleet quiet")}: CPU of orc tui {pct:F1}% of one core ({(c1 - c0) * 1000.0 / ClockTicks:F0} ms in {wall:F1} s)   target: a few %: {(pct < 5 ? "met" : "MISSED")}"));
            Console.WriteLine("     by thread: " + ByThread(t0, Threads(panePid), wall));
        }
        ShippedKeys();
        if (Strace.Available())
        {
            var execs = Strace.Attach([panePid], TimeSpan.FromSeconds(_seconds), _fleet.Root);
            if (execs is null) Console.WriteLine("   strace: could not attach");
            else
            {
                var tmux = execs.Count(e => Path.GetFileName(e.Path) == "tmux");
                Console.WriteLine(F($"   strace -f on orc tui for {_seconds} s, agents printing: {execs.Count} programs executed, {tmux} of them tmux   target 0: {(tmux == 0 ? "met" : "MISSED")}"));
            }
        }
        else Console.WriteLine("   (strace is not on PATH: no count of programs executed)");
        File.Delete(_flag);
        StopTerminal();
    }

    /// <summary>
    /// Key press → frame, end to end on the shipped binary: keys go in through a tmux control client
    /// of the stand-in terminal (send-keys, as a terminal would write them to orc's tty) and the time
    /// is taken when orc's first output bytes after the key come out of the pane (pipe-pane into a FIFO
    /// this process reads). It includes tmux's own hops both ways.
    /// </summary>
    private void ShippedKeys()
    {
        var fifo = Path.Combine(_fleet.Root, "tui-output.fifo");
        File.Delete(fifo);
        var mk = ProcessTimer.RunOnce(new ProcessStartInfo("mkfifo") { ArgumentList = { fifo } }, captureStdout: false);
        if (mk.ExitCode != 0) { Console.WriteLine($"   key press → output: mkfifo failed ({mk.Stderr.Trim()})"); return; }
        long awaitingSince = 0, firstOutput = 0;
        var got = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            try
            {
                using var f = new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
                var buf = new byte[65536];
                while (f.Read(buf, 0, buf.Length) > 0)
                {
                    var now = Stopwatch.GetTimestamp();
                    var since = Volatile.Read(ref awaitingSince);
                    if (since != 0 && now >= since && Interlocked.CompareExchange(ref firstOutput, now, 0) == 0) got.Set();
                }
            }
            catch (IOException) { }
        }) { IsBackground = true, Name = "pane output" };
        reader.Start();
        Tmux("-L", TermSocket, "pipe-pane", "-O", "-t", "tui", $"cat > {fifo}");
        using var control = TmuxControl.TryOpen(TermSocket, "/dev/null");
        if (control is null) { Console.WriteLine("   key press → output: no control client on the terminal server"); return; }
        string[] keys = ["j", "k", "Tab", "BTab"];
        var ms = new List<double>();
        var missed = 0;
        Thread.Sleep(500);
        for (var i = 0; i < _keys && !_fleet.Interrupted; i++)
        {
            Thread.Sleep(_random.Next(50, 250));
            got.Reset();
            Interlocked.Exchange(ref firstOutput, 0);
            var sent = Stopwatch.GetTimestamp();
            Volatile.Write(ref awaitingSince, sent);
            var r = control.Run(["send-keys", "-t", "tui", keys[i % keys.Length]]);
            if (!r.Ok) throw new BenchException($"send-keys to orc tui: {r.Err.Trim()}");
            if (got.Wait(TimeSpan.FromSeconds(2))) ms.Add(Stopwatch.GetElapsedTime(sent, Volatile.Read(ref firstOutput)).TotalMilliseconds);
            else missed++;
            Volatile.Write(ref awaitingSince, 0);
        }
        try { Tmux("-L", TermSocket, "pipe-pane", "-t", "tui"); } catch (BenchException) { }
        reader.Join(TimeSpan.FromSeconds(2));
        File.Delete(fifo);
        if (ms.Count == 0) { Console.WriteLine($"   key press → output: no key drew anything ({missed} sent)"); return; }
        var t = Stats(ms);
        const double displayFrame = 1000.0 / 60;
        Console.WriteLine(F($"   key press → first output byte (j, k, Tab, Shift+Tab; send-keys through a control client → pipe-pane), fleet quiet: {ms.Count} keys, median {t.Median:F1} ms, p90 {t.P90:F1}, max {t.Max:F1}   target: within one frame (60 Hz: {displayFrame:F1} ms): {ms.Count(x => x <= displayFrame)}/{ms.Count} {(t.Max <= displayFrame ? "met" : t.P90 <= displayFrame ? "met at p90" : "MISSED")}{(missed > 0 ? $"   {missed} keys drew nothing" : "")}"));
    }

    private string TermSocket => _fleet.Socket + "-term";

    private void StopTerminal()
    {
        if (!_termStarted) return;
        _termStarted = false;
        try { Tmux("-L", TermSocket, "kill-server"); }
        catch (BenchException) { }
        var uid = (ProcSampler.Read("/proc/self/status") ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("Uid:",
            StringComparison.Ordinal))?[4..].Trim().Split('\t', ' ')[0] ?? "0";
        var dir = Environment.GetEnvironmentVariable("TMUX_TMPDIR") is { Length: > 0 } t ? t : "/tmp";
        try { File.Delete(Path.Combine(dir, $"tmux-{uid}", TermSocket)); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }

    private static string Tmux(params string[] args)
    {
        var psi = new ProcessStartInfo("tmux");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("TMUX");
        psi.Environment.Remove("TMUX_PANE");
        // This process set it for its own Terminal.Gui; orc tui in the terminal must draw for real.
        psi.Environment.Remove("DisableRealDriverIO");
        var run = ProcessTimer.RunOnce(psi, captureStdout: true);
        return run.ExitCode == 0
            ? System.Text.Encoding.UTF8.GetString(run.Stdout)
            : throw new BenchException($"tmux {string.Join(' ', args)}: exit {run.ExitCode}: {run.Stderr.Trim()}");
    }

    /// <summary>A measuring window: this process's CPU (whole, and by thread), tmux processes the TUI started, frames, snapshots, captures.</summary>
    private void Window(FleetFeed feed, TmuxServer tuiTmux, string label)
    {
        var procs0 = tuiTmux.ProcessesStarted;
        var (snapshots0, captures0, draws0, activity0) = (feed.Snapshots, feed.Captures, Interlocked.Read(ref _draws), feed.Watcher.ActivitySeen);
        _drawMs.Clear();
        var threads0 = Threads(Environment.ProcessId);
        var cpu0 = SelfCpuTicks();
        var machine0 = CpuTimes.Now();
        var clock = Stopwatch.StartNew();
        var gc0 = GC.CollectionCount(0);
        Thread.Sleep(TimeSpan.FromSeconds(_seconds));
        var cpu1 = SelfCpuTicks();
        var wall = clock.Elapsed.TotalSeconds;
        var machine = CpuTimes.Now().Since(machine0);
        var threads1 = Threads(Environment.ProcessId);
        var procs = tuiTmux.ProcessesStarted - procs0;
        var pct = 100.0 * (cpu1 - cpu0) / ClockTicks / wall;
        var jit = 100.0 * threads1.Where(t => t.Value.Name.StartsWith(".NET Tiered", StringComparison.Ordinal))
            .Sum(t => t.Value.Ticks - (threads0.TryGetValue(t.Key, out var b) ? b.Ticks : 0)) / ClockTicks / wall;
        var draws = Interlocked.Read(ref _draws) - draws0;
        var drawMs = _drawMs.ToList();
        Console.WriteLine(F($"   CPU of this process (the TUI): {pct:F1}% of one core ({(cpu1 - cpu0) * 1000.0 / ClockTicks:F0} ms of CPU in {wall:F1} s, /proc/self/stat); {pct - jit:F1}% without the JIT's tiered-compilation thread (NativeAOT has none)   target: a few %: {(pct - jit < 5 ? "met" : "MISSED")}   (machine meanwhile: {machine})"));
        Console.WriteLine("   by thread: " + ByThread(threads0, threads1, wall));
        Console.WriteLine(F($"   tmux processes started by the TUI (TmuxServer.ProcessesStarted, which counts the pane watcher's too): {procs} = {procs / wall:F1}/s   target 0/s: {(procs == 0 ? "met" : "MISSED")}"));
        var drawStats = drawMs.Count > 0 ? Stats(drawMs) : null;
        Console.WriteLine(F($"   {feed.Snapshots - snapshots0} snapshots, {feed.Captures - captures0} pane captures, {feed.Watcher.ActivitySeen - activity0:N0} pane activity reports, {draws} frames drawn ({draws / wall:F1}/s; iteration start → frame drawn median {drawStats?.Median ?? 0:F1} ms, p90 {drawStats?.P90 ?? 0:F1}, max {drawStats?.Max ?? 0:F1}); gen0 GCs {GC.CollectionCount(0) - gc0}   [{label}]"));
    }

    /// <summary>Keys j, k, Tab, Shift+Tab in turn, fed into the driver's input as a terminal would send them; each timed to the end of the frame that drew
    /// it.</summary>
    private void Keys(string title, double frameMs)
    {
        var inject = KeyInjector(out var how);
        Console.WriteLine($"{title}: {_keys} keys (j, k, Tab, Shift+Tab in turn) {how}, 50-250 ms apart");
        OnUi(() => { if (_layoutFocus is not null) _window!.Focus(_layoutFocus); return 0; });
        Thread.Sleep(200);
        string[] keys = ["j", "k", "\t", "\u001b[Z"];
        var total = new List<double>();
        var toSeen = new List<double>();
        var toDraw = new List<double>();
        var missed = 0;
        for (var i = 0; i < _keys && !_fleet.Interrupted; i++)
        {
            _keyDone.Reset();
            Volatile.Write(ref _keySeen, 0);
            Volatile.Write(ref _keyDrawn, 0);
            var sent = Stopwatch.GetTimestamp();
            Volatile.Write(ref _keySent, sent);
            inject(keys[i % keys.Length]);
            if (_keyDone.Wait(TimeSpan.FromSeconds(2)))
            {
                var seen = Volatile.Read(ref _keySeen);
                var drawn = Volatile.Read(ref _keyDrawn);
                total.Add(Ms(drawn - sent));
                toSeen.Add(Ms(seen - sent));
                toDraw.Add(Ms(drawn - seen));
            }
            else missed++;
            Volatile.Write(ref _keySent, 0);
            Thread.Sleep(_random.Next(50, 250));
        }
        if (total.Count == 0) { Console.WriteLine($"   no key was drawn ({missed} sent)"); return; }
        var t = Stats(total);
        Console.WriteLine(F($"   injected → frame drawn: median {t.Median:F1} ms, p90 {t.P90:F1}, max {t.Max:F1}   (one frame = {frameMs:F0} ms; within one frame: {total.Count(x => x <= frameMs)}/{total.Count}){(missed > 0 ? $"   {missed} keys drew nothing" : "")}"));
        Console.WriteLine(F($"   of which: injected → the app has the key (input thread, wait for the next iteration) median {Stats(toSeen).Median:F1} ms, max {Stats(toSeen).Max:F1}; key → its frame drawn (handling, layout, draw: the same iteration) median {Stats(toDraw).Median:F1} ms, p90 {Stats(toDraw).P90:F1}, max {Stats(toDraw).Max:F1}"));
    }

    /// <summary>Types a unique marker and Enter into a quiet agent's pane (send-keys through the bench's own tmux client) and times until a frame shows
    /// it.</summary>
    private void Markers(string title, TmuxServer stimulus, List<FleetAgent> agents)
    {
        Console.WriteLine($"{title}: {_markers} markers typed into {Math.Min(agents.Count, _markers)} quiet agents' panes (tmux send-keys MARKER Enter), 400-900 ms apart");
        var total = new List<double>();
        var toCapture = new List<double>();
        var toDraw = new List<double>();
        var missed = 0;
        for (var i = 0; i < _markers && !_fleet.Interrupted; i++)
        {
            var agent = agents[i % agents.Count];
            var marker = "mk" + i.ToString("D2", Inv) + new string(Enumerable.Range(0, 5).Select(_ => (char)('a' + _random.Next(26))).ToArray());
            _markerDone.Reset();
            Volatile.Write(ref _markerCaptured, 0);
            Volatile.Write(ref _markerDrawn, 0);
            _markerPane = agent.PaneId;
            _marker = marker;
            var sent = Stopwatch.GetTimestamp();
            var r = stimulus.Run("send-keys", "-t", agent.PaneId!, marker, "Enter");
            if (!r.Ok) throw new BenchException($"send-keys to {agent.Name}: {r.Err.Trim()}");
            if (_markerDone.Wait(TimeSpan.FromSeconds(5)))
            {
                var drawn = Volatile.Read(ref _markerDrawn);
                var captured = Volatile.Read(ref _markerCaptured);
                total.Add(Ms(drawn - sent));
                if (captured != 0 && captured <= drawn)
                {
                    toCapture.Add(Ms(captured - sent));
                    toDraw.Add(Ms(drawn - captured));
                }
            }
            else missed++;
            _marker = null;
            Thread.Sleep(_random.Next(400, 900));
        }
        if (total.Count == 0) { Console.WriteLine($"   no marker was drawn ({missed} typed)"); return; }
        var t = Stats(total);
        Console.WriteLine(F($"   typed → drawn in the tile: median {t.Median:F0} ms, p90 {t.P90:F0}, max {t.Max:F0}   target ~200 ms: {(t.P90 <= 200 ? "met" : "MISSED")}   ({total.Count} drawn{(missed > 0 ? $", {missed} not within 5 s" : "")})"));
        if (toCapture.Count > 0)
            Console.WriteLine(F($"   of which: typed → captured by the feed (tmux %output, watcher, capture) median {Stats(toCapture).Median:F0} ms, max {Stats(toCapture).Max:F0}; captured → drawn (Invoke, next iterations) median {Stats(toDraw).Median:F0} ms, max {Stats(toDraw).Max:F0}"));
    }

    /// <summary>
    /// Feeds characters into the driver's input queue, read by Terminal.Gui's input thread as if a
    /// terminal had sent them (<see cref="ITestableInput{T}"/> of the ANSI driver, found by
    /// reflection); else into the input processor's queue, read by the next iteration.
    /// </summary>
    private Action<string> KeyInjector(out string how)
    {
        var input = FindObject(_app!, o => o is ITestableInput<char>, 8) as ITestableInput<char>;
        if (input is not null)
        {
            how = $"fed to the driver's input ({input.GetType().Name}, read by Terminal.Gui's input thread{(Orchestrator.Tui.Hosting.WakingInput.ReadsTerminal ? "" : "; with no terminal it keeps the stock 20 ms poll, so this is slower than orc tui: see 8 for the shipped binary end to end")})";
            return s => { foreach (var c in s) input.InjectInput(c); };
        }
        how = "fed to the input processor's queue (InjectKeyDownEvent; the input thread's poll is not included)";
        var processor = _app!.Driver!.GetInputProcessor();
        return s => processor.InjectKeyDownEvent(s switch { "\t" => Key.Tab, "\u001b[Z" => Key.Tab.WithShift, _ => new Key(s[0]) });
    }

    /// <summary>Breadth-first through fields, the first object that matches.</summary>
    private static object? FindObject(object root, Func<object, bool> match, int depth)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var level = new List<object> { root };
        for (var d = 0; d <= depth && level.Count > 0; d++)
        {
            var next = new List<object>();
            foreach (var o in level)
            {
                if (!seen.Add(o)) continue;
                if (match(o)) return o;
                var type = o.GetType();
                if (type.IsPrimitive || o is string || type.IsArray || o is System.Collections.IEnumerable || o is Delegate) continue;
                for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
                    foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        if (f.FieldType.IsValueType) continue;
                        object? v;
                        try { v = f.GetValue(o); } catch (Exception ex) when (ex is FieldAccessException or NotSupportedException) { continue; }
                        if (v is not null) next.Add(v);
                    }
            }
            level = next;
        }
        return null;
    }

    private T OnUi<T>(Func<T> f)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _app!.Invoke(() =>
        {
            try { done.SetResult(f()); }
            catch (Exception ex) { done.SetException(ex); }
        });
        return done.Task.Wait(TimeSpan.FromSeconds(10)) ? done.Task.Result : throw new BenchException("the UI thread did not answer within 10 s");
    }

    private void WritePrinterProfile()
    {
        if (_flag.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.')))
            throw new BenchException($"--dir: {_fleet.Root} must be a plain path (letters, digits, / - _ .)");
        var dir = Path.Combine(_fleet.Workspace, ".orc", "profiles");
        Directory.CreateDirectory(dir);
        var script = $"i=0; while :; do if [ -e {_flag} ]; then i=$((i+1)); echo \"working: line $i of a busy agent\"; fi; sleep 1; done";
        File.WriteAllText(Path.Combine(dir, PrinterProfile + ".yaml"),
            $"""
            # orc-bench tui: an agent that prints a line a second while {_flag} exists.
            name: {PrinterProfile}
            command: sh
            args: ['-c', '{script.Replace("'", "''")}']
            prompt: none
            states:
              working: ['^working:']
            """ + "\n");
    }

    // ---- /proc ---------------------------------------------------------------------------

    /// <summary>USER_HZ: the unit of utime and stime in /proc (100 on Linux).</summary>
    private const double ClockTicks = 100;

    /// <summary>utime + stime of this process, all threads, in clock ticks.</summary>
    private static long SelfCpuTicks() => StatTicks(ProcSampler.Read("/proc/self/stat")).Ticks;

    /// <summary>Each thread's name and utime + stime.</summary>
    private static Dictionary<int, (string Name, long Ticks)> Threads(int pid)
    {
        var d = new Dictionary<int, (string, long)>();
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks)) return d;
        foreach (var dir in Directory.EnumerateDirectories(tasks))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var tid)) continue;
            var (name, ticks) = StatTicks(ProcSampler.Read(Path.Combine(dir, "stat")));
            if (name.Length > 0) d[tid] = (name, ticks);
        }
        return d;
    }

    /// <summary>CPU by thread name between two readings, as % of one core: the six busiest.</summary>
    private static string ByThread(Dictionary<int, (string Name, long Ticks)> before, Dictionary<int, (string Name, long Ticks)> after, double seconds) =>
        string.Join(", ", after.Select(t => (t.Value.Name, Ticks: t.Value.Ticks - (before.TryGetValue(t.Key, out var b) ? b.Ticks : 0)))
            .Where(t => t.Ticks > 0).GroupBy(t => t.Name).Select(g => (Name: g.Key, Ticks: g.Sum(x => x.Ticks), Count: g.Count()))
            .OrderByDescending(t => t.Ticks).Take(6)
            .Select(t => F($"{t.Name}{(t.Count > 1 ? $" ×{t.Count}" : "")} {100.0 * t.Ticks / ClockTicks / seconds:F1}%")));

    private static (string Name, long Ticks) StatTicks(string? stat)
    {
        if (stat is null) return ("", 0);
        var open = stat.IndexOf('(');
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        // After the comm: state (3), ppid (4) … utime (14), stime (15).
        return (stat[(open + 1)..close], long.Parse(fields[11], Inv) + long.Parse(fields[12], Inv));
    }

    private static bool IsReleaseBuild() =>
        typeof(TuiBench).Assembly.GetCustomAttribute<DebuggableAttribute>() is not { IsJITOptimizerDisabled: true };

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static TimingReport Stats(IEnumerable<double> ms) => new(ms.ToList(), 0, []);

    private static string F(FormattableString s) => s.ToString(Inv);
}
