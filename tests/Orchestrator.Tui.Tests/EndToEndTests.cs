using Orchestrator.Adapters.Tmux;
using Orchestrator.Integration.Tests.Support;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// The real orc (a child process) running its TUI in a real terminal: a private tmux server
/// standing in for the user's terminal, keys sent with send-keys, the screen read with
/// capture-pane. The workspace's own tmux server is another private one; both are killed after.
/// </summary>
public sealed class EndToEndTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _source;
    private readonly TestTerminal _term = new();

    public EndToEndTests()
    {
        _ws.Env["ORC_TMUX_SOCKET"] = _socket;
        _source = RigFixture.CreateSource(_ws);
        Assert.Equal(0, _ws.Orc("rig", "add", "app", _source, "--prefix", "app").ExitCode);
    }

    private string Screen() => _term.Screen();

    private void SeeOnScreen(string text, string what, int seconds = 30) =>
        RigFixture.Eventually(() => Screen().Contains(text, StringComparison.Ordinal), () => $"{what}: '{text}' never appeared; the screen:\n{Screen()}", seconds);

    [Fact]
    public void Open_filter_sling_watch_a_tile_attach_come_back_and_quit()
    {
        var idle = _ws.Create("Idle at its prompt", "--label", "sim:idle");
        _ws.Create("Something else entirely");
        var env = new Dictionary<string, string> { ["ORC_WORKSPACE"] = _ws.Root, ["ORC_TMUX_SOCKET"] = _socket, ["TERM"] = "xterm-256color", ["DOTNET_TieredPGO"] = "0" };
        _term.Start(_ws.Root, $"unset DisableRealDriverIO; dotnet '{OrcProcess.Dll}' tui; echo \"TUI-EXITED $?\"; sleep 60", env, 120, 36);

        // Open: the panes and both items.
        SeeOnScreen("Items (2/2)", "the TUI opening");
        Assert.Contains("Something else entirely", Screen());

        // Filter the items pane as typed, then keep the filter with Enter.
        _term.Keys(false, "2");
        _term.Keys(true, "/Idle");
        _term.Keys(false, "Enter");
        SeeOnScreen("Items (1/2) /Idle", "the filter");
        Assert.DoesNotContain("Something else entirely", Screen());

        // Sling the selected item from the TUI: s, Enter (the rig comes from the id).
        _term.Keys(true, "s");
        SeeOnScreen("sling " + idle, "the sling form");
        _term.Keys(false, "Enter");
        SeeOnScreen("slung " + idle, "the sling's answer");
        var agent = System.Text.Json.JsonDocument.Parse(_ws.Orc("agents", "--json").Out).RootElement[0].GetProperty("agent").GetString()!;
        SeeOnScreen($"{agent} · app · polecat · {idle}", "the agent's tile");
        SeeOnScreen("sim: idle at the prompt", "the agent's screen in its tile");

        // The tile follows the agent's output: type a line into the agent's own window.
        var server = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks")) { PreferControlMode = false };
        Assert.True(server.SendText("app", agent, "hello from the test"));
        SeeOnScreen("sim: got 'hello from the test'", "the tile updating");

        // Attach: Enter on the tile leaves the TUI for the agent's window; F12 comes back.
        _term.Keys(false, "4", "Enter");
        RigFixture.Eventually(() => !Screen().Contains("Items (") && Screen().Contains("sim: idle at the prompt"), () => "attaching to the agent; the screen:\n" + Screen());
        _term.Keys(false, "F12");
        SeeOnScreen("Items (", "coming back to the TUI");
        SeeOnScreen("back from " + agent, "the TUI saying where it came back from");

        // Quit.
        _term.Keys(true, "q");
        SeeOnScreen("TUI-EXITED 0", "quitting");
    }

    public void Dispose()
    {
        _term.Dispose();
        new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks")).KillServer();
        RigFixture.DeleteSource(_source);
        _ws.Dispose();
    }
}
