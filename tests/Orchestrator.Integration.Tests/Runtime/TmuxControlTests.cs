using System.Collections.Concurrent;
using System.Text;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Integration.Tests.Support;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>The control-mode client against a real private tmux server per test.</summary>
public sealed class TmuxControlTests : IDisposable
{
    private readonly TempWorkspace _dir = new(init: false);
    private readonly TmuxServer _tmux;

    public TmuxControlTests()
    {
        TmuxServer.CheckVersion();
        _tmux = new TmuxServer("orc-test-" + Guid.NewGuid().ToString("N")[..10], Path.Combine(_dir.Root, "tmux.conf"), Path.Combine(_dir.Root, "locks"));
    }

    public void Dispose()
    {
        _tmux.KillServer();
        _tmux.Dispose();
        _dir.Dispose();
    }

    private void StartShell(string window, string script) =>
        _tmux.StartWindow("rig", window, _dir.Root, new Dictionary<string, string>(), ["sh", "-c", script]);

    private TmuxControl Open(bool output = false) =>
        TmuxControl.TryOpen(_tmux.SocketName, Path.Combine(_dir.Root, "tmux.conf"), output) ?? throw new InvalidOperationException("no control client");

    [Theory]
    [InlineData("plain")]
    [InlineData("it's a 'quoted' \"word\"")]
    [InlineData("$HOME ~ ; \\; {x} #{session_name} # not a comment")]
    [InlineData("tab\there, émoji 🚀, back\\slash\\")]
    [InlineData("")]
    [InlineData("'")]
    public void Any_argument_without_line_breaks_arrives_as_exactly_one_literal_word(string text)
    {
        StartShell("a", "exec cat");
        using var c = Open();
        // set-buffer stores the word's bytes; save-buffer writes them unchanged (show-buffer would escape them).
        Assert.True(c.Run(["set-buffer", "-b", "orc-t", "--", "<" + text + ">"]).Ok);
        var file = Path.Combine(_dir.Root, "buffer.out");
        var saved = c.Run(["save-buffer", "-b", "orc-t", file]);
        Assert.True(saved.Ok, saved.Err);
        Assert.Equal("<" + text + ">", File.ReadAllText(file));
    }

    [Fact]
    public void Text_with_line_breaks_or_escapes_is_refused_and_goes_plain()
    {
        Assert.False(TmuxControl.CanCarry(["send-keys", "a\nb"]));
        Assert.False(TmuxControl.CanCarry(["send-keys", "\u001b[31m"]));
        Assert.False(TmuxControl.CanCarry(["send-keys", "x\r"]));
        Assert.True(TmuxControl.CanCarry(["send-keys", "x\ty"]));
        StartShell("b", "exec cat");
        // Through the server object the same text still arrives, by a plain process.
        Assert.True(_tmux.SendText("rig", "b", "line one\nline two"));
    }

    [Fact]
    public void Errors_come_back_as_failed_results_and_the_client_keeps_working()
    {
        StartShell("c", "exec cat");
        using var c = Open();
        var bad = c.Run(["no-such-command"]);
        Assert.False(bad.Ok);
        Assert.Contains("unknown command", bad.Err);
        var missing = c.Run(["capture-pane", "-p", "-t", "=rig:=nope"]);
        Assert.False(missing.Ok);
        Assert.True(c.Run(["list-panes", "-a"]).Ok);
    }

    [Fact]
    public void Replies_match_plain_commands_and_polling_starts_no_processes()
    {
        StartShell("d", "printf 'one\\ntwo %%end 1 2 1\\nthree\\n'; exec cat");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_tmux.CapturePane("rig", "d").Contains("three") && DateTime.UtcNow < deadline) Thread.Sleep(50);
        var plain = _tmux.RunProcess("capture-pane", "-p", "-J", "-t", "=rig:=d", "-S", "-50").Out;
        Assert.Equal(plain, _tmux.CapturePane("rig", "d", 50));
        Assert.True(_tmux.ControlConnected);
        var before = _tmux.ProcessesStarted;
        for (var i = 0; i < 50; i++)
        {
            Assert.Single(_tmux.ListWindows());
            _tmux.CapturePane("rig", "d", 40);
        }
        Assert.Equal(before, _tmux.ProcessesStarted);
    }

    [Fact]
    public void Many_threads_share_one_client_and_each_gets_its_own_reply()
    {
        StartShell("e", "exec cat");
        using var c = Open();
        var wrong = new ConcurrentBag<string>();
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var r = c.Run(["show-options", "-g", "-v", i % 2 == 0 ? "history-limit" : "remain-on-exit"]);
            var want = i % 2 == 0 ? "20000" : "on";
            if (r.Out.Trim() != want) wrong.Add($"{i}: {r.Out.Trim()}");
        });
        Assert.Empty(wrong);
    }

    [Fact]
    public void Pane_output_arrives_as_notifications_with_bytes_decoded()
    {
        StartShell("f", "sleep 0.5; printf 'marker\\033[1mbold\\\\slash\\n'; exec cat");
        using var c = Open(output: true);
        var seen = new StringBuilder();
        var got = new ManualResetEventSlim();
        c.Notified += n =>
        {
            if (n.Name != "output") return;
            lock (seen)
            {
                seen.Append(Encoding.UTF8.GetString(n.Data));
                if (seen.ToString().Contains("slash")) got.Set();
            }
        };
        Assert.True(got.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "no %output: " + seen);
        lock (seen) Assert.Contains("marker\u001b[1mbold\\slash", seen.ToString());
    }

    [Fact]
    public void When_the_server_dies_the_client_closes_and_calls_fall_back_then_reconnect()
    {
        StartShell("g", "exec cat");
        Assert.Single(_tmux.ListWindows());
        Assert.True(_tmux.ControlConnected);
        _tmux.RunProcess("kill-server"); // behind the adapter's back
        Assert.Empty(_tmux.ListWindows());
        StartShell("h", "exec cat");
        Assert.Equal("h", Assert.Single(_tmux.ListWindows()).Window);
        Assert.True(_tmux.ControlConnected);
    }

    [Fact]
    public void No_server_means_no_client()
    {
        Assert.Null(TmuxControl.TryOpen(_tmux.SocketName, Path.Combine(_dir.Root, "tmux.conf")));
        Assert.False(_tmux.IsRunning());
        Assert.False(_tmux.ControlConnected);
    }

    [Fact]
    public void Octal_escapes_are_decoded_and_other_text_is_kept()
    {
        Assert.Equal("a\u001bb\\c\r\n"u8.ToArray(), TmuxControl.Unescape("a\\033b\\134c\\015\\012"));
        Assert.Equal("é\\9"u8.ToArray(), TmuxControl.Unescape("é\\9"));
    }
}
