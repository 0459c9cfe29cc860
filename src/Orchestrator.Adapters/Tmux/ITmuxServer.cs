namespace Orchestrator.Adapters.Tmux;

/// <summary>
/// The workspace's tmux server as orc's services, the TUI and the attach verbs use it:
/// <see cref="TmuxServer"/> is the real one; a test gives the runtime its own (a fake of windows,
/// screens and sent keys) to decide what the witness does without a server or a clock that runs.
/// Only what those callers call; the rest of <see cref="TmuxServer"/> (control mode, the
/// process count) is the real server's own.
/// </summary>
public interface ITmuxServer : IDisposable
{
    /// <summary>The server's name (<c>tmux -L NAME</c>).</summary>
    string SocketName { get; }

    /// <summary>Where tmux keeps the server's socket.</summary>
    string SocketPath { get; }

    /// <summary>The config file the server is started with.</summary>
    string ConfigFile { get; }

    /// <summary>Refuses a socket that is not safe to use (<see cref="SocketGuard"/>).</summary>
    void CheckSocket();

    /// <summary>True when a server answers on the socket.</summary>
    bool IsListening();

    /// <summary>Runs one tmux command on this server.</summary>
    TmuxServer.Result Run(params string[] args);

    /// <summary>Every window of the server (one pane each), the keeper window left out.</summary>
    List<TmuxWindow> ListWindows();

    /// <summary>The window <paramref name="window"/> of <paramref name="session"/>, or null.</summary>
    TmuxWindow? FindWindow(string session, string window);

    /// <summary>Starts <paramref name="argv"/> in a new window (or a dead one's place), creating the session if needed.</summary>
    void StartWindow(string session, string window, string cwd, IReadOnlyDictionary<string, string> env, IReadOnlyList<string> argv,
        bool replaceRunning = false);

    /// <summary>Runs <paramref name="argv"/> in the background from the server itself, outside every pane.</summary>
    void RunInBackground(string cwd, IReadOnlyDictionary<string, string> env, IReadOnlyList<string> argv);

    /// <summary>The text of a window's pane: the visible screen and up to <paramref name="lines"/> lines of history.</summary>
    string CapturePane(string session, string window, int lines = 50);

    /// <summary>The text of several panes by id, made safe to show; missing panes are left out.</summary>
    Dictionary<string, string> CapturePanes(IEnumerable<string> paneIds, int lines = 50);

    /// <summary>Types <paramref name="text"/> into a pane as literal keys (then Enter); true when the pane changed.</summary>
    bool SendText(string session, string window, string text, bool pressEnter = true, TimeSpan? settle = null);

    /// <summary>Sends tmux key names (Enter, Down, C-c) to a pane.</summary>
    void SendKeys(string session, string window, IEnumerable<string> keys);

    void KillWindow(string session, string window);

    /// <summary>Stops the server and removes its socket file.</summary>
    void KillServer();

    /// <summary>Ends the server's process without asking it; the pids killed.</summary>
    List<int> KillServerProcess();

    /// <summary>Tells every user attached to the server (status line, bell, desktop notification); how many were told.</summary>
    int Notify(string text, bool message, bool bell, string desktop, string title = "orc");

    /// <summary>Detaches the people's clients attached to <paramref name="session"/>; how many.</summary>
    int DetachClients(string session);

    /// <summary>A control client of its own attached to <paramref name="session"/> (or any), or null; the caller disposes it.</summary>
    TmuxControl? OpenControl(string? session = null, bool output = false);
}
