using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// The real orc TUI in a real terminal (a private tmux server), left alone: once drawn it writes
/// nothing to the terminal while nothing changes (over SSH every byte is a packet), and it asks the
/// terminal for mouse reports only when tui.mouse is on.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class CalmTuiTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly TestTerminal _term = new();
    private readonly string _written = Path.Combine(Path.GetTempPath(), "orc-test-calm-" + Guid.NewGuid().ToString("N")[..8]);

    private void Open()
    {
        _ws.Create("Nothing happens to this item");
        var env = new Dictionary<string, string> { ["ORC_WORKSPACE"] = _ws.Root, ["ORC_TMUX_SOCKET"] = _socket, ["TERM"] = "xterm-256color" };
        _term.Start(_ws.Root, $"unset DisableRealDriverIO; {OrcProcess.ShellCommand} tui; sleep 60", env, 100, 30);
        // Everything the TUI writes to its terminal, from (about) its start.
        _term.Run("pipe-pane", "-t", "=term:", "-o", $"cat >> '{_written}'");
        RigFixture.Eventually(() => _term.Screen().Contains("Items (1/1)", StringComparison.Ordinal), () => "the TUI opening; the screen:\n" + _term.Screen());
    }

    private long Written() => File.Exists(_written) ? new FileInfo(_written).Length : 0;

    private string Flag(string name) => _term.Run("display-message", "-p", "-t", "=term:", $"#{{{name}}}").Trim();

    [Fact]
    public void Left_alone_it_writes_nothing_to_the_terminal_and_asks_for_no_mouse_reports()
    {
        Open();
        Thread.Sleep(3000); // the first frames, the first snapshots, the loop's awake second
        var before = Written();
        Assert.True(before > 0, "pipe-pane saw none of the TUI's output");
        Thread.Sleep(5000);
        var after = Written();
        Assert.True(after == before, $"the TUI wrote {after - before} bytes to the terminal in 5 s with nothing changing: {Tail(after - before)}");

        // Mouse tracking is off (no mouse mode at all): the terminal selects text itself and sends nothing on a move.
        Assert.Equal("0", Flag("mouse_any_flag"));
        Assert.Equal("0", Flag("mouse_button_flag"));
        Assert.Equal("0", Flag("mouse_standard_flag"));

        // A key still answers at once after the quiet (the loop sleeps, a key wakes it).
        _term.Keys(false, "?");
        RigFixture.Eventually(() => _term.Screen().Contains("keys (Esc closes)", StringComparison.Ordinal),
            () => "the help after a key; the screen:\n" + _term.Screen(), 10);
    }

    [Fact]
    public void With_tui_mouse_on_it_asks_for_clicks_but_not_for_every_move()
    {
        Assert.Equal(0, _ws.Orc("config", "set", "tui.mouse", "on").ExitCode);
        Open();
        // tmux's mouse_any_flag is any mouse mode; mouse_all_flag is any-motion tracking (1003).
        RigFixture.Eventually(() => Flag("mouse_button_flag") == "1",
            () => $"button-event mouse tracking: all={Flag("mouse_all_flag")} button={Flag("mouse_button_flag")}", 10);
        Assert.Equal("0", Flag("mouse_all_flag"));
    }

    private string Tail(long count)
    {
        var bytes = File.ReadAllBytes(_written);
        var text = System.Text.Encoding.UTF8.GetString(bytes, (int)Math.Max(0, bytes.Length - Math.Min(count, 300)), (int)Math.Min(count, 300));
        return Core.Text.TerminalText.Line(text.Replace("\u001b", "ESC"));
    }

    public void Dispose()
    {
        _term.Dispose();
        new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks")).KillServer();
        try { File.Delete(_written); } catch (IOException) { }
        _ws.Dispose();
    }
}
