using Orchestrator.Core.Text;
using Orchestrator.Testing;
using Orchestrator.Tui.Actions;
using Orchestrator.Tui.Tests.Config;
using Orchestrator.Tui.Tests.Support;
using Orchestrator.Tui.Views;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>The <c>:</c> command palette: what it asks before running, and the box its command's output goes to.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
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
        Assert.EndsWith("removes its worktree even with uncommitted changes (they are lost)", RiskyCommands.Does(["unsling", "ace", "--remove-worktree",
            "--force"]));
        Assert.NotNull(RiskyCommands.Does(["rig", "--json", "remove", "docs"]));
        Assert.Null(RiskyCommands.Does(["rig", "list"]));
        Assert.Null(RiskyCommands.Does(["kill", "-h"]));
    }

    [Theory]
    [InlineData("esc")]
    [InlineData("ctrl-c")]
    public void A_running_command_shows_its_output_as_it_comes_and_esc_or_ctrl_c_kills_it_and_what_it_started(string how)
    {
        // A stand-in for 'orc feed -f': prints a line, then waits on a child of its own that would run for 10 minutes.
        var pids = Path.Combine(_tmp.Root, "pids");
        var self = new[] { "sh", "-c", "echo $$ > \"$0.tmp\"; sleep 600 & echo $! >> \"$0.tmp\"; mv \"$0.tmp\" \"$0\"; echo following the feed; wait", pids };
        using var ui = new Headless(Fleet.Sample(), 120, 40, self: self, threads: true);
        ui.Type(":feed -f");
        ui.Press(Key.Enter);
        var box = Assert.IsType<CommandOverlay>(ui.Window.CurrentOverlay);
        ui.WaitFor(() => box.Lines.Contains("following the feed"), "the command's first line in its box");
        var screen = ui.Screen();
        Assert.Contains("following the feed", screen);
        Assert.Contains("Ctrl-C stops it", screen); // the box says how to stop it
        var ids = File.ReadAllLines(pids).Select(int.Parse).ToList();
        Assert.Equal(2, ids.Count);
        Assert.All(ids, id => Assert.True(Alive(id), $"process {id} is not running"));

        if (how == "esc")
        {
            ui.Press(Key.Esc);
            Assert.Null(ui.Window.CurrentOverlay); // Esc closes the box, and stops the command with it
        }
        else
        {
            ui.Press(Key.C.WithCtrl);
            ui.WaitFor(() => !box.Running, "the command ending");
            Assert.Same(box, ui.Window.CurrentOverlay); // Ctrl-C keeps the box to read
            Assert.Contains("(stopped)", ui.Screen());
        }
        ui.WaitFor(() => ids.All(id => !Alive(id)), "the command and its child ending");
        ui.WaitFor(() => ui.Window.Status.Message.Contains("stopped", StringComparison.Ordinal), "the status line saying it stopped");
        Assert.False(ui.Ended);
    }

    [Fact]
    public void Long_output_lines_scroll_sideways()
    {
        var wide = string.Concat(Enumerable.Range(0, 30).Select(i => $"col{i:00}-----"));
        using var ui = new Headless(Fleet.Sample(), 100, 30, self: ["echo", wide]);
        ui.Type(":ready");
        ui.Press(Key.Enter);
        var box = Assert.IsType<CommandOverlay>(ui.Window.CurrentOverlay);
        Assert.Contains("col00", ui.Screen());
        Assert.DoesNotContain("col20", ui.Screen());
        ui.Press(Key.CursorRight, Key.CursorRight, Key.CursorRight);
        Assert.Equal(3 * TextOverlay.SideStep, box.Left);
        ui.Type(new string('l', 40)); // to the far end: it stops there
        Assert.Contains("col29", ui.Screen());
        Assert.DoesNotContain("col00", ui.Screen());
        ui.Type("g");
        Assert.Equal(0, box.Left);
        Assert.Contains("col00", ui.Screen());
    }

    [Fact]
    public void Verb_hints_show_on_the_line_above_the_prompt_and_go_when_it_closes()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        string[] Rows() => ui.Screen().Split('\n');
        ui.Type(":");
        Assert.StartsWith("command: agents convoy ready rig sling", Rows()[38]);
        Assert.StartsWith(":", Rows()[39]);
        ui.Type("re");
        Assert.StartsWith("ready: Ready items", Rows()[38]);
        Assert.StartsWith(":re", Rows()[39]);
        ui.Press(Key.Esc);
        Assert.DoesNotContain("Ready items", ui.Screen());
        Assert.Equal("", ui.Window.Prompt.Hint);
        Assert.Equal("", ui.Window.Status.Message); // nothing left over on the status line either
        Assert.Contains("─", Rows()[38]); // the pane's border is back

        ui.Type("/");
        Assert.StartsWith("filter: ", Rows()[38]);
        ui.Type("ready");
        ui.Press(Key.Enter);
        Assert.DoesNotContain("filter: ", ui.Screen());
        Assert.Equal("", ui.Window.Status.Message);
    }

    /// <summary>Running: /proc has it and it is not a zombie waiting to be reaped.</summary>
    private static bool Alive(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][0] != 'Z'; }
        catch (IOException) { return false; }
    }

    public void Dispose() => _tmp.Dispose();
}
