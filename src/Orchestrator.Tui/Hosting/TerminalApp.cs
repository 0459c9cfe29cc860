using System.Runtime.CompilerServices;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Terminal.Gui.Input;
using Terminal.Gui.Time;
using Terminal.Gui.ViewBase;

namespace Orchestrator.Tui.Hosting;

/// <summary>
/// Makes the Terminal.Gui application the TUI runs in: the ANSI driver with <see cref="WakingInput"/>,
/// and the main loop's pace.
/// </summary>
/// <remarks>
/// Terminal.Gui 2.5 has no public way to give <see cref="Application.Create"/> a component factory
/// (its tests use an internal constructor), so the same constructor is reached with an
/// <see cref="UnsafeAccessorAttribute"/>: checked at build time against the pinned package, and
/// safe under NativeAOT, unlike reflection. If a later Terminal.Gui drops it, the TUI falls back to
/// <see cref="Application.Create"/> and the stock input (keys then wait up to 20 ms more).
/// </remarks>
internal static class TerminalApp
{
    private const string ImplType = "Terminal.Gui.App.ApplicationImpl, Terminal.Gui";

    /// <summary>
    /// Main-loop iterations per second. A key waits at most one iteration before it is handled and
    /// drawn in the next; 100 keeps that under a 60 Hz display frame (16.7 ms) while an idle
    /// iteration (nothing to lay out or draw) costs a few microseconds.
    /// </summary>
    public const ushort IterationsPerSecond = 100;

    /// <summary>False while the TUI's own input is in use; true if this Terminal.Gui had no way to give it one.</summary>
    public static bool UsedStockInput { get; private set; }

    /// <summary>
    /// The application, initialised; <paramref name="iterationsPerSecond"/> overrides the pace
    /// (ORC_TUI_FPS). With <paramref name="gate"/> the loop sleeps while nothing happens (keys wake
    /// it); with <paramref name="mouse"/> off the terminal is told to send no mouse reports, so it
    /// selects text itself and moving the mouse costs nothing.
    /// </summary>
    public static IApplication Create(int? iterationsPerSecond = null, IdleGate? gate = null, bool mouse = false)
    {
        Configure();
        Application.MaximumIterationsPerSecond = (ushort)Math.Clamp(iterationsPerSecond ?? IterationsPerSecond, 1, 1000);
        IApplication app;
        try
        {
            MarkInstanceBasedModelUsed(null);
            app = (IApplication)NewApplication(new AnsiComponentFactory(new WakingInput(gate), WakingInput.ReadsTerminal ? new CalmOutput() : null),
                new SystemTimeProvider());
            UsedStockInput = false;
        }
        catch (Exception e) when (e is MissingMethodException or MissingMemberException or TypeLoadException)
        {
            app = Application.Create();
            UsedStockInput = true;
        }
        app.Init();
        // Terminal.Gui quits the whole application on an Esc nothing else took; in this TUI Esc
        // only ever goes back (FleetWindow takes it), and q quits.
        app.Keyboard.KeyBindings.Remove(Key.Esc);
        if (gate is not null && !UsedStockInput && WakingInput.ReadsTerminal)
            app.Iteration += (_, _) => gate.BeforeIteration(() => app.TopRunnableView is { } top && NeedsWork(top));
        // Terminal.Gui turns on any-motion mouse tracking as it starts: every move of the mouse is a
        // report to parse, and the terminal no longer selects text. Off unless tui.mouse is on; on,
        // only presses, releases and drags are reported (1002 instead of 1003).
        if (WakingInput.ReadsTerminal && app.Driver is { } driver)
            driver.WriteRaw(mouse ? "\u001b[?1003l\u001b[?1002h" : "\u001b[?1003l\u001b[?1002l\u001b[?1000l\u001b[?1015l\u001b[?1006l");
        return app;
    }

    /// <summary>
    /// Applies Terminal.Gui's configuration (its defaults, the user's files, TUI_CONFIG) once, when
    /// the published binary asks for it (<c>Orchestrator.Tui.ConfigureOnStart</c>): there, Terminal.Gui's
    /// module initializer, which does the same for every process before Main, is compiled out so that
    /// the verbs do not pay for it (Orchestrator.Cli/NativeAot.substitutions.xml). Elsewhere the
    /// module initializer has already done it, and nothing is applied twice.
    /// </summary>
    private static void Configure()
    {
        if (!AppContext.TryGetSwitch("Orchestrator.Tui.ConfigureOnStart", out var on) || !on || Interlocked.Exchange(ref _configured, 1) == 1) return;
        try
        {
            Terminal.Gui.Configuration.TuiConfigurationBuilder.Shared.ApplyToStaticFacades();
        }
        catch (Exception)
        {
            // As Terminal.Gui's own initializer does: a configuration that cannot be applied leaves the defaults.
        }
    }

    private static int _configured;

    /// <summary>Whether <paramref name="view"/> or any view inside it waits to be laid out or drawn.</summary>
    private static bool NeedsWork(View view)
    {
        if (view.NeedsDraw || view.NeedsLayout) return true;
        foreach (var sub in view.SubViews)
            if (sub.Visible && NeedsWork(sub)) return true;
        return false;
    }

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    [return: UnsafeAccessorType(ImplType)]
    private static extern object NewApplication(IComponentFactory componentFactory, ITimeProvider timeProvider);

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "MarkInstanceBasedModelUsed")]
    private static extern void MarkInstanceBasedModelUsed([UnsafeAccessorType(ImplType)] object? type);
}
