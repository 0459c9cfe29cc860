using System.Globalization;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Tmux;

/// <summary>One window of the server as tmux lists it.</summary>
public sealed record TmuxWindow(string Session, string Window, string PaneId, int PanePid, bool PaneDead, int? ExitStatus, long ActivityUnix, bool InMode);

/// <summary>
/// The workspace's private tmux server (<c>tmux -L NAME</c>; tmux keeps its socket in a
/// directory only the user can read). Every call is an argument array run through CliWrap, never
/// a shell string, and every target is an exact match (<c>=session:=window</c>), so no name or
/// text can be read as something else. orc never talks to any other tmux server.
/// </summary>
public sealed class TmuxServer(string socketName, string configFile, string locksDir)
{
    public static readonly Version MinimumVersion = new(3, 2);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);

    public string SocketName { get; } = socketName;

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
        # F12 (or prefix + o) returns from an agent's window to the orc window.
        bind-key -n F12 select-window -t :=orc
        bind-key o select-window -t :=orc

        """;

    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public bool Ok => ExitCode == 0;
    }

    /// <summary>Runs one tmux command on this server.</summary>
    public Result Run(params string[] args)
    {
        EnsureConfig();
        var all = new List<string> { "-L", SocketName, "-f", configFile };
        all.AddRange(args);
        try
        {
            var task = Cli.Wrap("tmux")
                .WithArguments(all)
                .WithValidation(CommandResultValidation.None)
                .WithEnvironmentVariables(e => e.Set("TMUX", null))
                .ExecuteBufferedAsync(Encoding.UTF8, new CancellationTokenSource(CallTimeout).Token);
            var r = task.GetAwaiter().GetResult();
            return new Result(r.ExitCode, r.StandardOutput, r.StandardError);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new OrcException("tmux is not installed or not on PATH (install it: apt-get install tmux; orc needs 3.2 or newer)");
        }
        catch (OperationCanceledException)
        {
            throw new OrcException($"tmux {args.FirstOrDefault()} did not answer within {CallTimeout.TotalSeconds:0}s");
        }
    }

    private Result Must(params string[] args)
    {
        var r = Run(args);
        if (!r.Ok) throw new OrcException($"tmux {args[0]} failed: {TerminalText.Line(r.Err.Trim())}");
        return r;
    }

    private void EnsureConfig()
    {
        if (File.Exists(configFile)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(configFile)!);
        AtomicFile.Write(configFile, Encoding.UTF8.GetBytes(Config));
    }

    /// <summary>Checks tmux is there and recent enough; returns its version.</summary>
    public static Version CheckVersion()
    {
        string text;
        try
        {
            text = Cli.Wrap("tmux").WithArguments(["-V"]).WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync().GetAwaiter().GetResult().StandardOutput.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new OrcException("tmux is not installed or not on PATH (install it: apt-get install tmux; orc needs 3.2 or newer)");
        }
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
        var r = Run("list-panes", "-a", "-F",
            "#{session_name}\t#{window_name}\t#{pane_id}\t#{pane_pid}\t#{pane_dead}\t#{pane_dead_status}\t#{window_activity}\t#{pane_in_mode}");
        if (!r.Ok) return []; // no server: no windows
        var list = new List<TmuxWindow>();
        foreach (var line in r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            if (f.Length < 8) continue;
            list.Add(new TmuxWindow(f[0], f[1], f[2],
                int.TryParse(f[3], out var pid) ? pid : 0,
                f[4] == "1",
                int.TryParse(f[5], out var st) ? st : null,
                long.TryParse(f[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var act) ? act : 0,
                f[7] == "1"));
        }
        return list;
    }

    public TmuxWindow? FindWindow(string session, string window) =>
        ListWindows().FirstOrDefault(w => w.Session == session && w.Window == window);

    /// <summary>
    /// Starts <paramref name="argv"/> (run directly, not through a shell) in a new window, creating
    /// the session if needed. A window of that name that is dead is replaced.
    /// </summary>
    public void StartWindow(string session, string window, string cwd, IReadOnlyDictionary<string, string> env, IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) throw new OrcException("no command to start");
        var existing = FindWindow(session, window);
        if (existing is { PaneDead: false }) throw new OrcException($"tmux window {session}:{window} is already running");
        if (existing is not null) Run("kill-window", "-t", Target(session, window));
        var args = new List<string>();
        if (HasSession(session)) args.AddRange(["new-window", "-d", "-t", $"={session}:", "-n", window]);
        else args.AddRange(["new-session", "-d", "-s", session, "-n", window, "-x", "200", "-y", "50"]);
        args.AddRange(["-c", cwd]);
        foreach (var (k, v) in env) args.AddRange(["-e", $"{k}={v}"]);
        // With two or more words tmux runs the command directly (execvp), never through sh -c.
        args.Add("--");
        if (argv.Count == 1) args.AddRange(["/usr/bin/env", argv[0]]);
        else args.AddRange(argv);
        Must([.. args]);
    }

    public string CapturePane(string session, string window, int lines = 50)
    {
        var r = Run("capture-pane", "-p", "-J", "-t", Target(session, window), "-S", $"-{Math.Max(1, lines)}");
        if (!r.Ok) throw new OrcException($"no tmux window {session}:{window} ({TerminalText.Line(r.Err.Trim())})", ExitCodes.NotFound);
        return r.Out;
    }

    public void KillWindow(string session, string window) => Run("kill-window", "-t", Target(session, window));

    public void KillServer() => Run("kill-server");

    public void DisplayMessage(string text) => Run("display-message", "-d", "4000", text.Replace("#", "##"));

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
