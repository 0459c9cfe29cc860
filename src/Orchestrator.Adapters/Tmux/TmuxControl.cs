using System.Text;
using System.Threading.Channels;
using Orchestrator.Adapters.Processes;
using Orchestrator.Core;

namespace Orchestrator.Adapters.Tmux;

/// <summary>A notification tmux sends a control client outside a command's reply (<c>%output</c>, <c>%window-add</c>, <c>%exit</c>...).</summary>
/// <param name="Name">The notification without its <c>%</c>, e.g. <c>output</c>.</param>
/// <param name="Arguments">The rest of the line; for <c>%output</c> the pane id only.</param>
/// <param name="Data">For <c>%output</c>: the bytes the pane wrote (tmux's octal escapes decoded), which may end or start inside a UTF-8 character (see
/// <see cref="PaneOutputDecoder"/>); else empty. Also empty when the client does not decode output (<see cref="TmuxControl.DecodeOutput"/>).</param>
public sealed record TmuxNotification(string Name, string Arguments, byte[] Data)
{
    /// <summary>For <c>%output</c>: how many bytes the pane wrote, also when <see cref="Data"/> was not decoded.</summary>
    public int DataLength { get; init; } = Data.Length;
}

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
    private static TimeSpan ReplyTimeout => TmuxServer.AnswerWithin;

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

    /// <summary>
    /// Whether <c>%output</c> notifications carry the pane's bytes (<see cref="TmuxNotification.Data"/>).
    /// A listener that only needs to know that a pane wrote, and how much, turns this off: the
    /// reader then counts the bytes instead of copying them.
    /// </summary>
    public bool DecodeOutput { get; set; } = true;

    private TmuxControl(IReadOnlyList<string> argv)
    {
        _process = RunAsync(["tmux", .. argv]);
    }

    /// <summary>
    /// Attaches a control client to the server: to <paramref name="session"/>, or to any of its
    /// sessions. Returns null when the server has no such session to attach to; the caller then
    /// uses plain commands.
    /// </summary>
    /// <param name="output">
    /// Whether tmux should send <c>%output</c>. tmux 3.3 sends a control client the output of the
    /// panes of its attached session only, not of the server's other sessions.
    /// </param>
    /// <param name="session">A target session as tmux reads it: <c>=NAME</c> (exact name) or <c>$ID</c>; null for any.</param>
    public static TmuxControl? TryOpen(string socketName, string configFile, bool output = false, string? session = null)
    {
        var flags = output ? "ignore-size" : "ignore-size,no-output";
        // -N: attach-session would otherwise start a server when none runs. That server finds no
        // session and exits at once, and a sling starting the first agent meanwhile sees it and then
        // loses it ("no server running").
        List<string> argv = ["-L", socketName, "-f", configFile, "-N", "-C", "attach-session", "-f", flags];
        if (session is not null) argv.AddRange(["-t", session]);
        var c = new TmuxControl(argv);
        // The first reply proves the client is attached; no server or no session closes it instead.
        try
        {
            if (c.Run(["display-message", "-p", "ok"]).Ok) return c;
        }
        catch (TmuxNotAnsweringException) { c.Dispose(); throw; } // a server that does not answer: not worth a second try
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
    public TmuxServer.Result Run(IReadOnlyList<string> args) => RunAll([args])[0];

    /// <summary>
    /// Sends several commands at once and waits for all their replies (one round trip instead of
    /// one each), in order. Throws <see cref="OrcException"/> if the client is gone.
    /// </summary>
    public TmuxServer.Result[] RunAll(IReadOnlyList<IReadOnlyList<string>> commands)
    {
        foreach (var args in commands)
            if (!CanCarry(args)) throw new ArgumentException("argument cannot be sent in control mode", nameof(commands));
        var replies = new TaskCompletionSource<TmuxServer.Result>[commands.Count];
        lock (_gate)
        {
            if (_closed) throw Closed();
            for (var i = 0; i < replies.Length; i++)
            {
                replies[i] = new TaskCompletionSource<TmuxServer.Result>(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending.Enqueue(replies[i]);
                _lines.Writer.TryWrite(Quote(commands[i]));
            }
        }
        var deadline = Environment.TickCount64 + (long)ReplyTimeout.TotalMilliseconds;
        var results = new TmuxServer.Result[replies.Length];
        for (var i = 0; i < replies.Length; i++)
        {
            bool answered;
            try { answered = replies[i].Task.Wait(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64))); }
            catch (AggregateException e) when (e.InnerException is OrcException closed) { throw closed; }
            if (!answered)
            {
                Close($"tmux did not answer '{commands[i][0]}' within {ReplyTimeout.TotalSeconds:0}s");
                throw new TmuxNotAnsweringException($"tmux did not answer '{commands[i][0]}' within {ReplyTimeout.TotalSeconds:0}s");
            }
            results[i] = replies[i].Task.Result;
        }
        return results;
    }

    private OrcException Closed() => new($"the tmux control connection closed ({_closeReason ?? "no reason given"})");

    private async Task RunAsync(IReadOnlyList<string> argv)
    {
        try { await ChildProcess.ConverseAsync(argv, TmuxServer.WithoutTmux, WriteLinesAsync, ReadRepliesAsync, _kill.Token).ConfigureAwait(false); }
        catch (ProgramNotFoundException) { Close("tmux is not installed or not on PATH"); }
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

    /// <summary>
    /// Reads tmux's replies and notifications. tmux writes bytes, not text: a reply's body is the
    /// command's output (UTF-8 text, decoded whole once the block ends), and <c>%output</c> carries the
    /// pane's raw bytes, where a UTF-8 character may be split between two notifications. So lines are
    /// split on <c>\n</c> as bytes and nothing is decoded before it is known what the bytes are.
    /// </summary>
    private async Task ReadRepliesAsync(Stream stdout, CancellationToken ct)
    {
        string? guard = null; // "TIME NUMBER FLAGS" of the open reply block
        var body = new MemoryStream();
        await foreach (var line in ReadLinesAsync(stdout, ct).ConfigureAwait(false))
        {
            if (guard is not null)
            {
                // A pane line could look like a guard; only the exact one that opened the block ends it.
                var ended = IsLine(line, "%end ", guard) ? 0 : IsLine(line, "%error ", guard) ? 1 : -1;
                if (ended < 0) { body.Write(line); body.WriteByte((byte)'\n'); continue; }
                if (guard.EndsWith(" 1", StringComparison.Ordinal)) Complete(ended == 0, Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
                guard = null;
                body.SetLength(0);
                continue;
            }
            if (line.AsSpan().StartsWith("%begin "u8)) { guard = Encoding.Latin1.GetString(line, 7, line.Length - 7); continue; }
            if (line.Length > 0 && line[0] == (byte)'%') Notify(line);
        }
    }

    /// <summary>True when <paramref name="line"/> is exactly <paramref name="prefix"/> followed by <paramref name="guard"/> (both ASCII).</summary>
    private static bool IsLine(byte[] line, string prefix, string guard)
    {
        if (line.Length != prefix.Length + guard.Length) return false;
        for (var i = 0; i < line.Length; i++)
            if (line[i] != (i < prefix.Length ? prefix[i] : guard[i - prefix.Length])) return false;
        return true;
    }

    /// <summary>The stream's lines as bytes, without their <c>\n</c>.</summary>
    private static async IAsyncEnumerable<byte[]> ReadLinesAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var partial = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', start, read - start)) >= 0)
            {
                byte[] line;
                if (partial.Length == 0) line = buffer[start..newline];
                else
                {
                    partial.Write(buffer, start, newline - start);
                    line = partial.ToArray();
                    partial.SetLength(0);
                }
                start = newline + 1;
                yield return line;
            }
            partial.Write(buffer, start, read - start);
        }
        if (partial.Length > 0) yield return partial.ToArray();
    }

    private void Complete(bool ok, string text)
    {
        TaskCompletionSource<TmuxServer.Result>? reply;
        lock (_gate) _pending.TryDequeue(out reply);
        // tmux prints a command's error message between the guards; plain commands print it to stderr.
        reply?.TrySetResult(ok ? new TmuxServer.Result(0, text, "") : new TmuxServer.Result(1, "", text));
    }

    private void Notify(byte[] line)
    {
        var span = line.AsSpan(1);
        var space = span.IndexOf((byte)' ');
        var word = space < 0 ? span : span[..space];
        // %output is by far the most frequent: its name is not decoded each time.
        var name = word.SequenceEqual("output"u8) ? "output" : Encoding.UTF8.GetString(word);
        var rest = space < 0 ? Span<byte>.Empty : span[(space + 1)..];
        var data = Array.Empty<byte>();
        var length = 0;
        if (name == "output" && rest.IndexOf((byte)' ') is var sp and > 0)
        {
            if (DecodeOutput) length = (data = Unescape(rest[(sp + 1)..])).Length;
            else length = UnescapedLength(rest[(sp + 1)..]);
            rest = rest[..sp];
        }
        var arguments = Encoding.UTF8.GetString(rest);
        if (name == "exit") { Close("tmux ended the client" + (arguments.Length > 0 ? ": " + arguments : "")); }
        try { Notified?.Invoke(new TmuxNotification(name, arguments, data) { DataLength = length }); }
        catch (Exception) { /* a listener's fault must not stop the reader */ }
    }

    /// <summary>
    /// Decodes <c>%output</c> data as tmux sent it: bytes below space and the backslash come as
    /// <c>\ooo</c> (any byte may), every other byte as itself (so UTF-8 arrives raw, possibly split
    /// between notifications: decode per pane with <see cref="PaneOutputDecoder"/>).
    /// </summary>
    public static byte[] Unescape(ReadOnlySpan<byte> s)
    {
        var result = new byte[s.Length];
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == (byte)'\\' && i + 3 < s.Length && s[i + 1] is >= (byte)'0' and <= (byte)'3' && IsOctal(s[i + 2]) && IsOctal(s[i + 3]))
            {
                result[n++] = (byte)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
                i += 3;
            }
            else result[n++] = s[i];
        }
        return result[..n];
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';

    /// <summary>How many bytes <see cref="Unescape"/> would return, without making them.</summary>
    public static int UnescapedLength(ReadOnlySpan<byte> s)
    {
        var n = s.Length;
        for (var i = s.IndexOf((byte)'\\'); i >= 0 && i + 3 < s.Length; )
        {
            if (s[i + 1] is >= (byte)'0' and <= (byte)'3' && IsOctal(s[i + 2]) && IsOctal(s[i + 3])) { n -= 3; i += 4; }
            else i++;
            var next = s[i..].IndexOf((byte)'\\');
            if (next < 0) break;
            i += next;
        }
        return n;
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
