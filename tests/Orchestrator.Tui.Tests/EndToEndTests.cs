using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// The real orc (a child process) running its TUI in a real terminal: a private tmux server
/// standing in for the user's terminal, keys sent with send-keys, the screen read with
/// capture-pane. The workspace's own tmux server is another private one; both are killed after.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
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
        RigFixture.Eventually(() => Screen().Contains(text, StringComparison.Ordinal), () => $"{what}: '{text}' never appeared; the screen:\n{Screen()}",
            seconds);

    [Fact]
    public void Open_filter_sling_watch_a_tile_attach_come_back_esc_and_quit()
    {
        var idle = _ws.Create("Idle at its prompt", "--label", "sim:idle");
        _ws.Create("Something else entirely");
        var env = new Dictionary<string, string> { ["ORC_WORKSPACE"] = _ws.Root, ["ORC_TMUX_SOCKET"] = _socket, ["TERM"] = "xterm-256color",
            ["DOTNET_TieredPGO"] = "0" };
        _term.Start(_ws.Root, $"unset DisableRealDriverIO; {OrcProcess.ShellCommand} tui; echo \"TUI-EXITED $?\"; sleep 60", env, 120, 36);

        // Open: the panes and both items.
        SeeOnScreen("Items (2/2)", "the TUI opening");
        Assert.Contains("Something else entirely", Screen());

        // Filter the items pane as typed, then keep the filter with Enter.
        _term.Keys(false, "2");
        _term.Keys(true, "/Idle");
        _term.Keys(false, "Enter");
        SeeOnScreen("Items (1/2) /Idle", "the filter");
        // The title is drawn before the rows: a capture can land between the two.
        RigFixture.Eventually(() => !Screen().Contains("Something else entirely", StringComparison.Ordinal),
            () => "the filtered-out item leaving the list; the screen:\n" + Screen());

        // Sling the selected item from the TUI: s, Enter (the rig comes from the id).
        _term.Keys(true, "s");
        SeeOnScreen("sling " + idle, "the sling form");
        _term.Keys(false, "Enter");
        SeeOnScreen("slung " + idle, "the sling's answer");
        var agent = System.Text.Json.JsonDocument.Parse(_ws.Orc("agents", "--json").Out).RootElement[0].GetProperty("agent").GetString()!;
        SeeOnScreen($"{agent} · {idle} · ", "the agent's tile");
        SeeOnScreen("sim: idle at the prompt", "the agent's screen in its tile");

        // The tile follows the agent's output: type a line into the agent's own window.
        var server = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc",
            "locks")) { PreferControlMode = false };
        Assert.True(server.SendText("app", agent, "hello from the test"));
        SeeOnScreen("sim: got 'hello from the test'", "the tile updating");

        // Attach: Enter on the tile leaves the TUI for the agent's window; F12 comes back.
        _term.Keys(false, "5", "Enter");
        RigFixture.Eventually(() => !Screen().Contains("Items (") && Screen().Contains("sim: idle at the prompt"),
            () => "attaching to the agent; the screen:\n" + Screen());
        Assert.Contains("F12: back to orc", Screen()); // the way back, on the agent window's status line
        _term.Keys(false, "F12");
        SeeOnScreen("Items (", "coming back to the TUI");
        SeeOnScreen("back from " + agent, "the TUI saying where it came back from");

        // Esc closes the help even after an arrow key, and with nothing open it does not quit.
        _term.Keys(true, "?");
        SeeOnScreen("Tab / Shift-Tab", "the help");
        _term.Keys(false, "Right");
        _term.Keys(false, "Escape");
        RigFixture.Eventually(() => !Screen().Contains("Tab / Shift-Tab", StringComparison.Ordinal), () => "Esc closing the help:\n" + Screen());
        _term.Keys(false, "Escape");
        Thread.Sleep(1000); // a quit would show by now; and Escape then q sent together would read as Alt-q
        Assert.DoesNotContain("TUI-EXITED", Screen());
        Assert.Contains("Items (", Screen());

        // Quit: with an agent running, q asks first; y quits.
        _term.Keys(true, "q");
        SeeOnScreen("Quit the TUI? 1 agent is running", "the question before quitting");
        Assert.DoesNotContain("TUI-EXITED", Screen());
        _term.Keys(true, "y");
        SeeOnScreen("TUI-EXITED 0", "quitting");
    }

    [Fact]
    public void Two_people_in_one_tmux_session_both_drive_the_same_TUI()
    {
        _ws.Create("Idle at its prompt", "--label", "sim:idle");
        _ws.Create("Something else entirely");
        var env = new Dictionary<string, string> { ["ORC_WORKSPACE"] = _ws.Root, ["ORC_TMUX_SOCKET"] = _socket, ["TERM"] = "xterm-256color",
            ["DOTNET_TieredPGO"] = "0" };
        _term.Start(_ws.Root, $"unset DisableRealDriverIO; {OrcProcess.ShellCommand} tui; echo \"TUI-EXITED $?\"; sleep 60", env, 120, 36);
        SeeOnScreen("Items (2/2)", "the TUI opening for the first person");

        // A second person attaches their own (smaller) terminal to the same session.
        using var second = new TestTerminal();
        second.Start(_ws.Root, $"unset TMUX; tmux -L {_term.Socket} -f /dev/null attach-session -t =term", new Dictionary<string,
            string> { ["TERM"] = "xterm-256color" }, 100, 30);
        string SecondScreen() => second.Screen();
        RigFixture.Eventually(() => SecondScreen().Contains("Items (", StringComparison.Ordinal),
            () => "the second person seeing the TUI; their screen:\n" + SecondScreen());

        // The second person filters; the TUI (resized to their terminal) shows it to both.
        second.Keys(false, "2");
        second.Keys(true, "/Idle");
        second.Keys(false, "Enter");
        RigFixture.Eventually(() => SecondScreen().Contains("Items (1/2) /Idle", StringComparison.Ordinal),
            () => "the second person's filter on their screen:\n" + SecondScreen());
        SeeOnScreen("Items (1/2) /Idle", "the second person's filter on the first person's screen");
        RigFixture.Eventually(() => !SecondScreen().Contains("Something else entirely", StringComparison.Ordinal),
            () => "the filtered-out item leaving the second screen:\n" + SecondScreen());

        // The first person opens the help; the second sees it too, then the first quits for both.
        _term.Keys(true, "?");
        RigFixture.Eventually(() => SecondScreen().Contains("Tab / Shift-Tab", StringComparison.Ordinal),
            () => "the first person's help on the second person's screen:\n" + SecondScreen());
        _term.Keys(false, "Escape");
        // Escape and q sent together would read as Alt-q: wait for the help to close first.
        RigFixture.Eventually(() => !Screen().Contains("Tab / Shift-Tab", StringComparison.Ordinal), () => "closing the help:\n" + Screen());
        _term.Keys(true, "q");
        SeeOnScreen("TUI-EXITED 0", "quitting");
        RigFixture.Eventually(() => SecondScreen().Contains("TUI-EXITED 0", StringComparison.Ordinal),
            () => "the second person seeing the TUI end:\n" + SecondScreen());
    }

    public void Dispose()
    {
        _term.Dispose();
        new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks")).KillServer();
        RigFixture.DeleteSource(_source);
        _ws.Dispose();
    }
}
