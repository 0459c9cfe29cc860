using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Rigs;

namespace Orchestrator.Services.Runtime;

/// <summary>
/// One look at an agent for <c>orc agents</c> and the TUI: reads its screen through its profile
/// and asks <see cref="Watch.StateOf"/>, the classifier the witness uses too, with the same
/// <see cref="ScreenClock"/>, so they never disagree.
/// </summary>
public static class AgentLook
{
    /// <param name="screenOf">The screen of a pane the caller already captured, or null to capture it here.</param>
    public static string StateOf(RuntimeContext runtime, Hook h, TmuxWindow? w, IReadOnlyList<Rig> rigs, DateTimeOffset now, Func<string,
        string?>? screenOf = null)
    {
        string? profileState = null;
        var repeating = false;
        // Without a screen read: tmux's last activity of the window (0 when tmux does not say).
        var unchanged = w is { ActivityUnix: > 0 } ? TimeSpan.FromSeconds(Math.Max(0, now.ToUnixTimeSeconds() - w.ActivityUnix)) : TimeSpan.Zero;
        if (w is { PaneDead: false } && !HookRules.Escalated(h))
        {
            try
            {
                var screen = screenOf?.Invoke(w.PaneId) ?? runtime.Tmux.CapturePane(w.Session, w.Window, AgentProfile.ScreenLines);
                repeating = Watch.RepeatingBlock(screen) is not null;
                try
                {
                    var profile = runtime.Profiles.Get(h.Profile);
                    profileState = profile.Classify(screen);
                    unchanged = runtime.Screens.UnchangedFor(h.Agent, profile.Steady(screen), now, w.ActivityUnix);
                }
                catch (OrcException) { profileState = AgentStates.Unknown; } // its profile is gone: the screen alone says nothing
            }
            catch (OrcException) { } // the pane went away between the listing and now
        }
        // A rig's agents go by its stuck_after; the mayor, the workspace's own agent, by mayor.stuck_after.
        var stuckAfter = TimeSpan.FromSeconds(h.Role == Roles.Mayor ? runtime.Workspace.Config.MayorStuckAfterSeconds
            : rigs.FirstOrDefault(r => r.Name == h.Rig)?.StuckAfterSeconds ?? 300);
        return Watch.StateOf(new AgentSighting(h, w is not null, w?.PaneDead ?? false, profileState, repeating, unchanged, stuckAfter));
    }
}
