using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Tmux;

/// <summary>The people's clients attached to the server: telling them something, detaching them.</summary>
public sealed partial class TmuxServer
{
    /// <summary>
    /// Shows <paramref name="text"/> on the status line of every user attached to this server (not
    /// orc's own control clients) and, with <paramref name="bell"/>, rings their terminal's bell.
    /// The text is made one safe line and '#' is escaped, so it is shown, never expanded. Returns
    /// how many clients were told; none attached is not an error.
    /// </summary>
    public int Notify(string text, bool bell = false) => Notify(text, message: true, bell, DesktopNotification.Off);

    /// <summary>
    /// Detaches the people's clients attached to <paramref name="session"/> (never a control client);
    /// the number detached. Sessions keep their <see cref="KeeperWindow"/>, so a client whose last
    /// window closed stays on the keeper; this sends it back to where it attached from.
    /// </summary>
    public int DetachClients(string session)
    {
        var r = Run("list-clients", "-t", "=" + session, "-F", "#{client_control_mode}\t#{client_name}");
        if (!r.Ok) return 0;
        var detached = 0;
        foreach (var row in r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = row.Split('\t');
            if (f.Length < 2 || f[0] == "1") continue;
            if (Run("detach-client", "-t", f[1]).Ok) detached++;
        }
        return detached;
    }

    /// <summary>
    /// Tells every user attached to this server: a status-line message, a bell, and a desktop
    /// notification (OSC 9 or OSC 777) written straight to each client's terminal, as tmux writes
    /// its own bell there (no passthrough needed). Every piece of text is one safe line: escape
    /// sequences in it are shown as text, never sent.
    /// </summary>
    public int Notify(string text, bool message, bool bell, string desktop, string title = "orc")
    {
        var r = Run("list-clients", "-F", "#{client_control_mode}\t#{client_name}\t#{client_tty}\t#{client_termname}");
        if (!r.Ok) return 0;
        var told = 0;
        var line = TerminalText.Line(text);
        foreach (var row in r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = row.Split('\t');
            if (f.Length < 3 || f[0] == "1") continue;
            if (message && Run("display-message", "-c", f[1], "-d", "5000", line.Replace("#", "##")).Ok) told++;
            if (!f[2].StartsWith("/dev/", StringComparison.Ordinal)) continue;
            var bytes = new List<byte>();
            var osc = DesktopNotification.Sequence(desktop, f.Length > 3 ? f[3] : "", title, line);
            if (osc is not null) bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(osc));
            if (bell) bytes.Add(7); // one BEL byte, as tmux's own bell-action would
            if (bytes.Count == 0) continue;
            try { using var tty = new FileStream(f[2], FileMode.Open, FileAccess.Write); tty.Write(bytes.ToArray()); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            if (!message) told++;
        }
        return told;
    }
}
