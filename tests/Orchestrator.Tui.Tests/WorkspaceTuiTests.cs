using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli;
using Orchestrator.Services.Convoys;
using Orchestrator.Services.Fleet;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Mail;
using Orchestrator.Services.Runtime;
using Orchestrator.Testing;
using Orchestrator.Tui.Actions;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>The TUI on a real workspace (a git repository in a temp folder): its verbs change the ledger through the services, committed as the CLI
/// would.</summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class WorkspaceTuiTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly ServiceProvider _services;

    public WorkspaceTuiTests()
    {
        var vars = new Dictionary<string, string> { ["USER"] = "tester", ["HOME"] = _ws.Root,
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["ORC_TMUX_SOCKET"] = "orc-test-none-" + Guid.NewGuid().ToString("N")[..8] };
        _services = Composition.Build(new CliEnvironment(_ws.Root, k => vars.GetValueOrDefault(k), TextWriter.Null, TextWriter.Null,
            TextReader.Null) { SelfArgv = OrcProcess.Argv });
    }

    private FleetSnapshot Read() => _services.GetRequiredService<FleetReader>().Read();

    private FleetActions Actions() => new(_services.GetRequiredService<LedgerService>(), _services.GetRequiredService<SlingService>(),
        _services.GetRequiredService<AgentService>(), _services.GetRequiredService<MailService>(), _services.GetRequiredService<ConvoyService>());

    [Fact]
    public void An_item_is_created_commented_and_closed_from_the_keyboard_and_each_change_is_committed()
    {
        _ws.Create("Existing work");
        Headless? ui = null;
        ui = new Headless(Read(), 100, 30, actions: Actions(), workspace: _ws.Root, refresh: () => ui!.Apply(Read()));
        using (ui)
        {
            var commits = _ws.CommitCount();
            ui.Type("n");
            ui.Type("Made in the TUI");
            ui.Press(Key.Tab, Key.Tab);
            ui.Press(Key.Backspace);
            ui.Type("1");
            ui.Press(Key.Enter);
            var created = Read().Ledger.Items.Single(i => i.Title == "Made in the TUI");
            Assert.Equal(1, created.Priority);
            Assert.Contains($"created {created.Id}", ui.Screen());
            Assert.Equal(commits + 1, _ws.CommitCount());

            ui.Window.Pane<ItemsPane>()!.Select(created.Id);
            ui.Type("c");
            ui.Type("looks right; ship it");
            ui.Press(Key.Enter);
            Assert.Equal("looks right; ship it", Read().Ledger.Get(created.Id).Comments.Single().Text);

            ui.Type("x");
            ui.Type("y");
            Assert.True(Read().Ledger.Get(created.Id).IsClosed);
            Assert.Equal(commits + 3, _ws.CommitCount());
            Assert.DoesNotContain(created.Id, ui.Window.Pane<ItemsPane>()!.Rows.Select(r => r.Key)); // closed items are hidden
        }
    }

    [Fact]
    public void A_verb_that_fails_says_why_on_the_status_line_and_changes_nothing()
    {
        var id = _ws.Create("Only item");
        var before = _ws.LedgerText();
        Headless? ui = null;
        ui = new Headless(Read(), 100, 30, actions: Actions(), workspace: _ws.Root, refresh: () => ui!.Apply(Read()));
        using (ui)
        {
            ui.Type("n");
            ui.Press(Key.Enter); // no title
            Assert.Contains("the title is empty", ui.Screen());
            ui.Window.Pane<ItemsPane>()!.Select(id);
            ui.Type("e");
            ui.Press(Key.Tab, Key.Tab);
            ui.Press(Key.Backspace, Key.Backspace);
            ui.Type("P9");
            ui.Press(Key.Enter);
            Assert.Contains("priority", ui.Screen());
            Assert.Equal(before, _ws.LedgerText());
        }
    }

    [Fact]
    public void Two_TUIs_on_one_workspace_both_show_what_either_one_did()
    {
        var id = _ws.Create("Shared work");
        var vars = new Dictionary<string, string> { ["USER"] = "other", ["HOME"] = _ws.Root,
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["ORC_TMUX_SOCKET"] = "orc-test-none-" + Guid.NewGuid().ToString("N")[..8] };
        using var second = Composition.Build(new CliEnvironment(_ws.Root, k => vars.GetValueOrDefault(k), TextWriter.Null, TextWriter.Null,
            TextReader.Null) { SelfArgv = OrcProcess.Argv });
        FleetSnapshot ReadSecond() => second.GetRequiredService<FleetReader>().Read();
        Headless? a = null, b = null;
        a = new Headless(Read(), 100, 30, actions: Actions(), workspace: _ws.Root, refresh: () => a!.Apply(Read()));
        b = new Headless(ReadSecond(), 100, 30, workspace: _ws.Root, refresh: () => b!.Apply(ReadSecond()));
        using (a)
        using (b)
        {
            a.Window.Pane<ItemsPane>()!.Select(id);
            a.Type("c");
            a.Type("seen by both");
            a.Press(Key.Enter);
            a.Type("n");
            a.Type("Made in the first TUI");
            a.Press(Key.Enter);
            b.Host.Refresh(); // the second reads the disk on its own
            var made = ReadSecond().Ledger.Items.Single(i => i.Title == "Made in the first TUI");
            Assert.Contains(made.Id, b.Window.Pane<ItemsPane>()!.Rows.Select(r => r.Key));
            Assert.Contains(made.Id, b.Screen());
            Assert.Equal("seen by both", ReadSecond().Ledger.Get(id).Comments.Single().Text);
        }
    }

    [Fact]
    public void A_broken_layout_file_is_named_with_its_line_and_the_overview_is_used()
    {
        Directory.CreateDirectory(Path.Combine(_ws.Root, "layouts"));
        File.WriteAllText(Path.Combine(_ws.Root, "layouts", "broken.yaml"),
            "name: broken\ncolumns:\n  - width: 50%\n    panes:\n      - { pane: tiless, height: \"*\" }\n");
        using var ui = new Headless(Fleet.Sample(), 80, 24, layout: "broken", workspace: _ws.Root, screens: Fleet.Screens);
        Assert.Equal("overview", ui.Window.LayoutSpec.Name);
        Assert.Matches(@"broken\.yaml:5: .*tiless", ui.LayoutWarning);
        Approved.Match("broken-layout-80x24", ui.Screen().Replace(_ws.Root, "WORKSPACE"));
    }

    public void Dispose()
    {
        _services.Dispose();
        _ws.Dispose();
    }
}
