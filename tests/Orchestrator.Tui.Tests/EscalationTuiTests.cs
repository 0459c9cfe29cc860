using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli;
using Orchestrator.Services.Fleet;
using Orchestrator.Testing;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// An agent that ends with <c>orc done --status escalated</c> (a real sim agent on a private tmux
/// server) is shown by the TUI at 80x24 as waiting for a person, counted in "need you", with its
/// note under the item, even after its window is gone.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class EscalationTuiTests : IDisposable
{
    private readonly FleetFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void An_escalated_agent_shows_as_waiting_and_counts_as_needing_you()
    {
        var id = _f.Item("which licence?", "-l", "sim:hang");
        var agent = _f.Sling(id);
        _f.Ok("done", "--agent", agent, "--status", "escalated", "--note", "the licence of the new dependency is unclear");
        _f.Tmux.KillWindow("app", agent); // its program ended after asking: the state must not become dead or stopped

        var env = _f.ProcessEnv();
        using var services = Composition.Build(new CliEnvironment(_f.Root, k => env.GetValueOrDefault(k), TextWriter.Null, TextWriter.Null,
            TextReader.Null) { SelfArgv = OrcProcess.Argv });
        FleetSnapshot Read() => services.GetRequiredService<FleetReader>().Read();
        Assert.Equal("waiting", Read().Agents.Single(a => a.Name == agent).State);

        Headless? ui = null;
        ui = new Headless(Read(), 80, 24, workspace: _f.Root, refresh: () => ui!.Apply(Read()));
        using (ui)
        {
            var screen = ui.Screen();
            Assert.True(screen.Contains("1 need you", StringComparison.Ordinal), screen); // the status line keeps the count at 80 columns
            var row = ui.Window.Pane<RigsPane>()!.Rows.Single(r => r.Key == "agent:" + agent);
            Assert.Contains("waiting", row.Text);
            Assert.Contains($"? {agent}", screen);
            // Its tile, with no window left: narrow at 80x24, read whole with the Agents pane zoomed.
            ui.Type("5");
            ui.Type("z");
            screen = ui.Screen();
            Assert.True(screen.Contains("(asked for a person)", StringComparison.Ordinal) && screen.Contains("the licence of the new",
                StringComparison.Ordinal), screen);
            Assert.Contains($"{agent} · {id} · waiting · app · polecat", screen);
        }
        // The items layout: the item is blocked, and its details say who asked for what.
        using (var items = new Headless(Read(), 80, 24, layout: "items-focus", workspace: _f.Root))
        {
            items.Window.Focus("items");
            items.Window.Pane<ItemsPane>()!.Select(id);
            // Wrapped to the pane's width: read as one text again.
            Assert.Contains($"{agent} needs a person: the licence of the new dependency is unclear", string.Join(" ",
                items.Window.Pane<DetailsPane>()!.Rows.Select(r => r.Text.Trim())));
        }
    }
}
