using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli;
using Orchestrator.Core.Merging;
using Orchestrator.Services.Fleet;
using Orchestrator.Services.Refinery;
using Orchestrator.Testing;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;
using Orchestrator.Tui.Views;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// Reviewing from the TUI on a real workspace: a rig with <c>land: review</c>, work submitted with
/// the real 'orc done' and held by the real refinery; the view reads the diff from git, and
/// approving and rejecting run a child orc ('orc review approve|reject'), as the CLI would.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class ReviewTuiTests : IDisposable
{
    private readonly FleetFixture _fleet = new(readme: "line one\nline two\nline three\n");
    private readonly ServiceProvider _services;
    private int _agents;

    public ReviewTuiTests()
    {
        _fleet.Ok("rig", "set", "app", "land", "review");
        var vars = new Dictionary<string, string> { ["USER"] = "tester", ["HOME"] = _fleet.Root,
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin", ["ORC_TMUX_SOCKET"] = _fleet.Socket };
        _services = Composition.Build(new CliEnvironment(_fleet.Root, k => vars.GetValueOrDefault(k), TextWriter.Null, TextWriter.Null,
            TextReader.Null) { SelfArgv = OrcProcess.Argv });
    }

    public void Dispose()
    {
        _services.Dispose();
        _fleet.Dispose();
    }

    private FleetSnapshot Read() => _services.GetRequiredService<FleetReader>().Read();

    /// <summary>Work submitted and gated green: it waits for review.</summary>
    private string Waiting(string title, Dictionary<string, string> files, params string[] createArgs)
    {
        var id = RigFixture.Submit(_fleet.Ws, "app", "w" + ++_agents, title, files, "master", createArgs);
        Assert.Contains($"{id}: review", _fleet.Ok("refinery", "run", "app", "--once").Out);
        return id;
    }

    private Headless Open(int width = 120, int height = 40)
    {
        Headless? ui = null;
        ui = new Headless(Read(), width, height, workspace: _fleet.Root, refresh: () => ui!.Apply(Headless.OffUi(Read)),
            self: OrcProcess.Argv, selfEnvironment: _fleet.ProcessEnv().ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
            reviews: _services.GetRequiredService<ReviewService>().Show);
        return ui;
    }

    private string StateOf(string id) => Headless.OffUi(Read).Queue.Single(q => q.Item == id).State;

    private static void OpenView(Headless ui, string id)
    {
        Assert.True(ui.Window.Focus(PaneKinds.Review));
        ui.Window.Pane<ReviewPane>()!.Select(id);
        ui.Press(Key.Enter);
        Assert.Equal(id, Assert.IsType<ReviewView>(ui.Window.CurrentOverlay).Item);
    }

    [Fact]
    public void The_pane_lists_a_waiting_submission_in_the_services_order_and_enter_shows_its_diff()
    {
        var a = Waiting("Add a", new() { ["a.txt"] = "alpha\n", ["b.txt"] = "beta\n" }, "-d", "the a file", "--acceptance", "a.txt says alpha");
        var b = Waiting("Add c", new() { ["c.txt"] = "gamma\n" });
        _fleet.Ok("item", "dep", "add", _fleet.Ok("item", "create", "Needs c", "--quiet").Out.Trim(), b);
        using var ui = Open();
        var listed = _services.GetRequiredService<ReviewService>().List().Select(e => e.Submission.Item).ToList();
        Assert.Equal([b, a], listed); // c unblocks an open item
        Assert.Equal(listed, ui.Window.Pane<ReviewPane>()!.Rows.Select(r => r.Key));
        Assert.Contains("2 to review", ui.Screen());

        OpenView(ui, a);
        var view = (ReviewView)ui.Window.CurrentOverlay!;
        var screen = ui.Screen();
        Assert.Contains($"{a}  Add a", screen);
        Assert.Contains("rig app · agent w1 · gate no gate", screen);
        Assert.Contains("2 files +2 -0", screen);
        Assert.Contains("the a file", screen);
        Assert.Contains("a.txt says alpha", screen);
        Assert.Contains("━━ a.txt  added, +1 -0 ━━", screen);
        Assert.Contains("+alpha", screen);
        ui.Type("]]");
        Assert.Equal(1, view.CurrentFile);
        Assert.StartsWith("━━ b.txt", view.Lines[view.Top].Text);
        Assert.Contains("+beta", ui.Screen());
    }

    [Fact]
    public void A_then_y_approves_through_a_child_orc_and_the_queue_says_approved()
    {
        var id = Waiting("Add a", new() { ["a.txt"] = "alpha\n" });
        using var ui = Open();
        OpenView(ui, id);
        ui.Type("a");
        Assert.IsType<ConfirmOverlay>(ui.Window.CurrentOverlay);
        ui.Type("y");
        Assert.Equal(SubmissionStates.Approved, StateOf(id));
        Assert.Null(ui.Window.CurrentOverlay); // the view closes once it worked
        Assert.Contains($"approved {id}", ui.Screen());
        var row = ui.Window.Pane<QueuePane>()!.Rows.Single(r => r.Key == "mq:app/" + id);
        Assert.Contains("approved", row.Text);
        Assert.Empty(ui.Window.Pane<ReviewPane>()!.Rows);
        Assert.DoesNotContain("to review", ui.Window.Status.Summary());
    }

    [Fact]
    public void R_with_a_reason_rejects_and_an_empty_reason_does_nothing()
    {
        var id = Waiting("Add a", new() { ["a.txt"] = "alpha\n" });
        using var ui = Open();
        OpenView(ui, id);
        ui.Type("r");
        Assert.IsType<FormOverlay>(ui.Window.CurrentOverlay);
        ui.Press(Key.Enter);
        Assert.Contains("a rejection needs a reason", ui.Screen());
        Assert.Equal(SubmissionStates.Review, StateOf(id));
        Assert.IsType<ReviewView>(ui.Window.CurrentOverlay); // back to the view

        ui.Type("r");
        ui.Type("name the file alpha.txt");
        ui.Press(Key.Enter);
        var sub = Headless.OffUi(Read).Queue.Single(q => q.Item == id);
        Assert.Equal(SubmissionStates.Rejected, sub.State);
        Assert.Contains("name the file alpha.txt", sub.Reason);
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Contains($"returned {id}", ui.Screen());
    }

    [Fact]
    public void A_submission_answered_elsewhere_says_so_instead_of_opening()
    {
        var id = Waiting("Add a", new() { ["a.txt"] = "alpha\n" });
        using var ui = Open();
        Headless.OffUi(() => _fleet.Ok("review", "approve", id)); // another person, another TUI
        Assert.True(ui.Window.Focus(PaneKinds.Review));
        ui.Press(Key.Enter);
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Contains("not waiting for review", ui.Screen());
    }

    [Fact]
    public void Escape_sequences_in_a_real_title_and_diff_are_drawn_as_text_and_readable_at_80x24()
    {
        var id = Waiting("Pay now", new() { ["evil.txt"] = "\u001b[31mred\n" });
        // orc refuses such a title; a ledger merged from elsewhere or edited by hand can still hold one.
        var ledger = _fleet.Ws.LedgerPath;
        File.WriteAllText(ledger, File.ReadAllText(ledger).Replace("\"Pay now\"", "\"Pay \\u001b]0;pwn\\u0007 now\"", StringComparison.Ordinal));
        Assert.Equal("Pay \u001b]0;pwn\u0007 now", Read().Ledger.Get(id).Title);
        using var ui = Open(80, 24);
        Assert.DoesNotContain("\u001b", ui.Screen());
        OpenView(ui, id);
        var lines = ui.Screen().Split('\n');
        Assert.DoesNotContain(lines, l => l.Contains('\u001b') || l.Contains('\u0007'));
        Assert.Contains($"review {id}", lines[0]);
        Assert.StartsWith($"║{id}  Pay \\e]0;pwn\\x07 now", lines[1]);
        Assert.StartsWith("║rig app · agent w1 · gate no gate", lines[2]);
        Assert.Contains(lines, l => l.StartsWith("║+\\e[31mred", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(ReviewView.FooterText, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= 80, l));
    }
}
