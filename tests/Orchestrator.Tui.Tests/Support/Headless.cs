using System.Runtime.CompilerServices;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Actions;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Views;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests.Support;

internal static class HeadlessSetup
{
    /// <summary>No test may touch the real terminal: Terminal.Gui's drivers write nowhere.</summary>
    [ModuleInitializer]
    internal static void NoRealTerminal() => Environment.SetEnvironmentVariable("DisableRealDriverIO", "1");
}

/// <summary>
/// The real FleetWindow on Terminal.Gui's ANSI driver with no terminal: keys are injected, the
/// screen is read back as text. The host runs actions at once on the test's thread.
/// </summary>
internal sealed class Headless : IDisposable
{
    private readonly IApplication _app;
    private readonly SessionToken? _token;

    public Headless(FleetSnapshot snapshot, int width = 80, int height = 24, string layout = "overview", FleetActions? actions = null,
        string? workspace = null, IReadOnlyDictionary<string, string>? screens = null, List<AttachTarget>? attached = null, Action? refresh = null,
        IReadOnlyList<string>? self = null, bool confirmQuit = true, string? demo = null, bool threads = false,
        IReadOnlyDictionary<string, string?>? selfEnvironment = null, Func<string, Services.Refinery.ReviewDetail>? reviews = null)
    {
        _app = Hosting.TerminalApp.Create(); // as orc tui makes it: the ANSI driver with WakingInput
        _app.Driver!.SetScreenSize(width, height);
        var folders = workspace is null ? [] : new[] { Path.Combine(workspace, "layouts") };
        Layouts = new LayoutCatalog(folders);
        var (spec, warning) = Layouts.Load(layout);
        LayoutWarning = warning;
        var themes = new ThemeCatalog(workspace is null ? [] : [Path.Combine(workspace, "themes")]);
        Host = new TuiHost
        {
            Actions = actions!,
            Self = new SelfRunner(self ?? ["true"], workspace ?? Path.GetTempPath(), selfEnvironment ?? new Dictionary<string, string?>()),
            Reviews = reviews ?? (item => throw new Core.OrcException($"{item}: no review in this test")),
            Layouts = Layouts,
            Themes = themes,
            Attach = t => attached?.Add(t),
            // At once, so a test sees the result; without Terminal.Gui's synchronization context,
            // which would deadlock the services' sync-over-async calls (the real program runs verbs on the thread pool).
            Background = threads ? work => ThreadPool.QueueUserWorkItem(_ => work()) : work =>
            {
                OffUi(work);
                Drain();
            },
            OnUi = update => _updates.Enqueue(update),
            Refresh = refresh ?? (() => { }),
            Quit = () => Quits++,
            ConfirmQuit = confirmQuit,
            Demo = demo,
            Verbs = [("agents", "Every agent"), ("convoy", "Convoys"), ("ready", "Ready items"), ("rig", "Rigs"), ("sling", "Hook work items")],
        };
        Window = new FleetWindow(spec, TuiPalette.From(ThemeSpec.Dark, false), Host);
        Window.Status.MinimumHold = TimeSpan.FromMinutes(5); // read when the test gets to it, however loaded the machine
        if (warning is not null) Window.Status.Say(workspace is null ? warning : warning.Replace(workspace + "/", ""), error: true, seconds: 600);
        _token = _app.Begin(Window);
        Window.Apply(snapshot, screens);
        Window.Focus(spec.FocusedPane);
        _app.LayoutAndDraw();
    }

    /// <summary>
    /// Runs <paramref name="work"/> without Terminal.Gui's synchronization context, which a live
    /// headless app installs on the test's thread: services' sync-over-async calls (tmux, git
    /// through CliWrap) would wait for a loop that never turns. Use it for fixture calls made
    /// while a Headless is open.
    /// </summary>
    public static void OffUi(Action work)
    {
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try { work(); }
        finally { SynchronizationContext.SetSynchronizationContext(context); }
    }

    /// <inheritdoc cref="OffUi(Action)"/>
    public static T OffUi<T>(Func<T> work)
    {
        var result = default(T)!;
        OffUi(() => { result = work(); });
        return result;
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<Action> _updates = new();

    private void Drain()
    {
        while (_updates.TryDequeue(out var update)) update();
    }

    public FleetWindow Window { get; }
    public TuiHost Host { get; }
    public LayoutCatalog Layouts { get; }
    public string? LayoutWarning { get; }

    /// <summary>How many times the window asked the program to quit (q, Q, :quit).</summary>
    public int Quits { get; private set; }

    /// <summary>True when the TUI asked to end: through its own quit, or Terminal.Gui's (a stop request on the window).</summary>
    public bool Ended => Quits > 0 || Window.StopRequested;

    private bool _inKey;

    /// <summary>Shows a new snapshot (drawn now, or after the key being handled when called from a verb).</summary>
    public void Apply(FleetSnapshot snapshot, IReadOnlyDictionary<string, string>? screens = null)
    {
        Window.Apply(snapshot, screens);
        if (!_inKey) _app.LayoutAndDraw();
    }

    public Headless Press(params Key[] keys)
    {
        _inKey = true;
        try { foreach (var k in keys) _app.Keyboard.RaiseKeyDownEvent(k); }
        finally { _inKey = false; }
        _app.LayoutAndDraw();
        return this;
    }

    /// <summary>Types text as keys (each character one key press).</summary>
    public Headless Type(string text)
    {
        _inKey = true;
        try { foreach (var ch in text) _app.Keyboard.RaiseKeyDownEvent(new Key(ch)); }
        finally { _inKey = false; }
        _app.LayoutAndDraw();
        return this;
    }

    /// <summary>
    /// With <c>threads</c>, work runs on the thread pool as in the real program: this runs the UI
    /// updates it sent (the main loop's part) and redraws until <paramref name="done"/> holds.
    /// </summary>
    public void WaitFor(Func<bool> done, string what, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            Drain();
            _app.LayoutAndDraw();
            if (done()) return;
            if (DateTime.UtcNow > until) Assert.Fail($"{what} did not happen within {seconds}s; the screen:\n{Screen()}");
            Thread.Sleep(20);
        }
    }

    /// <summary>The terminal changes size (as a window resized or a SIGWINCH).</summary>
    public void Resize(int width, int height)
    {
        _app.Driver!.SetScreenSize(width, height);
        _app.LayoutAndDraw(true);
    }

    public string Screen()
    {
        _app.LayoutAndDraw(true);
        return _app.Driver!.ToString()!;
    }

    public void Dispose()
    {
        if (_token is not null) _app.End(_token);
        Window.Dispose();
        _app.Dispose();
    }
}
