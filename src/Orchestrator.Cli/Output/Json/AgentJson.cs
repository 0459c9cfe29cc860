using Orchestrator.Core.Agents;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Cli.Output.Json;

/// <summary>shape <c>hook</c>: an agent's hook, with its live view when listed (<c>orc agents</c>, <c>orc crew list</c>).</summary>
internal sealed record HookJson(
    string Agent, string Rig, string Role, string? Item, string Branch, string Worktree, string Profile, string HookState, int Restarts,
    string? State, bool? WindowAlive, int? ExitStatus, string? LastActivity)
{
    public static HookJson From(Hook h, AgentView? view = null) =>
        new(h.Agent, h.Rig, h.Role, h.Item, h.Branch, h.Worktree, h.Profile, h.State, h.Restarts,
            view?.State, view?.WindowAlive, view?.ExitStatus, Unix(view?.LastActivityUnix));

    public static HookJson From(AgentView view) => From(view.Hook, view);

    /// <summary>A unix time as ISO 8601, or null.</summary>
    public static string? Unix(long? seconds) => seconds is { } t ? DateTimeOffset.FromUnixTimeSeconds(t).ToString("O") : null;
}

/// <summary>shape <c>queued</c>: an item waiting for a free agent slot (<c>orc sling</c> over capacity, <c>orc dispatch list</c>).</summary>
internal sealed record QueuedJson(string Item, string Rig, bool Queued, string QueuedAt, string By, string? Agent, string? Profile)
{
    public static QueuedJson From(DispatchEntry q) => new(q.Item, q.Rig, true, q.QueuedAt, q.By, q.Agent, q.Profile);
}

/// <summary>shape <c>mayor</c>: <c>orc mayor status</c>.</summary>
internal sealed record MayorJson(bool Exists, bool Running, string State, string? Profile, string? Session, string? Window, string? CreatedAt, int Unread,
    string? LastActivity)
{
    public static MayorJson From(MayorStatus s) =>
        new(s.Hook is not null, s.Running, s.State, s.Hook?.Profile, s.Hook?.Rig, s.Hook?.Agent, s.Hook?.CreatedAt, s.Unread,
            HookJson.Unix(s.LastActivityUnix));
}
