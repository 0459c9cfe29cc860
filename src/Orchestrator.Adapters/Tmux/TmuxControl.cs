using System.Text;
using System.Threading.Channels;
using CliWrap;
using Orchestrator.Core;

namespace Orchestrator.Adapters.Tmux;

/// <summary>A notification tmux sends a control client outside a command's reply (<c>%output</c>, <c>%window-add</c>, <c>%exit</c>...).</summary>
/// <param name="Name">The notification without its <c>%</c>, e.g. <c>output</c>.</param>
/// <param name="Arguments">The rest of the line; for <c>%output</c> the pane id only.</param>
/// <param name="Data">For <c>%output</c>: the bytes the pane wrote (tmux's octal escapes decoded); else empty.</param>
public sealed record TmuxNotification(string Name, string Arguments, byte[] Data);

/// <summary>
/// One long-lived tmux control-mode client (<c>tmux -C attach-session</c>) on a private server:
/// commands are written as lines to its stdin and answered in order between
/// <c>%begin</c>/<c>%end</c> guard lines, so a poll costs a round trip, not a process. Every argument
/// is sent single-quoted, so tmux's parser reads it as one literal word; an argument with a line
/// break or another control character cannot be carried on a line and is refused
/// (<see cref="CanCarry"/>), and the caller runs that command as a plain process instead.
/// </summary>
public sealed class TmuxControl : IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(20);

    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<TaskCompletionSource<TmuxServer.Result>> _pending = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly Task _process;
    private volatile bool _closed;
    private string? _closeReason;

    /// <summary>Raised (on a reader thread) for every notification; handlers must be quick and not throw.</summary>
    public event Action<TmuxNotification>? Notified;

    public bool IsOpen => !_closed;

    private TmuxControl(IReadOnlyList<string> argv)
    {
        var cmd = Cli.Wrap("tmux")
            .WithArguments(argv)
            .WithValidation(CommandResultValidation.None)
            .WithEnvironmentVariables(e => e.Set("TMUX", null))
            .WithStandardInputPipe(PipeSource.Create(WriteLinesAsync))
            .WithStandardOutputPipe(PipeTarget.Create(ReadRepliesAsync));
        _process = RunAsync(cmd);
    }

    /// <summary>
    /// Attaches a control client to the server (any of its sessions). Returns null when the
    /// server has no session to attach to; the caller then uses plain commands.
    /// </summary>
    /// <param name="output">Whether tmux should send <c>%output</c> for the attached session's panes.</param>
    public static TmuxControl? TryOpen(string socketName, string configFile, bool output = false)
    {
        var flags = output ? "ignore-size" : "ignore-size,no-output";
        var c = new TmuxControl(["-L", socketName, "-f", configFile, "-C", "attach-session", "-f", flags]);
        // The first reply proves the client is attached; no server or no session closes it instead.
        try
        {
            if (c.Run(["display-message", "-p", "ok"]).Ok) return c;
        }
        catch (OrcException) { }
        c.Dispose();
        return null;
    }

    /// <summary>True when every argument can travel on one control-mode line.</summary>
    public static bool CanCarry(IReadOnlyList<string> args)
    {
        foreach (var a in args)
            foreach (var ch in a)
                if ((ch < ' ' && ch != '\t') || ch == '\x7f') return false;
        return args.Count > 0;
    }

    /// <summary>The command line tmux will parse back into exactly <paramref name="args"/>.</summary>
    public static string Quote(IReadOnlyList<string> args)
    {
        var sb = new StringBuilder();
        foreach (var a in args)
        {
            if (sb.Length > 0) sb.Append(' ');
            // Inside single quotes tmux expands nothing ($, ~, ;, #, {}); a quote itself is
            // written as a double-quoted "'" joined to the neighbouring parts of the same word.
            sb.Append('\'').Append(a.Replace("'", "'\"'\"'")).Append('\'');
        }
        return sb.ToString();
    }

    /// <summary>Runs one command and waits for its reply. Throws <see cref="OrcException"/> if the client is gone.</summary>
    public TmuxServer.Result Run(IReadOnlyList<string> args)
    {
        if (!CanCarry(args)) throw new ArgumentException("argument cannot be sent in control mode", nameof(args));
        var reply = new TaskCompletionSource<TmuxServer.Result>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_closed) throw Closed();
            _pending.Enqueue(reply);
            _lines.Writer.TryWrite(Quote(args));
        }
        bool answered;
        try { answered = reply.Task.Wait(ReplyTimeout); }
        catch (AggregateException e) when (e.InnerException is OrcException closed) { throw closed; }
        if (!answered)
        {
            Close($"tmux did not answer '{args[0]}' within {ReplyTimeout.TotalSeconds:0}s");
            throw Closed();
        }
        return reply.Task.Result;
    }

    private OrcException Closed() => new($"the tmux control connection closed ({_closeReason ?? "no reason given"})");

    private async Task RunAsync(Command cmd)
    {
        try { await cmd.ExecuteAsync(_kill.Token).ConfigureAwait(false); }
        catch (System.ComponentModel.Win32Exception) { Close("tmux is not installed or not on PATH"); }
        catch (OperationCanceledException) { }
        finally { Close("tmux exited"); }
    }

    private async Task WriteLinesAsync(Stream stdin, CancellationToken ct)
    {
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                var bytes = Encoding.UTF8.GetBytes(line + "\n");
                await stdin.WriteAsync(bytes, ct).ConfigureAwait(false);
                await stdin.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (IOException) { Close("tmux stopped reading"); }
        // Returning closes stdin: tmux detaches the client and exits.
    }

    private async Task ReadRepliesAsync(Stream stdout, CancellationToken ct)
    {
        using var reader = new StreamReader(stdout, new UTF8Encoding(false, false));
        string? guard = null; // "TIME NUMBER FLAGS" of the open reply block
        var body = new StringBuilder();
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (guard is not null)
            {
                // A pane line could look like a guard; only the exact one that opened the block ends it.
                var ended = line == "%end " + guard ? 0 : line == "%error " + guard ? 1 : -1;
                if (ended < 0) { body.Append(line).Append('\n'); continue; }
                if (guard.EndsWith(" 1", StringComparison.Ordinal)) Complete(ended == 0, body.ToString());
                guard = null;
                body.Clear();
                continue;
            }
            if (line.StartsWith("%begin ", StringComparison.Ordinal)) { guard = line["%begin ".Length..]; continue; }
            if (line.StartsWith('%')) Notify(line);
        }
    }

    private void Complete(bool ok, string text)
    {
        TaskCompletionSource<TmuxServer.Result>? reply;
        lock (_gate) _pending.TryDequeue(out reply);
        // tmux prints a command's error message between the guards; plain commands print it to stderr.
        reply?.TrySetResult(ok ? new TmuxServer.Result(0, text, "") : new TmuxServer.Result(1, "", text));
    }

    private void Notify(string line)
    {
        var space = line.IndexOf(' ');
        var name = space < 0 ? line[1..] : line[1..space];
        var rest = space < 0 ? "" : line[(space + 1)..];
        if (name == "exit") { Close("tmux ended the client" + (rest.Length > 0 ? ": " + rest : "")); }
        var data = Array.Empty<byte>();
        if (name == "output" && rest.IndexOf(' ') is var sp and > 0)
        {
            data = Unescape(rest.AsSpan(sp + 1));
            rest = rest[..sp];
        }
        try { Notified?.Invoke(new TmuxNotification(name, rest, data)); }
        catch (Exception) { /* a listener's fault must not stop the reader */ }
    }

    /// <summary>Decodes <c>%output</c> data: tmux writes bytes below space and the backslash as <c>\ooo</c>.</summary>
    public static byte[] Unescape(ReadOnlySpan<char> s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s.ToString());
        var result = new List<byte>(utf8.Length);
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\\' && i + 3 < utf8.Length && IsOctal(utf8[i + 1]) && IsOctal(utf8[i + 2]) && IsOctal(utf8[i + 3]))
            {
                result.Add((byte)(((utf8[i + 1] - '0') << 6) | ((utf8[i + 2] - '0') << 3) | (utf8[i + 3] - '0')));
                i += 3;
            }
            else result.Add(utf8[i]);
        }
        return [.. result];

        static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
    }

    private void Close(string reason)
    {
        List<TaskCompletionSource<TmuxServer.Result>> orphans;
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
            _closeReason = reason;
            orphans = [.. _pending];
            _pending.Clear();
            _lines.Writer.TryComplete();
        }
        foreach (var o in orphans) o.TrySetException(Closed());
    }

    /// <summary>Detaches (closing stdin ends the client) and waits briefly for tmux to exit.</summary>
    public void Dispose()
    {
        Close("closed by orc");
        try
        {
            if (!_process.Wait(TimeSpan.FromSeconds(2))) _kill.Cancel();
            _process.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException) { }
        _kill.Dispose();
    }
}
