using Orchestrator.Adapters.Processes;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Tmux;

/// <summary>
/// Takes this terminal to a window of a workspace's tmux server, the one way orc does it (the TUI,
/// <c>orc attach</c>, <c>orc demo</c>). Inside that server (<c>$TMUX</c> names its socket) the
/// client showing this pane is switched to the window, and F12 comes back; anywhere else (no tmux,
/// or another tmux server, where it opens nested) this terminal attaches to the window until the
/// user detaches.
/// </summary>
public static class TmuxAttach
{
    /// <summary>
    /// True when <c>$TMUX</c> (<paramref name="tmuxVariable"/>) names the server at
    /// <paramref name="socketPath"/>: its socket path comes first, the same path or the same socket
    /// (tmux writes the folder's real path, which a symlink in <c>$TMUX_TMPDIR</c> makes another).
    /// </summary>
    public static bool Inside(string? tmuxVariable, string socketPath) =>
        tmuxVariable is { Length: > 0 } t && t.Split(',')[0] is var path && (path == socketPath || SocketGuard.SameFile(path, socketPath));

    /// <summary>True when this process runs inside <paramref name="tmux"/> (its <c>$TMUX</c>, read through <paramref name="environment"/>).</summary>
    public static bool Inside(ITmuxServer tmux, Func<string, string?> environment) => Inside(environment("TMUX"), tmux.SocketPath);

    /// <summary>
    /// Goes to <paramref name="target"/> (a <see cref="TmuxServer.Target"/>): switches when inside
    /// the server, else attaches this terminal. Returns tmux's exit code (0 after a switch); throws
    /// <see cref="OrcException"/> when a switch fails.
    /// </summary>
    public static int Open(ITmuxServer tmux, string target, Func<string, string?> environment)
    {
        if (!Inside(tmux, environment)) return Attach(tmux, target);
        if (Switch(tmux, target, environment("TMUX_PANE")) is { } error) throw new OrcException(error);
        return 0;
    }

    /// <summary>
    /// Switches the tmux client that shows <paramref name="pane"/> (this process's <c>$TMUX_PANE</c>)
    /// to <paramref name="target"/>. Returns null when done, else what went wrong.
    /// </summary>
    public static string? Switch(ITmuxServer tmux, string target, string? pane)
    {
        // Name the client: without -c tmux would pick the most recently active one, which may be
        // another terminal, or orc's own control client.
        if (ClientShowing(tmux, pane) is not { } tty) return "no tmux client is showing this pane, so there is nothing to switch";
        var r = tmux.Run("switch-client", "-c", tty, "-t", target);
        return r.Ok ? null : $"tmux switch-client failed: {TerminalText.Line(r.Err.Trim())}";
    }

    /// <summary>
    /// Attaches this terminal to <paramref name="target"/> until the user detaches (F12); from inside
    /// another tmux, as a client of this server nested in it. Returns tmux's exit code.
    /// </summary>
    public static int Attach(ITmuxServer tmux, string target)
    {
        tmux.CheckSocket();
        return ChildProcess.Interactive(["tmux", "-L", tmux.SocketName, "-f", tmux.ConfigFile, "attach-session", "-t", target], Nested);
    }

    /// <summary>Without these, tmux refuses to attach from inside another tmux ("sessions should be nested with care").</summary>
    private static readonly IReadOnlyDictionary<string, string?> Nested = new Dictionary<string, string?> { ["TMUX"] = null, ["TMUX_PANE"] = null };

    /// <summary>The tty of the tmux client (not a control client) that shows <paramref name="pane"/>.</summary>
    private static string? ClientShowing(ITmuxServer tmux, string? pane)
    {
        if (string.IsNullOrEmpty(pane)) return null;
        var clients = tmux.Run("list-clients", "-F", "#{client_tty}\t#{pane_id}\t#{client_control_mode}");
        foreach (var line in clients.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            if (f.Length >= 3 && f[2] != "1" && f[1] == pane) return f[0];
        }
        return null;
    }
}
