using Orchestrator.Core;
using Orchestrator.Services.Convoys;
using Orchestrator.Services.Fleet;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Mail;
using Orchestrator.Services.Runtime;
using Orchestrator.Tui.Actions;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Hosting;
using Orchestrator.Tui.Views;
using Terminal.Gui.App;

namespace Orchestrator.Tui;

/// <summary>How the TUI was asked to start.</summary>
public sealed record TuiOptions
{
    /// <summary>Layout and theme names from the command line (null: the workspace's config, then the defaults).</summary>
    public string? Layout { get; init; }
    public string? Theme { get; init; }
    /// <summary>Draw with the 16 ANSI colours only.</summary>
    public bool Sixteen { get; init; }
    /// <summary>The CLI's verbs for the command palette.</summary>
    public IReadOnlyList<(string Name, string Help)> Verbs { get; init; } = [];
}

/// <summary>
/// Runs the TUI in this terminal until the user quits. Leaving for an agent's window either
/// switches the tmux client (when orc runs inside the workspace's own tmux server: the TUI keeps
/// running, F12 comes back) or stops the TUI, attaches to the agent's window, and starts the TUI
/// again when the user detaches (F12).
/// </summary>
public static class TuiApp
{
    public static int Run(IServiceProvider services, TuiOptions options, Func<string, string?> environment)
    {
        T Get<T>() where T : notnull => (T)(services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered"));
        var runtime = Get<RuntimeContext>();
        var root = runtime.Workspace.Paths.Root;
        var layouts = new LayoutCatalog(TuiConfigFolders.Layouts(root, environment));
        var themes = new ThemeCatalog(TuiConfigFolders.Themes(root, environment));
        var config = runtime.Workspace.Config;
        var (layout, layoutWarning) = layouts.Load(options.Layout ?? config.TuiLayout);
        var (theme, themeWarning) = themes.Load(options.Theme ?? config.TuiTheme);
        var sixteen = ColorSupport.SixteenOnly(options.Sixteen, environment);
        int? fps = int.TryParse(environment("ORC_TUI_FPS"), out var f) && f > 0 ? f : null;

        using var feed = new FleetFeed(Get<FleetReader>(), runtime.Tmux);
        AttachTarget? pending = null;
        IApplication? current = null;
        // The main loop sleeps while nothing happens; whatever is handed to the UI thread wakes it.
        using var gate = new IdleGate();
        void OnUi(Action update) { if (current is { } app) { app.Invoke(update); gate.Wake(); } }
        var quit = false;
        var self = new SelfRunner(runtime.SelfArgv, root, new Dictionary<string,
            string?> { [RuntimeContext.SocketVariable] = environment(RuntimeContext.SocketVariable) });
        var insideOurTmux = Adapters.Tmux.TmuxAttach.Inside(runtime.Tmux, environment);
        FleetWindow? window = null;
        var host = new TuiHost
        {
            Actions = new FleetActions(Get<LedgerService>(), Get<SlingService>(), Get<AgentService>(), Get<MailService>(), Get<ConvoyService>()),
            Self = self,
            Reviews = Get<Services.Refinery.ReviewService>().Show,
            Layouts = layouts,
            Themes = themes,
            Sixteen = sixteen,
            Verbs = options.Verbs,
            Background = work => ThreadPool.QueueUserWorkItem(_ => work()),
            OnUi = OnUi,
            Refresh = feed.RequestRefresh,
            Quit = () => { quit = true; current?.RequestStop(); },
            ConfirmQuit = config.TuiConfirmQuit,
            Demo = environment(Services.Demo.DemoScenario.TuiVariable) is { Length: > 0 } demo ? demo : null,
            Attach = target =>
            {
                if (insideOurTmux)
                {
                    // The TUI stays where it is; the client that shows it goes to the agent (F12 comes back).
                    var r = Adapters.Tmux.TmuxAttach.Switch(runtime.Tmux, Adapters.Tmux.TmuxServer.Target(target.Session, target.Window),
                        environment("TMUX_PANE"));
                    if (r is not null) r = $"cannot switch to {target.Label}: {r}";
                    window?.Status.Say(r ?? $"switched to {target.Label}; F12 comes back", error: r is not null);
                    return;
                }
                pending = target;
                current?.RequestStop();
            },
        };
        window = new FleetWindow(layout, TuiPalette.From(theme, sixteen), host) { ThemeName = theme.Name };
        feed.Snapshot += (snapshot, screens) => OnUi(() => window.Apply(snapshot, screens));
        feed.Screens += screens => OnUi(() => window.ApplyScreens(screens));
        feed.Start();
        var warning = (layoutWarning ?? themeWarning)?.Replace(root + "/", "");
        while (true)
        {
            using (var app = TerminalApp.Create(fps, gate, config.TuiMouse))
            {
                if (sixteen && app.Driver is { } d) d.Force16Colors = true;
                current = app;
                if (warning is not null) { window.Status.Say(warning, error: true, seconds: 15); warning = null; }
                if (window.FocusedPane is null) app.Invoke(() => window.Focus(window.LayoutSpec.FocusedPane));
                feed.RequestRefresh();
                app.Run(window);
                current = null;
            }
            if (quit || pending is null) break;
            var target = pending;
            pending = null;
            // Attaches this terminal to the agent's window until the user detaches (F12), as a nested client when inside another tmux.
            try { Adapters.Tmux.TmuxAttach.Attach(runtime.Tmux, Adapters.Tmux.TmuxServer.Target(target.Session, target.Window)); }
            catch (OrcException) { }
            window.Status.Say($"back from {target.Label}");
        }
        window.Dispose();
        // The demo's TUI quit: the terminal attached to the demo's session goes back to 'orc demo',
        // which stops and removes the demo (the session itself stays, on its keeper window).
        if (host.Demo is not null && insideOurTmux) runtime.Tmux.DetachClients(Services.Demo.DemoScenario.TuiSession);
        return ExitCodes.Ok;
    }
}
