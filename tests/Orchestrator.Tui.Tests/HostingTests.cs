using System.Collections.Concurrent;
using Orchestrator.Testing;
using Orchestrator.Tui.Hosting;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Xunit;

namespace Orchestrator.Tui.Tests;

/// <summary>How the TUI's Terminal.Gui application is made: its own input on the ANSI driver, and its pace.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class HostingTests
{
    [Fact]
    public void The_app_is_made_with_the_waking_input_not_the_stock_one()
    {
        using var app = TerminalApp.Create();
        Assert.False(TerminalApp.UsedStockInput, "Terminal.Gui's internal constructor was not reached: keys would wait for the stock 20 ms poll");
        Assert.NotNull(app.Driver);
        Assert.Equal("ansi", app.Driver!.GetName());
        Assert.Equal(TerminalApp.IterationsPerSecond, Application.MaximumIterationsPerSecond);
    }

    [Fact]
    public async Task The_input_thread_reached_through_the_interface_delivers_keys_and_stops_when_asked()
    {
        // Terminal.Gui calls Run through IInput<char>; WakingInput implements it again so the call lands there.
        using var input = new WakingInput();
        IInput<char> asTerminalGuiSeesIt = input;
        var queue = new ConcurrentQueue<char>();
        asTerminalGuiSeesIt.Initialize(queue);
        using var stop = new CancellationTokenSource();
        var thread = Task.Run(() => asTerminalGuiSeesIt.Run(stop.Token), TestContext.Current.CancellationToken);
        input.InjectInput('j');
        input.InjectInput('\u001b');
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (queue.Count < 2 && DateTime.UtcNow < deadline) Thread.Sleep(5);
        Assert.Equal(['j', '\u001b'], queue.ToArray());
        stop.Cancel();
        await thread.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken); // throws if it did not stop
    }

    [Fact]
    public void Headless_tests_never_poll_the_real_terminal() =>
        Assert.False(WakingInput.ReadsTerminal, "DisableRealDriverIO is set for every test: the input must not read this process's stdin");
}
