namespace Orchestrator.Core.Items;

/// <summary>Work item statuses, spelled as Beads spells them.</summary>
public static class Statuses
{
    public const string Open = "open";
    public const string InProgress = "in_progress";
    public const string Blocked = "blocked";
    public const string Deferred = "deferred";
    public const string Closed = "closed";
    public const string Hooked = "hooked";
    public const string Pinned = "pinned";
    public const string Tombstone = "tombstone";

    /// <summary>Statuses a user or agent may set.</summary>
    public static readonly IReadOnlyList<string> Settable = [Open, InProgress, Blocked, Deferred, Closed, Hooked, Pinned];

    /// <summary>Every status a ledger may hold (tombstone is only read and kept, e.g. from an import).</summary>
    public static readonly IReadOnlyList<string> All = [.. Settable, Tombstone];

    /// <summary>A dependency on an item in one of these statuses still blocks.</summary>
    public static bool IsActive(string status) =>
        status is Open or InProgress or Blocked or Hooked;

    public static bool IsKnown(string status) => All.Contains(status);
}

/// <summary>Issue types; any other string is kept as given.</summary>
public static class IssueTypes
{
    public const string Task = "task";
    public const string Bug = "bug";
    public const string Feature = "feature";
    public const string Epic = "epic";
    public const string Chore = "chore";

    public static readonly IReadOnlyList<string> Known = [Task, Bug, Feature, Epic, Chore];
}

/// <summary>Dependency types. The blocking ones decide readiness.</summary>
public static class DependencyTypes
{
    public const string Blocks = "blocks";
    public const string ConditionalBlocks = "conditional-blocks";
    public const string WaitsFor = "waits-for";
    public const string ParentChild = "parent-child";
    public const string Related = "related";
    public const string DiscoveredFrom = "discovered-from";
    /// <summary>On an item closed as a duplicate: the canonical item (<c>orc item duplicate ID --of CANONICAL</c>).</summary>
    public const string Duplicates = "duplicates";
    /// <summary>On an item closed as replaced: the item that replaces it (<c>orc item supersede ID --by NEW</c>).</summary>
    public const string SupersededBy = "superseded-by";

    public static readonly IReadOnlyList<string> Known = [Blocks, ConditionalBlocks, WaitsFor, ParentChild, Related, DiscoveredFrom, Duplicates, SupersededBy];

    public static bool IsBlocking(string type) => type is Blocks or ConditionalBlocks or WaitsFor;

    /// <summary>Edges that must never form a cycle.</summary>
    public static bool IsOrdering(string type) => IsBlocking(type) || type == ParentChild;
}
