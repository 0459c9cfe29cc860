namespace Orchestrator.Core.Agents;

/// <summary>Agent roles (what each does: docs/architecture.md, "The roles"; the glossary in CONTRIBUTING.md).</summary>
public static class Roles
{
    public const string Mayor = "mayor";
    public const string Polecat = "polecat";
    public const string Crew = "crew";
    public const string Refinery = "refinery";
    public const string Witness = "witness";
    public const string Deacon = "deacon";
    /// <summary>
    /// The assistive reviewer (rig setting <c>review_agent</c>): reads one candidate waiting for
    /// review, read-only, and leaves comments and a verdict; it never approves or lands anything.
    /// </summary>
    public const string Reviewer = "reviewer";

    /// <summary>Agents that outlive their work items (crew, mayor): their hook rests idle between items and their worktree is never cleaned up.</summary>
    public static bool IsPersistent(string role) => role is Crew or Mayor;
}
