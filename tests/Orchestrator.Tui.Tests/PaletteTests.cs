using Orchestrator.Tui.Actions;
using Orchestrator.Tui.Tests.Config;
using Orchestrator.Tui.Tests.Support;
using Orchestrator.Tui.Views;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>The <c>:</c> command palette: what it asks before running, and the box its command's output goes to.</summary>
public sealed class PaletteTests : IDisposable
{
    private readonly TempFolder _tmp = new();

    /// <summary>A stand-in for orc that appends the arguments it was given to a file, one run a line.</summary>
    private IReadOnlyList<string> Recorder(out string log)
    {
        log = Path.Combine(_tmp.Root, "runs.txt");
        return ["sh", "-c", "echo \"$*\" >> \"$0\"; echo ran \"$*\"", log];
    }

    private static string Runs(string log) => File.Exists(log) ? File.ReadAllText(log) : "";

    [Fact]
    public void Down_asks_first_and_n_leaves_the_fleet_running()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40, self: Recorder(out var log));
        ui.Type(":down");
        ui.Press(Key.Enter);
        var question = Assert.IsType<ConfirmOverlay>(ui.Window.CurrentOverlay);
        Assert.Contains("Run 'orc down'? It stops this workspace's tmux server", string.Join(' ', question.Lines));
        ui.Type("n");
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Equal("", Runs(log)); // nothing ran
        Assert.Equal("items", ui.Window.FocusedPane?.Kind);

        ui.Type(":down");
        ui.Press(Key.Enter);
        ui.Type("y");
        Assert.Equal("down\n", Runs(log));
        Assert.Contains("ran down", ui.Screen());
    }

    [Theory]
    [InlineData("kill ace")]
    [InlineData("unsling shop-3 --remove-worktree")]
    [InlineData("rig remove docs")]
    [InlineData("cleanup")]
    [InlineData("mq reject docs-9 --reason 'not now'")]
    [InlineData("crew remove bob")]
    [InlineData("item close shop-4")]
    public void Verbs_that_stop_or_remove_things_ask_before_they_run(string line)
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40, self: Recorder(out var log));
        ui.Type(":" + line);
        ui.Press(Key.Enter);
        Assert.IsType<ConfirmOverlay>(ui.Window.CurrentOverlay);
        ui.Press(Key.Esc);
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Equal("", Runs(log));
        Assert.False(ui.Ended);
    }

    [Theory]
    [InlineData("ready")]
    [InlineData("rig list")]
    [InlineData("down --help")]
    [InlineData("mq list --all")]
    public void Other_verbs_run_at_once(string line)
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40, self: Recorder(out var log));
        ui.Type(":" + line);
        ui.Press(Key.Enter);
        Assert.IsNotType<ConfirmOverlay>(ui.Window.CurrentOverlay);
        Assert.Equal(string.Join(' ', CommandWords.Split(line)) + "\n", Runs(log));
    }

    [Fact]
    public void Unsling_says_when_it_would_also_remove_the_worktree_and_lose_changes()
    {
        Assert.Equal("stops the agent, puts its item back to ready and ends its hook", RiskyCommands.Does(["unsling", "ace"]));
        Assert.EndsWith("removes its worktree even with uncommitted changes (they are lost)", RiskyCommands.Does(["unsling", "ace", "--remove-worktree", "--force"]));
        Assert.NotNull(RiskyCommands.Does(["rig", "--json", "remove", "docs"]));
        Assert.Null(RiskyCommands.Does(["rig", "list"]));
        Assert.Null(RiskyCommands.Does(["kill", "-h"]));
    }

    public void Dispose() => _tmp.Dispose();
}
