using System.Security.Cryptography;
using System.Text;
using Orchestrator.Adapters.Workspace;
using Orchestrator.Core;

namespace Orchestrator.Services.Runtime;

/// <summary>
/// Tells the user about an event (a convoy landed, an agent waits for an answer or is stuck) on
/// the workspace's tmux server, as the configuration says (<c>notify:</c> in .orc/config.yaml or
/// the user's file): a status-line message, a bell, a desktop notification. Each event is told
/// once across processes: the first to create its marker in <c>.orc/run/notified/</c> tells it.
/// </summary>
public sealed class Notifier(RuntimeContext runtime)
{
    public const string ConvoyLanded = "convoy_landed";
    public const string Waiting = "waiting";
    public const string Stuck = "stuck";

    private static readonly TimeSpan KeepMarkers = TimeSpan.FromDays(2);

    /// <summary>
    /// Tells <paramref name="text"/> for an event of kind <paramref name="kind"/> (one of
    /// <see cref="WorkspaceConfig.NotifyEventNames"/>) whose identity is <paramref name="key"/>.
    /// Returns how many tmux clients were told (0 when off, already told or nobody attached). Never throws.
    /// </summary>
    public int Raise(string kind, string key, string text, bool bell = true)
    {
        try
        {
            var config = runtime.Workspace.Config;
            if (!config.NotifyEvents.Contains(kind)) return 0;
            if (!config.NotifyTmux && !config.NotifyBell && config.NotifyDesktop == Adapters.Tmux.DesktopNotification.Off) return 0;
            if (!FirstToTell(kind + "\n" + key)) return 0;
            return runtime.Tmux.Notify("orc: " + text, config.NotifyTmux, config.NotifyBell && bell, config.NotifyDesktop);
        }
        catch (Exception e) when (e is OrcException or IOException or UnauthorizedAccessException)
        {
            return 0; // a notification is a courtesy: never the reason a service stops
        }
    }

    private bool FirstToTell(string identity)
    {
        var dir = Path.Combine(runtime.Workspace.Paths.RunDir, "notified");
        Directory.CreateDirectory(dir);
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..24];
        try
        {
            using (new FileStream(Path.Combine(dir, name), FileMode.CreateNew, FileAccess.Write)) { }
        }
        catch (IOException) when (File.Exists(Path.Combine(dir, name)))
        {
            return false;
        }
        Forget(dir);
        return true;
    }

    /// <summary>Removes markers older than <see cref="KeepMarkers"/> by the workspace's clock.</summary>
    private void Forget(string dir)
    {
        var old = runtime.Workspace.Now.UtcDateTime - KeepMarkers;
        foreach (var f in Directory.EnumerateFiles(dir))
        {
            try { if (File.GetLastWriteTimeUtc(f) < old) File.Delete(f); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
