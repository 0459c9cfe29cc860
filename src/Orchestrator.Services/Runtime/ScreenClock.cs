using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Services.Runtime;

/// <summary>
/// How long an agent's screen has not changed, shared by everyone who looks (the witness,
/// <c>orc agents</c>, the TUI), so they agree on "stuck". What is compared is the profile's steady
/// screen (<see cref="Core.Agents.AgentProfile.Steady"/>: spinners and second counters removed):
/// tmux's own activity time cannot be used alone, since a CLI waiting on a hung model redraws its
/// spinner every second. One small file per agent under <c>.orc/run/screens/</c> holds the
/// fingerprint of the steady screen and when it was first seen; it is runtime state (not
/// committed, not fsynced: losing it only restarts the count).
/// </summary>
public sealed class ScreenClock(string runDir)
{
    private string Dir => Path.Combine(runDir, "screens");

    /// <summary>
    /// How long <paramref name="agent"/>'s steady screen has been <paramref name="steady"/> as of
    /// <paramref name="now"/>. A screen seen for the first time is dated from tmux's last activity of
    /// the window (<paramref name="activityUnix"/>, 0 when unknown) when that is earlier; a screen
    /// that changed since the last look is dated now.
    /// </summary>
    public TimeSpan UnchangedFor(string agent, string steady, DateTimeOffset now, long activityUnix)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(steady)))[..16];
        var path = Path.Combine(Dir, agent);
        var last = Read(path);
        if (last is { } l && l.Hash == hash) return Max0(now - DateTimeOffset.FromUnixTimeSeconds(l.Since));
        var nowUnix = now.ToUnixTimeSeconds();
        var since = last is null && activityUnix > 0 ? Math.Min(activityUnix, nowUnix) : nowUnix;
        Write(path, hash, since);
        return Max0(now - DateTimeOffset.FromUnixTimeSeconds(since));
    }

    private static TimeSpan Max0(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;

    private static (string Hash, long Since)? Read(string path)
    {
        try
        {
            // "HASH SINCE_UNIX"; anything else (a torn or foreign file) counts as never seen.
            var parts = File.ReadAllText(path).Split(' ', 2);
            return parts.Length == 2 && long.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var since) ? (parts[0],
                since) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
    }

    private void Write(string path, string hash, long since)
    {
        // Several lookers may write at once: each writes a file of its own and renames it over the
        // last, so a reader sees one whole record or the one before. A failure only loses this look.
        var temp = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            Directory.CreateDirectory(Dir);
            File.WriteAllText(temp, string.Create(CultureInfo.InvariantCulture, $"{hash} {since}\n"));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
