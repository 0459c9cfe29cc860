using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Cli;
using Orchestrator.Services.Runtime;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Config;

/// <summary>
/// Notifications on a real tmux server (private socket) with a real client attached from a second
/// tmux server standing in for the user's terminal; the bytes the client writes to its terminal
/// are captured with pipe-pane on that outer terminal.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class NotificationTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly TestTerminal _term = new();
    private readonly TmuxServer _server;
    private readonly string _capture;

    public NotificationTests()
    {
        TmuxServer.CheckVersion();
        _ws.Env["ORC_TMUX_SOCKET"] = _socket;
        _ws.Env["XDG_CONFIG_HOME"] = Path.Combine(_ws.Root, ".orc", "tmp", "xdg");
        _server = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks"));
        _server.StartWindow("orc", "orc", _ws.Root, new Dictionary<string, string>(), ["sh", "-c", "exec cat"]);
        _capture = Path.Combine(_ws.Root, ".orc", "tmp", "terminal.bytes");
        _term.Start(_ws.Root, $"unset TMUX; exec tmux -L {_socket} attach-session -t =orc", new Dictionary<string, string>());
        RigFixture.Eventually(() => _server.Run("list-clients", "-F", "#{client_control_mode}").Out.Split('\n').Contains("0"),
            () => "the terminal did not attach: " + _term.Screen());
        _term.Run("pipe-pane", "-t", "=term:", "-O", $"cat >> '{_capture}'");
    }

    public void Dispose()
    {
        _term.Dispose();
        _server.KillServer();
        _server.Dispose();
        _ws.Dispose();
    }

    private string Captured() => File.Exists(_capture) ? Encoding.UTF8.GetString(File.ReadAllBytes(_capture)) : "";

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private void LandConvoy(string title)
    {
        var a = _ws.Create("a");
        var b = _ws.Create("b");
        Ok("convoy", "create", "feat", a, b, "--title", title);
        Ok("item", "close", a);
        Ok("item", "close", b);
    }

    [Fact]
    public void A_landed_convoy_shows_a_message_rings_the_bell_and_sends_osc_777_with_hostile_text_made_safe()
    {
        Ok("config", "set", "notify.desktop", "osc777");
        LandConvoy("pwn #{host} ;x"); // (escape sequences are refused in a title; one from elsewhere is tried below)
        RigFixture.Eventually(() => _term.Screen().Contains("orc: convoy feat"), () => "no message on the terminal: " + _term.Screen());
        RigFixture.Eventually(() => Captured().Contains("\u001b]777;notify;orc;orc: convoy feat") && Captured().Contains("has landed"),
            () => "no OSC 777 reached the terminal: " + Captured().Replace("\u001b", "\\e"));
        var bytes = Captured();
        var osc = bytes[bytes.IndexOf("\u001b]777;notify;", StringComparison.Ordinal)..];
        osc = osc[..(osc.IndexOf('\u0007') + 1)];
        Assert.DoesNotContain(";x", osc[("\u001b]777;notify;orc;".Length)..]); // ';' cannot start a field of its own
        Assert.Contains("\u0007", bytes[(bytes.IndexOf(osc, StringComparison.Ordinal) + osc.Length)..]); // the bell after it
        RigFixture.Eventually(() => _term.Screen().Contains("#{host}"), () => "the tmux format was expanded: " + _term.Screen());

        // Text that reached the ledger some other way (a merge, an agent's output) with an escape sequence in it.
        using var services = Composition.Build(new CliEnvironment(_ws.Root, k => _ws.Env.GetValueOrDefault(k) ?? (k == "HOME" ? _ws.Root : null),
            TextWriter.Null, TextWriter.Null, TextReader.Null));
        Assert.Equal(1, new Notifier(services.GetRequiredService<RuntimeContext>()).Raise(Notifier.Stuck, "evil", "nux \u001b]0;owned\u0007\u009b2J is stuck"));
        RigFixture.Eventually(() => Captured().Contains("is stuck\u0007"), () => "no second OSC: " + Captured().Replace("\u001b", "\\e"));
        Assert.DoesNotContain("\u001b]0;owned", Captured()); // shown as text, never sent
        Assert.DoesNotContain("\u009b", Captured());
        Assert.Contains("\\e]0,owned\\x07", Captured());
    }

    [Fact]
    public void Osc_9_when_configured_and_nothing_when_the_event_is_not_chosen()
    {
        Ok("config", "set", "notify.desktop", "osc9");
        Ok("config", "set", "notify.events", "waiting,stuck");
        LandConvoy("quiet");
        // Not chosen: no message. Then a chosen event through the same path.
        using (var services = Composition.Build(new CliEnvironment(_ws.Root, k => _ws.Env.GetValueOrDefault(k) ?? (k == "HOME" ? _ws.Root : null),
            TextWriter.Null, TextWriter.Null, TextReader.Null)))
        {
            var notifier = new Notifier(services.GetRequiredService<RuntimeContext>());
            Assert.Equal(0, notifier.Raise(Notifier.ConvoyLanded, "feat-again", "convoy feat-again has landed"));
            Assert.Equal(1, notifier.Raise(Notifier.Waiting, "nux\nwaiting\n1", "nux is waiting for an answer"));
        }
        RigFixture.Eventually(() => Captured().Contains("\u001b]9;orc: nux is waiting for an answer\u0007"), () => "no OSC 9: " + Captured().Replace("\u001b",
            "\\e"));
        Assert.DoesNotContain("convoy feat", Captured());
        Assert.DoesNotContain("\u001b]777", Captured());
    }

    [Fact]
    public void One_event_is_told_once_across_processes()
    {
        Ok("config", "set", "notify.desktop", "off");
        var told = new int[4];
        Parallel.For(0, told.Length, i =>
        {
            using var services = Composition.Build(new CliEnvironment(_ws.Root, k => _ws.Env.GetValueOrDefault(k) ?? (k == "HOME" ? _ws.Root : null),
                TextWriter.Null, TextWriter.Null, TextReader.Null));
            told[i] = new Notifier(services.GetRequiredService<RuntimeContext>()).Raise(Notifier.Stuck, "nux\nstuck\n2026", "nux has shown no change");
        });
        Assert.Equal(1, told.Sum());
        RigFixture.Eventually(() => _term.Screen().Contains("orc: nux has shown no change"), () => "no message: " + _term.Screen());
        Assert.DoesNotContain("\u001b]", Captured()); // desktop: off
    }
}
