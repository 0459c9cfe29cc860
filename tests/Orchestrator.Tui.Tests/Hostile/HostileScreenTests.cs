using Orchestrator.Core.Events;
using Orchestrator.Core.Mail;
using Orchestrator.Services.Fleet;
using Orchestrator.Testing;
using Orchestrator.Tui.Tests.Support;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests.Hostile;

/// <summary>
/// The TUI showing items, mail, events and pane text full of escape sequences (OSC 52 clipboard,
/// title, cursor moves, C1 controls, bells, NUL): no cell on the screen holds a control
/// character, in every shipped layout and with the details of a hostile item open.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class HostileScreenTests
{
    private static readonly string[] Evil =
    [
        "\u001b]52;c;cm0gLXJmIH4=\u0007clip", "\u001b]0;pwned\u0007title", "\u001b[2J\u001b[Hcls", "\u009b2Jc1", "\u009d0;x\u009cosc", "bell\u0007\u0007",
            "nul\0", "del\u007f", "cr\rback\b",
    ];

    private static FleetSnapshot HostileFleet()
    {
        var s = Fleet.Sample();
        var i = 0;
        foreach (var item in s.Ledger.Items)
        {
            var evil = Evil[i++ % Evil.Length];
            item.Title = "T " + evil + " $(touch /tmp/orc-pwned-tui)";
            item.Description = "D " + evil + "\nsecond line " + evil;
            item.Labels = ["l" + evil];
            if (item.Assignee is not null) item.Assignee += evil;
        }
        var inbox = s.Inbox.Select((m, n) => m with { Subject = "S " + Evil[n % Evil.Length], Body = "B " + Evil[(n + 1) % Evil.Length] }).ToList<Message>();
        var events = s.Events.Select((e, n) => e with { Text = "E " + Evil[n % Evil.Length] }).ToList<OrcEvent>();
        return s with { Inbox = inbox, Events = events, Problems = ["P " + Evil[0]] };
    }

    private static readonly Dictionary<string, string> Screens = new()
    {
        ["%1"] = "sim: working " + string.Join(" ", Evil) + "\n",
        ["%2"] = "\u001b]52;c;aGk=\u0007question\n",
        ["%3"] = "\u001b[31mred\u001b[0m\n",
    };

    private static void AssertClean(string screen, string what)
    {
        var bad = screen.Select((c, n) => (c,
            n)).FirstOrDefault(x => (x.c < 0x20 && x.c is not '\n' and not '\r') || x.c == 0x7f || (x.c >= 0x80 && x.c < 0xa0));
        Assert.True(bad == default, $"{what}: control character U+{(int)bad.c:X4} at {bad.n} on the screen");
        Assert.DoesNotContain("\u001b", screen);
    }

    [Theory]
    [InlineData("overview", 120, 40)]
    [InlineData("items-focus", 120, 40)]
    [InlineData("agents-wall", 200, 50)]
    public void Escape_sequences_in_every_pane_are_drawn_as_text(string layout, int width, int height)
    {
        using var ui = new Headless(HostileFleet(), width, height, layout: layout, screens: Screens);
        AssertClean(ui.Screen(), layout);
        for (var n = 0; n < 6; n++)
        {
            ui.Press(Key.Tab);
            AssertClean(ui.Screen(), $"{layout} after {n + 1} Tab");
            ui.Press(Key.CursorDown);
            AssertClean(ui.Screen(), $"{layout} after a move");
        }
        Assert.False(File.Exists("/tmp/orc-pwned-tui"));
    }

    [Fact]
    public void The_escaped_form_is_what_the_reader_sees()
    {
        using var ui = new Headless(HostileFleet(), 200, 50, layout: "items-focus", screens: Screens);
        var screen = ui.Screen();
        AssertClean(screen, "items-focus");
        Assert.Contains("$(touch /tmp/orc-pwned-tui)", screen);
        Assert.Contains("\\e", screen);
    }
}
