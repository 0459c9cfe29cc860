using System.Collections.Concurrent;
using System.Text;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

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
    public void Octal_escapes_are_decoded_and_other_bytes_are_kept_as_they_are()
    {
        Assert.Equal("a\u001bb\\c\r\n"u8.ToArray(), TmuxControl.Unescape("a\\033b\\134c\\015\\012"u8));
        Assert.Equal("é\\9"u8.ToArray(), TmuxControl.Unescape("é\\9"u8));
        // High bytes, raw or escaped, stay single bytes: a split UTF-8 character is not "repaired" here.
        Assert.Equal(new byte[] { 0xC3, 0xA9, 0xE6 }, TmuxControl.Unescape([0xC3, (byte)'\\', (byte)'2', (byte)'5', (byte)'1', 0xE6]));
    }

    [Fact]
    public void A_character_split_between_notifications_is_decoded_once_it_is_whole()
    {
        var d = new PaneOutputDecoder();
        Assert.Equal("x", d.Decode("%1", [(byte)'x', 0xE6, 0x97]));
        Assert.Equal("y", d.Decode("%2", [(byte)'y'])); // another pane's text does not disturb %1's pending bytes
        Assert.Equal("日z", d.Decode("%1", [0xA5, (byte)'z']));
        Assert.Equal("", d.Decode("%1", [0xF0, 0x9F]));
        Assert.Equal("🚀", d.Decode("%1", [0x9A, 0x80]));
    }

    /// <summary>Collects a control client's %output for one pane as bytes and as text decoded per pane.</summary>
    private sealed class OutputLog
    {
        private readonly List<byte> _bytes = [];
        private readonly StringBuilder _text = new();
        private readonly PaneOutputDecoder _decoder = new();

        public OutputLog(TmuxControl c) => c.Notified += n =>
        {
            if (n.Name != "output") return;
            lock (_bytes)
            {
                _bytes.AddRange(n.Data);
                _text.Append(_decoder.Decode(n));
                Pieces.Add(n.Data);
            }
        };

        public List<byte[]> Pieces { get; } = [];

        public string Text { get { lock (_bytes) return _text.ToString(); } }

        public byte[] Bytes { get { lock (_bytes) return [.. _bytes]; } }
    }

    [Fact]
    public void Utf8_text_a_pane_prints_arrives_in_output_notifications_intact()
    {
        StartShell("u", "sleep 0.5; printf 'start é 日本 🚀 end\\n'; exec cat");
        using var c = Open(output: true);
        var log = new OutputLog(c);
        RigFixture.Eventually(() => log.Text.Contains("end"), () => "no %output: " + log.Text, 20);
        Assert.Contains("start é 日本 🚀 end", log.Text);
        Assert.DoesNotContain('\uFFFD', log.Text);
        Assert.True(log.Bytes.AsSpan().IndexOf("é 日本 🚀"u8) >= 0, Convert.ToHexString(log.Bytes)); // the exact bytes the pane wrote
    }

    [Fact]
    public void A_character_the_pane_writes_in_two_halves_arrives_whole()
    {
        // The pane writes the first byte of "é", waits until the test has seen it in a %output
        // notification, then writes the second: the two halves cannot share a notification.
        var go = Path.Combine(_dir.Root, "go");
        StartShell("s", $"sleep 0.5; printf 'half:\\303'; while [ ! -e '{go}' ]; do sleep 0.05; done; printf '\\251 whole\\n'; exec cat");
        using var c = Open(output: true);
        var log = new OutputLog(c);
        RigFixture.Eventually(() => log.Bytes is [.., 0xC3], () => "first half not seen: " + Convert.ToHexString(log.Bytes), 20);
        File.WriteAllText(go, "");
        RigFixture.Eventually(() => log.Text.Contains("whole"), () => "second half not seen: " + Convert.ToHexString(log.Bytes), 20);
        Assert.Contains("half:é whole", log.Text);
        Assert.DoesNotContain('\uFFFD', log.Text);
        lock (log.Pieces) Assert.Contains(log.Pieces, p => p is [.., 0xC3]);
    }

    [Fact]
    public void Capture_pane_of_utf8_text_through_control_mode_round_trips()
    {
        StartShell("p", "printf 'ascii then é 日本 🚀 done\\n'; exec cat");
        RigFixture.Eventually(() => _tmux.CapturePane("rig", "p").Contains("done"), () => _tmux.CapturePane("rig", "p"), 20);
        using var c = Open();
        var captured = c.Run(["capture-pane", "-p", "-t", "=rig:=p"]);
        Assert.True(captured.Ok, captured.Err);
        Assert.Contains("ascii then é 日本 🚀 done", captured.Out);
        // The same text the plain command returns, and what the adapter (control mode) returns.
        Assert.Equal(_tmux.RunProcess("capture-pane", "-p", "-t", "=rig:=p").Out, captured.Out);
        Assert.True(_tmux.ControlConnected);
        Assert.Contains("ascii then é 日本 🚀 done", _tmux.CapturePane("rig", "p"));
    }
}
