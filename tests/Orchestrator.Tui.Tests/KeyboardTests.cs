using Orchestrator.Testing;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;
using Orchestrator.Tui.Views;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>The keys of the TUI, injected into the real window drawn headlessly.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class KeyboardTests
{
    [Fact]
    public void Tab_shift_tab_and_numbers_move_between_panes()
    {
        using var ui = new Headless(Fleet.Sample());
        Assert.Equal("items", ui.Window.FocusedPane?.Kind);
        ui.Press(Key.Tab);
        Assert.Equal("mail", ui.Window.FocusedPane?.Kind);
        ui.Press(Key.Tab.WithShift, Key.Tab.WithShift);
        Assert.Equal("rigs", ui.Window.FocusedPane?.Kind);
        ui.Type("5");
        Assert.Equal("tiles", ui.Window.FocusedPane?.Kind);
        ui.Type("9");
        Assert.Contains("this layout has no pane 9", ui.Screen());
    }

    [Fact]
    public void J_and_k_move_the_selection_and_the_details_follow_it()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40, layout: "items-focus");
        var items = ui.Window.Pane<ItemsPane>()!;
        ui.Window.Focus("items");
        Assert.Equal("hq-1", items.SelectedKey);
        ui.Type("jj");
        Assert.Equal("shop-3", items.SelectedKey);
        Assert.Equal("shop-3", ui.Window.Pane<DetailsPane>()!.ItemId);
        Assert.Contains("Payment API", ui.Screen());
        Assert.Contains("depends on:", ui.Screen());
        ui.Type("k");
        Assert.Equal("shop-1", items.SelectedKey);
        ui.Type("G");
        Assert.Equal("docs-2", items.SelectedKey);
    }

    [Fact]
    public void Slash_filters_the_focused_pane_as_typed_and_esc_drops_the_filter()
    {
        using var ui = new Headless(Fleet.Sample());
        var items = ui.Window.Pane<ItemsPane>()!;
        ui.Type("/#ui");
        Assert.Equal(["shop-4"], items.Rows.Select(r => r.Key));
        ui.Press(Key.Enter);
        Assert.Contains("/#ui", items.Title);
        ui.Type("/");
        ui.Press(Key.Backspace, Key.Backspace, Key.Backspace);
        ui.Type("ready");
        Assert.Equal(["shop-1", "docs-2"], items.Rows.Select(r => r.Key));
        ui.Press(Key.Esc);
        Assert.Equal(["shop-4"], items.Rows.Select(r => r.Key)); // Esc in the prompt restores the filter it had
        ui.Press(Key.Esc);
        Assert.Equal("", items.Filter);
        Assert.Equal(7, items.Rows.Count);
        ui.Type("/all");
        ui.Press(Key.Enter);
        Assert.Equal(8, items.Rows.Count);
    }

    [Fact]
    public void Question_mark_lists_every_key_and_esc_closes_it()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        ui.Type("?");
        var overlay = Assert.IsType<TextOverlay>(ui.Window.CurrentOverlay);
        var help = string.Join('\n', overlay.Lines);
        foreach (var k in new[] { "Tab", "/", ":", "?", "nudge", "kill", "resume", "sling", "close", "comment", "reply", "archive", "next layout", "next theme",
            "F12" })
            Assert.Contains(k, help);
        Assert.Contains("keys (Esc closes)", ui.Screen());
        ui.Press(Key.Esc);
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Equal("items", ui.Window.FocusedPane?.Kind);
    }

    [Fact]
    public void Enter_on_an_agent_goes_to_its_window()
    {
        var attached = new List<AttachTarget>();
        using var ui = new Headless(Fleet.Sample(), attached: attached);
        ui.Type("5");
        ui.Press(Key.Enter);
        ui.Type("l");
        ui.Press(Key.Enter);
        Assert.Equal([new AttachTarget("shop", "ace", "ace"), new AttachTarget("shop", "bee", "bee")], attached);
    }

    [Fact]
    public void Destructive_verbs_ask_first_and_n_cancels()
    {
        using var ui = new Headless(Fleet.Sample());
        ui.Type("5K");
        Assert.IsType<ConfirmOverlay>(ui.Window.CurrentOverlay);
        Assert.Contains("Stop ace (shop-3)?", ui.Screen());
        ui.Type("n");
        Assert.Null(ui.Window.CurrentOverlay);
        ui.Type("2x");
        Assert.Contains("Close hq-1?", ui.Screen());
        ui.Press(Key.Esc);
        Assert.Null(ui.Window.CurrentOverlay);
    }

    [Fact]
    public void L_and_T_switch_layout_and_theme()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        ui.Type("L");
        Assert.Equal("agents-wall", ui.Window.LayoutSpec.Name);
        Assert.Contains("layout agents-wall", ui.Screen());
        ui.Type("T");
        Assert.Equal("high-contrast", ui.Window.ThemeName);
    }

    [Fact]
    public void The_command_palette_completes_verbs_with_tab()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        ui.Type(":re");
        ui.Press(Key.Tab);
        Assert.Equal("ready ", ui.Window.Prompt.Value);
        ui.Press(Key.Esc);
        Assert.False(ui.Window.Prompt.IsOpen);
    }

    [Fact]
    public void Hostile_text_in_an_item_is_drawn_as_visible_escapes_never_sent_raw()
    {
        var s = Fleet.Sample();
        s.Ledger.Put(Fleet.Item("evil-1", "pwn \u001b]52;c;aGVsbG8=\u0007 \u001b[2J$(rm -rf ~)", priority: 0));
        using var ui = new Headless(s, 120, 30);
        var screen = ui.Screen();
        Assert.DoesNotContain('\u001b', screen);
        Assert.DoesNotContain('\u0007', screen);
        Assert.Contains(@"pwn \e]52", screen);
    }
}
