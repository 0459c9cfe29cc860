using System.Globalization;
using System.Text;
using Orchestrator.Adapters.Processes;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Tmux;

/// <summary>One window of the server as tmux lists it.</summary>
public sealed record TmuxWindow(string Session, string Window, string PaneId, int PanePid, bool PaneDead, int? ExitStatus, long ActivityUnix, bool InMode);

/// <summary>
/// The workspace's private tmux server (<c>tmux -L NAME</c>; tmux keeps its socket in a
/// directory only the user can read). Every call is an argument array run through <see cref="ChildProcess"/>, never
/// a shell string, and every target is an exact match (<c>=session:=window</c>), so no name or
/// text can be read as something else. orc never talks to any other tmux server.
/// </summary>
public sealed partial class TmuxServer(string socketName, string configFile, string locksDir) : ITmuxServer
{
    public static readonly Version MinimumVersion = new(3, 2);
    /// <summary>How long any one round trip to the server may take: a server that does not answer by then is stopped or hung.</summary>
    public static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(6);

    public string SocketName { get; } = socketName;

    /// <summary>The config file the server is started with (<see cref="Config"/>).</summary>
    public string ConfigFile => configFile;

    /// <summary>Socket name for a workspace: <c>orc-</c> and a short hash of its path.</summary>
    public static string SocketNameFor(string workspaceRoot)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspaceRoot))));
        return "orc-" + Convert.ToHexStringLower(hash)[..10];
    }

    public static string Target(string session, string window) => $"={session}:={window}";

    /// <summary>The tmux config orc starts its server with.</summary>
    public const string Config =
        """
        # Written by orc for its private tmux server. Dead agent panes stay visible so orc can tell
        # a crash from a finish and show the last output.
        set -g remain-on-exit on
        set -g history-limit 20000
        set -g status-left-length 30
        set -g set-titles off
        set -g allow-rename off
        set -g automatic-rename off
        set -g focus-events on
        set -g mouse on
        # F12 (or prefix + o) returns to where you were: the session 'orc attach' or the TUI switched
        # you from, or, when this client was attached just for this window, back out (detach).
        bind-key -n F12 if-shell -F '#{client_last_session}' 'switch-client -l' 'detach-client'
        bind-key o if-shell -F '#{client_last_session}' 'switch-client -l' 'detach-client'
        # Said on every window's status line, so someone who pressed Enter on a tile knows the way back.
        set -g status-right ' F12: back to orc '

        """;

    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public bool Ok => ExitCode == 0;
    }

    /// <summary>
    /// Commands that must not go through the control client: they act on "the current client"
    /// (which for a control client is orc's own hidden one), attach, or end the server under it.
    /// </summary>
    private static readonly HashSet<string> PlainOnly = ["attach-session", "attach", "switch-client", "switchc", "detach-client", "display-message",
        "kill-server", "display-popup", "display-menu"];

    private readonly Lock _controlGate = new();
    private TmuxControl? _control;
    // When opening a control client last failed, it is not tried again before this time
    // (Environment.TickCount64); meanwhile commands run as plain processes.
    private long _controlRetryAt;
    private static readonly TimeSpan ControlRetry = TimeSpan.FromSeconds(2);
    private long _processes;

    /// <summary>
    /// Whether commands go through one long-lived control-mode client (<c>tmux -C</c>) instead of a
    /// process each. On by default; the client is opened on first use and falls back to plain
    /// processes when there is no session to attach to, or for a command it cannot carry.
    /// </summary>
    public bool PreferControlMode { get; set; } = true;

    /// <summary>tmux processes this object has started (plain commands and control clients).</summary>
    public long ProcessesStarted => Interlocked.Read(ref _processes);

    /// <summary>True while a control client is attached.</summary>
    public bool ControlConnected => _control is { IsOpen: true };

    /// <summary>Runs one tmux command on this server.</summary>
    public Result Run(params string[] args)
    {
        if (args.Length > 0 && args[0] is "kill-server") CloseControl();
        try
        {
            if (Control(args) is { } control)
            {
                try { return control.Run(args); }
                catch (TmuxNotAnsweringException) { throw; }
                catch (OrcException) { /* the client went away (server stopped?): run it plainly below */ }
            }
        }
        catch (TmuxNotAnsweringException ex) { throw NotAnswering(args, ex); }
        Result r;
        try { r = RunProcess(args); }
        catch (TmuxNotAnsweringException ex) { throw NotAnswering(args, ex); }
        // A new session means there is now something to attach a control client to.
        if (r.Ok && args[0] is "new-session" or "new") Volatile.Write(ref _controlRetryAt, 0);
        return r;
    }

    private TmuxControl? Control(string[] args)
    {
        if (!PreferControlMode || args.Length == 0 || PlainOnly.Contains(args[0]) || !TmuxControl.CanCarry(args)) return null;
        lock (_controlGate)
        {
            if (_control is { IsOpen: true }) return _control;
            _control?.Dispose();
            _control = null;
            if (Environment.TickCount64 < Volatile.Read(ref _controlRetryAt)) return null;
            // attach-session starts a server when there is none (which then exits at once and
            // leaves its socket file behind): without a server listening there is nothing to
            // attach to. (A server started later, by this or another process, is attached to on
            // a later call.)
            _control = IsListening() ? OpenControl() : null;
            if (_control is null) Volatile.Write(ref _controlRetryAt, Environment.TickCount64 + (long)ControlRetry.TotalMilliseconds);
            return _control;
        }
    }

    /// <summary>
    /// Opens a control client of its own (a process, counted in <see cref="ProcessesStarted"/>),
    /// attached to <paramref name="session"/> (<c>=NAME</c> or <c>$ID</c>) or any session; null
    /// when there is no such session. The caller disposes it.
    /// </summary>
    /// <param name="output">Whether the client receives <c>%output</c> for its session's panes.</param>
    public TmuxControl? OpenControl(string? session = null, bool output = false)
    {
        CheckSocket();
        EnsureConfig();
        Interlocked.Increment(ref _processes);
        return TmuxControl.TryOpen(SocketName, configFile, output, session);
    }

    /// <summary>
    /// True when a server answers on the socket (it accepts a connection), told without starting
    /// a process. False when there is no socket or only the one a dead server left behind.
    /// </summary>
    public bool IsListening()
    {
        CheckSocket();
        var path = SocketPath;
        if (!File.Exists(path)) return false;
        try
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
                System.Net.Sockets.ProtocolType.Unspecified);
            socket.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (System.Net.Sockets.SocketException) { return false; }
    }

    /// <summary>Detaches the control client, if one is attached.</summary>
    public void CloseControl()
    {
        lock (_controlGate)
        {
            _control?.Dispose();
            _control = null;
        }
    }

    public void Dispose() => CloseControl();

    /// <summary>Runs one tmux command as its own process.</summary>
    public Result RunProcess(params string[] args)
    {
        CheckSocket();
        EnsureConfig();
        var all = new List<string> { "tmux", "-L", SocketName, "-f", configFile };
        all.AddRange(args);
        Interlocked.Increment(ref _processes);
        ProcessResult r;
        try { r = ChildProcess.Run(all, env: WithoutTmux, timeout: AnswerWithin); }
        catch (ProgramNotFoundException) { throw new OrcException(NotInstalled); }
        if (r.TimedOut) throw new TmuxNotAnsweringException($"tmux {args.FirstOrDefault()} did not answer within {AnswerWithin.TotalSeconds:0}s");
        return new Result(r.ExitCode, r.Out, r.Err);
    }

    private const string NotInstalled = "tmux is not installed or not on PATH (install it: apt-get install tmux; orc needs 3.2 or newer)";

    /// <summary>A tmux command run from inside another tmux still talks to this server (-L), never to that one.</summary>
    internal static readonly IReadOnlyDictionary<string, string?> WithoutTmux = new Dictionary<string, string?> { ["TMUX"] = null };

    private TmuxNotAnsweringException NotAnswering(string[] args, TmuxNotAnsweringException ex) =>
        new($"the workspace's tmux server ({SocketName}) did not answer '{args.FirstOrDefault()}' within {AnswerWithin.TotalSeconds:0}s: it is stopped or hung, and its agents cannot be reached; 'orc down --force' ends it (hooks and worktrees stay)");

    private Result Must(params string[] args)
    {
        var r = Run(args);
        if (!r.Ok) throw new OrcException($"tmux {args[0]} failed: {TerminalText.Line(r.Err.Trim())}");
        return r;
    }

    private bool _configChecked;
    private volatile bool _socketChecked;

    /// <summary>
    /// Refuses a socket name that is a path, a socket directory others can reach and a socket
    /// owned by someone else (<see cref="SocketGuard"/>); once the directory has passed, not again.
    /// </summary>
    public void CheckSocket()
    {
        if (_socketChecked) return;
        SocketGuard.ValidateName(SocketName);
        if (SocketGuard.Check(SocketPath)) _socketChecked = true;
    }

    /// <summary>Writes the server's config if it is missing or from another version of orc.</summary>
    private void EnsureConfig()
    {
        if (_configChecked) return;
        var bytes = Encoding.UTF8.GetBytes(Config);
        if (!File.Exists(configFile) || !File.ReadAllBytes(configFile).AsSpan().SequenceEqual(bytes))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(configFile)!);
            AtomicFile.Write(configFile, bytes);
        }
        _configChecked = true;
    }

    /// <summary>Checks tmux is there and recent enough; returns its version.</summary>
    public static Version CheckVersion()
    {
        string text;
        try { text = ChildProcess.Run(["tmux", "-V"]).Out.Trim(); }
        catch (ProgramNotFoundException) { throw new OrcException(NotInstalled); }
        var digits = new string(text.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray());
        if (!Version.TryParse(digits.Contains('.') ? digits : digits + ".0", out var v))
            throw new OrcException($"cannot tell the tmux version from '{TerminalText.Line(text)}'");
        if (v < MinimumVersion) throw new OrcException($"tmux {v} is too old; orc needs {MinimumVersion} or newer");
        return v;
    }

    public bool IsRunning() => Run("list-sessions", "-F", "#{session_name}").Ok;

    public bool HasSession(string session) => Run("has-session", "-t", "=" + session).Ok;

    /// <summary>Every window of the server (one pane each).</summary>
    public List<TmuxWindow> ListWindows()
    {
        if (!ControlConnected && !IsListening()) return []; // no server: no windows, and no process started to learn it
        var r = Run("list-panes", "-a", "-F",
            "#{session_name}\t#{window_name}\t#{pane_id}\t#{pane_pid}\t#{pane_dead}\t#{pane_dead_status}\t#{window_activity}\t#{pane_in_mode}\t#{pane_dead_signal}");
        if (!r.Ok) return []; // no server: no windows
        var list = new List<TmuxWindow>();
        foreach (var line in r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            if (f.Length < 8 || f[1] == KeeperWindow) continue;
            list.Add(new TmuxWindow(f[0], f[1], f[2],
                int.TryParse(f[3], out var pid) ? pid : 0,
                f[4] == "1",
                // tmux sees the pane's end (EOF) a moment before it reaps the process: until then
                // the pane is dead with no status. A signal is reported as a shell does, 128 + N.
                int.TryParse(f[5], out var st) ? st : f.Length > 8 && int.TryParse(f[8], out var sig) ? 128 + sig : null,
                long.TryParse(f[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var act) ? act : 0,
                f[7] == "1"));
        }
        return list;
    }

    /// <summary>
    /// Every window by session and name. tmux allows two windows of one name (a restart racing
    /// another); the live one stands for the name then.
    /// </summary>
    public static Dictionary<(string Session, string Window), TmuxWindow> ByTarget(IEnumerable<TmuxWindow> windows) =>
        windows.GroupBy(w => (w.Session, w.Window)).ToDictionary(g => g.Key, g => g.OrderBy(w => w.PaneDead).First());

    public TmuxWindow? FindWindow(string session, string window) =>
        ListWindows().FirstOrDefault(w => w.Session == session && w.Window == window);

    /// <summary>
    /// Starts <paramref name="argv"/> (run directly, not through a shell) in a new window, creating
    /// the session if needed. A window of that name that is dead is replaced; a live one only when
    /// <paramref name="replaceRunning"/> (its process is killed by tmux and the new one started in place).
    /// </summary>
    public void StartWindow(string session, string window, string cwd, IReadOnlyDictionary<string, string> env, IReadOnlyList<string> argv,
        bool replaceRunning = false)
    {
        if (argv.Count == 0) throw new OrcException("no command to start");
        var existing = FindWindow(session, window);
        if (existing is { PaneDead: false } && !replaceRunning) throw new OrcException($"tmux window {session}:{window} is already running");
        var args = new List<string>();
        // A dead window is respawned in place: killing it could end its session and with it the
        // server, racing the new-session that follows.
        if (existing is not null) args.AddRange(["respawn-window", "-k", "-t", Target(session, window)]);
        else
        {
            // The first window of a new session becomes its current one (a client attaching sees it, not the keeper).
            args.AddRange(EnsureSession(session, cwd) ? ["new-window", "-t", $"={session}:", "-n", window] : ["new-window", "-d", "-t", $"={session}:", "-n",
                window]);
        }
        // tmux expands formats in the start directory ('#(cmd)' would run cmd, '#{…}' be replaced):
        // '##' is a literal '#'. (-e values and the command's words are not expanded.)
        args.AddRange(["-c", cwd.Replace("#", "##")]);
        foreach (var (k, v) in env) args.AddRange(["-e", $"{k}={v}"]);
        // With two or more words tmux runs the command directly (execvp), never through sh -c.
        args.Add("--");
        if (argv.Count == 1) args.AddRange(["/usr/bin/env", argv[0]]);
        else args.AddRange(argv);
        var r = Run([.. args]);
        if (!r.Ok) throw new OrcException($"tmux {args[0]} failed: {TerminalText.Line(r.Err.Trim())}");
    }

    /// <summary>
    /// The first window of every session orc makes, kept until the server ends: its session then
    /// never ends while the server runs, whatever windows close. tmux 3.3a (Debian 12's) segfaults
    /// when a session is destroyed while a control client is attaching to it, and orc's control
    /// clients (the TUI's pane watcher, every orc's command client) attach to sessions all the
    /// time; the deacon closing a session's last dead window, or the last agent of a rig ending,
    /// used to destroy it. Left out of <see cref="ListWindows"/>.
    /// </summary>
    public const string KeeperWindow = "orc-keep";

    private static readonly string[] KeeperCommand =
        ["sh", "-c",
            "printf 'orc keeps this tmux session open with this window; its agents are in the other windows (C-b w lists them).\\n'; exec sleep infinity"];

    /// <summary>Makes <paramref name="session"/> with its <see cref="KeeperWindow"/> unless it exists (another process may make it at the same time); true when
    /// this call made it.</summary>
    private bool EnsureSession(string session, string cwd)
    {
        if (HasSession(session)) return false;
        string[] args = ["new-session", "-d", "-s", session, "-n", KeeperWindow, "-x", "200", "-y", "50", "-c", cwd.Replace("#", "##"), "--", .. KeeperCommand];
        var r = Run(args);
        // A server that was just exiting refuses once; a new one answers.
        if (!r.Ok && r.Err.Contains("server exited unexpectedly", StringComparison.Ordinal)) { Thread.Sleep(100); r = Run(args); }
        if (r.Ok) return true;
        if (!r.Err.Contains("duplicate session", StringComparison.Ordinal))
            throw new OrcException($"tmux new-session failed: {TerminalText.Line(r.Err.Trim())}");
        return false;
    }

    /// <summary>
    /// Runs <paramref name="argv"/> in the background from the tmux server itself (<c>run-shell -b</c>),
    /// outside every pane: it outlives the process that asked for it and any window tmux respawns.
    /// Each word is single-quoted for the shell tmux uses and every '#' doubled (tmux expands formats
    /// in the command first); the variables are set with <c>env</c>; its input and output are
    /// /dev/null and the shell always succeeds, so tmux has nothing to show in any pane.
    /// </summary>
    public void RunInBackground(string cwd, IReadOnlyDictionary<string, string> env, IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) throw new OrcException("no command to run");
        var words = new List<string> { "cd", ShellQuote(cwd), "&&", "/usr/bin/env" };
        foreach (var (k, v) in env) words.Add(ShellQuote($"{k}={v}"));
        words.AddRange(argv.Select(ShellQuote));
        words.Add("</dev/null >/dev/null 2>&1; exit 0");
        // A plain process, not the control client: the job must not depend on this orc's client.
        var r = RunProcess("run-shell", "-b", string.Join(' ', words).Replace("#", "##"));
        if (!r.Ok) throw new OrcException($"tmux run-shell failed: {TerminalText.Line(r.Err.Trim())}");
    }

    /// <summary>One word for /bin/sh: single-quoted, a quote inside written '\''.</summary>
    public static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    public string CapturePane(string session, string window, int lines = 50)
    {
        var r = Run("capture-pane", "-p", "-J", "-t", Target(session, window), "-S", $"-{Math.Max(1, lines)}");
        if (!r.Ok) throw new OrcException($"no tmux window {session}:{window} ({TerminalText.Line(r.Err.Trim())})", ExitCodes.NotFound);
        return r.Out;
    }

    /// <summary>
    /// The text of several panes by id (<c>%3</c>), as <see cref="CapturePane"/> gives it (the
    /// visible screen and up to <paramref name="lines"/> lines of history, wrapped lines joined)
    /// and made safe to show (<see cref="TerminalText.Block"/>: no escape sequence or other control
    /// character survives). All the captures go to the control client at once, one round trip and
    /// no process. Panes that do not exist (any more) and ids that are not pane ids are left out.
    /// </summary>
    public Dictionary<string, string> CapturePanes(IEnumerable<string> paneIds, int lines = 50)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var ids = paneIds.Where(IsPaneId).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) return result;
        var commands = ids.Select(id => (IReadOnlyList<string>)["capture-pane", "-p", "-J", "-t", id, "-S", $"-{Math.Max(1, lines)}"]).ToList();
        Result[]? replies = null;
        if (Control([.. commands[0]]) is { } control)
        {
            try { replies = control.RunAll(commands); }
            catch (OrcException) { /* the client went away (server stopped?): see below */ }
        }
        if (replies is null)
        {
            // No control client: a process per pane, but none at all when no server is there.
            if (!IsListening()) return result;
            replies = [.. commands.Select(c => RunProcess([.. c]))];
        }
        for (var i = 0; i < ids.Count; i++)
            if (replies[i].Ok) result[ids[i]] = TerminalText.Block(replies[i].Out);
        return result;
    }

    /// <summary>True for a tmux pane id: <c>%</c> and digits.</summary>
    public static bool IsPaneId(string? id) =>
        id is { Length: > 1 } && id[0] == '%' && id.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;

    public void KillWindow(string session, string window) => Run("kill-window", "-t", Target(session, window));

    /// <summary>Stops the server and removes its socket file (tmux 3.3 leaves it behind).</summary>
    public void KillServer()
    {
        Run("kill-server");
        try { File.Delete(SocketPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Ends the server without asking it (for one that is stopped or hung): its process, found by
    /// its socket, is killed, and the socket removed. Returns the pids killed.
    /// </summary>
    public List<int> KillServerProcess()
    {
        CloseControl();
        var killed = TmuxServerProcess.Kill(SocketPath);
        try { File.Delete(SocketPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return killed;
    }

    /// <summary>Where tmux keeps this server's socket: $TMUX_TMPDIR (or /tmp), then tmux-UID/NAME.</summary>
    public string SocketPath =>
        Path.Combine(SocketGuard.DirectoryFor(Environment.GetEnvironmentVariable("TMUX_TMPDIR")), SocketName);

    /// <summary>This process's user id (tmux names its socket folder after it).</summary>
    public static uint UserId => SocketGuard.GetUid();

    /// <summary>
    /// Types <paramref name="text"/> into a pane as literal keys, then Enter after a short settle,
    /// and reports whether the pane changed. Copy mode is left first. One sender per pane at a
    /// time across processes (a lock file per pane), so two messages never interleave.
    /// </summary>
    public bool SendText(string session, string window, string text, bool pressEnter = true, TimeSpan? settle = null)
    {
        using var paneLock = FileLock.Acquire(Path.Combine(locksDir, $"pane-{session}-{window}.lock"), TimeSpan.FromSeconds(30), "send to " + window);
        var target = Target(session, window);
        var w = FindWindow(session, window) ?? throw new OrcException($"no tmux window {session}:{window}", ExitCodes.NotFound);
        if (w.PaneDead) throw new OrcException($"the agent in {session}:{window} is not running (its process exited)");
        if (w.InMode) Run("send-keys", "-t", target, "-X", "cancel");
        var before = CapturePane(session, window, 200);
        // Literal mode: every character is a key, nothing is read as a key name or run.
        foreach (var chunk in Chunks(text.Replace("\r\n", "\n").Replace('\n', '\r'), 512))
            Must("send-keys", "-t", target, "-l", "--", chunk);
        Thread.Sleep(settle ?? TimeSpan.FromMilliseconds(150));
        if (pressEnter) Must("send-keys", "-t", target, "Enter");
        for (var i = 0; i < 20; i++)
        {
            if (CapturePane(session, window, 200) != before) return true;
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>Sends tmux key names (e.g. Enter, Down, C-c) to a pane.</summary>
    public void SendKeys(string session, string window, IEnumerable<string> keys)
    {
        foreach (var k in keys) Must("send-keys", "-t", Target(session, window), k);
    }

    private static IEnumerable<string> Chunks(string s, int size)
    {
        for (var i = 0; i < s.Length; i += size) yield return s.Substring(i, Math.Min(size, s.Length - i));
    }
}
