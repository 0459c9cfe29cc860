namespace Orchestrator.Core.Agents;

/// <summary>Agent roles (see the vocabulary in VISION.md).</summary>
public static class Roles
{
    public const string Mayor = "mayor";
    public const string Polecat = "polecat";
    public const string Crew = "crew";
    public const string Refinery = "refinery";
    public const string Witness = "witness";
    public const string Deacon = "deacon";

    /// <summary>Agents that outlive their work items (crew, mayor): their hook rests idle between items and their worktree is never cleaned up.</summary>
    public static bool IsPersistent(string role) => role is Crew or Mayor;
}
