using Orchestrator.Testing;
using Orchestrator.Tui.Tests.Support;
using Orchestrator.Tui.Views;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>Esc goes back and never quits; q asks while agents (or the demo) run, Q does not.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class QuitTests
{
    public static TheoryData<string> AwayKeys => ["right", "left", "tab", "shift-tab", "down", "up"];

    private static Key Named(string name) => name switch
    {
        "right" => Key.CursorRight,
        "left" => Key.CursorLeft,
        "tab" => Key.Tab,
        "shift-tab" => Key.Tab.WithShift,
        "down" => Key.CursorDown,
        _ => Key.CursorUp,
    };

    [Theory]
    [MemberData(nameof(AwayKeys))]
    public void Esc_after_moving_away_in_the_help_box_closes_the_box_and_the_TUI_keeps_running(string away)
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        ui.Type("?");
        var help = Assert.IsType<TextOverlay>(ui.Window.CurrentOverlay);
        ui.Press(Named(away));
        Assert.True(help.HasFocus, $"after {away} the help box lost the focus to {ui.Window.FocusedPane?.Kind}");
        Assert.Null(ui.Window.FocusedPane);
        ui.Press(Key.Esc);
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.DoesNotContain("keys (Esc closes)", ui.Screen());
        Assert.False(ui.Ended, "Esc in a box ended the TUI");
        Assert.Equal("items", ui.Window.FocusedPane?.Kind); // back where it was
    }

    [Fact]
    public void Esc_closes_the_item_box_and_the_command_output_box_whatever_was_pressed_before()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40, self: ["echo"]);
        ui.Press(Key.Enter); // the overview has no details pane: the item opens in a box
        Assert.Contains("Decide the release date", ui.Screen());
        ui.Press(Key.CursorRight, Key.Tab, Key.Esc);
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.False(ui.Ended);

        ui.Type(":ready");
        ui.Press(Key.Enter);
        Assert.IsType<CommandOverlay>(ui.Window.CurrentOverlay);
        Assert.Contains("orc ready", ui.Screen());
        ui.Press(Key.CursorLeft, Key.Tab.WithShift, Key.Esc);
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.False(ui.Ended);
    }

    [Fact]
    public void Esc_with_nothing_open_goes_back_and_never_quits()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        ui.Press(Key.Esc, Key.Esc);
        ui.Press(Key.Tab, Key.Tab, Key.Esc);
        Assert.Equal("items", ui.Window.FocusedPane?.Kind); // Esc goes back to the layout's first pane
        ui.Type("/ready");
        ui.Press(Key.Enter, Key.Esc, Key.Esc, Key.Esc);
        Assert.Equal("", ui.Window.Pane<Panes.ItemsPane>()!.Filter);
        Assert.False(ui.Ended, "Esc with no box open ended the TUI");
        Assert.Contains("Items", ui.Screen());
    }

    [Fact]
    public void Q_with_agents_running_asks_n_keeps_the_TUI_and_y_quits()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        ui.Type("q");
        Assert.IsType<ConfirmOverlay>(ui.Window.CurrentOverlay);
        Assert.Contains("3 agents are running", ui.Screen()); // ace, bee and cat; dog is dead
        ui.Type("n");
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Equal(0, ui.Quits);
        ui.Type("q");
        ui.Press(Key.Esc);
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.False(ui.Ended);
        ui.Type("q");
        ui.Type("y");
        Assert.Equal(1, ui.Quits);
    }

    [Fact]
    public void Capital_Q_quits_without_asking()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        ui.Type("Q");
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Equal(1, ui.Quits);
    }

    [Fact]
    public void With_no_agent_running_and_no_demo_q_quits_at_once()
    {
        var sample = Fleet.Sample();
        using var ui = new Headless(sample with { Agents = [.. sample.Agents.Where(a => a.State == "dead")] }, 120, 40);
        ui.Type("q");
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Equal(1, ui.Quits);
    }

    [Fact]
    public void In_the_demo_q_asks_even_with_no_agent_running_and_says_the_demo_ends()
    {
        var sample = Fleet.Sample();
        using var ui = new Headless(sample with { Agents = [] }, 120, 40, demo: "remove");
        ui.Type("q");
        var question = Assert.IsType<ConfirmOverlay>(ui.Window.CurrentOverlay);
        Assert.Contains("This ends the demo", string.Join(' ', question.Lines));
        Assert.Contains("workspace is removed", string.Join(' ', question.Lines));
        ui.Type("n");
        Assert.Equal(0, ui.Quits);
        ui.Type(":quit");
        ui.Press(Key.Enter);
        Assert.IsType<ConfirmOverlay>(ui.Window.CurrentOverlay); // :quit asks as q does
        ui.Type("y");
        Assert.Equal(1, ui.Quits);
    }

    [Fact]
    public void With_confirm_quit_off_q_quits_at_once_even_with_agents_running()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40, confirmQuit: false);
        ui.Type("q");
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Equal(1, ui.Quits);
    }

    [Fact]
    public void A_long_question_is_wrapped_not_cut()
    {
        var lines = ConfirmOverlay.Wrap("Quit? This ends the demo: its agents and its tmux server are stopped and its workspace is removed.", 40);
        Assert.All(lines, l => Assert.True(l.Length <= 40, l));
        Assert.Equal("Quit? This ends the demo: its agents and its tmux server are stopped and its workspace is removed.", string.Join(' ', lines));
    }
}
