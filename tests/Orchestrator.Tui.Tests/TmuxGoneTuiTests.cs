using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli;
using Orchestrator.Services.Fleet;
using Orchestrator.Testing;
using Orchestrator.Tui.Tests.Support;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// The workspace's tmux server dying under the TUI (a crash, a kill -9) stops every agent: the TUI
/// says so in a banner on its top line, readable at 80x24, with the one command that brings the
/// fleet back, and the banner goes once the agents run again.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class TmuxGoneTuiTests : IDisposable
{
    private readonly FleetFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void A_dead_tmux_server_shows_a_banner_with_the_command_that_brings_the_fleet_back()
    {
        var agent = _f.Sling(_f.Item("keep me", "-l", "sim:hang"));
        _f.WaitForState(agent, "working");
        var env = _f.ProcessEnv();
        using var services = Composition.Build(new CliEnvironment(_f.Root, k => env.GetValueOrDefault(k), TextWriter.Null, TextWriter.Null,
            TextReader.Null) { SelfArgv = OrcProcess.Argv });
        FleetSnapshot Read() => Headless.OffUi(() => services.GetRequiredService<FleetReader>().Read());

        using var ui = new Headless(Read(), 80, 24, workspace: _f.Root);
        Assert.DoesNotContain("tmux server gone", ui.Screen());

        Headless.OffUi(() => _f.KillTmuxServerHard());
        ui.Apply(Read());
        var lines = ui.Screen().Split('\n');
        Assert.StartsWith(" tmux server gone: 1 agent stopped, work kept · run 'orc up'", lines[0]);
        Assert.DoesNotContain("tmux server gone", string.Join('\n', lines.Skip(1))); // one line, above the panes

        Headless.OffUi(() => { _f.Ok("up"); _f.WaitForState(agent, "working"); });
        ui.Apply(Read());
        Assert.DoesNotContain("tmux server gone", ui.Screen());
    }
}
