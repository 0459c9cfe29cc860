namespace Orchestrator.Core.Items;

/// <summary>
/// How much one work item may hold: the one place these limits are stated. Typed input (the CLI,
/// a batch line, the TUI) is checked against them by <see cref="WorkItemRules.Check(CreateItemRequest, DateTimeOffset, Func{string, string}?)"/>
/// before the workspace lock is taken, and an imported record by <see cref="WorkItemRules.Record"/>
/// before its import takes the lock, so whatever runs under the lock works on bounded input.
/// docs/cli.md lists them under "Limits" (DocsTests checks that list against these values).
/// </summary>
public static class ItemLimits
{
    /// <summary>Characters in a title (one line).</summary>
    public const int TitleLength = 500;

    /// <summary>Characters in a description, design, acceptance criteria, notes, a comment or a close reason.</summary>
    public const int TextLength = 256 * 1024;

    /// <summary>Labels on one item, and labels given in one command.</summary>
    public const int Labels = 100;

    /// <summary>Characters in one label.</summary>
    public const int LabelLength = 64;

    /// <summary>Characters in an assignee, owner, creator or external reference.</summary>
    public const int NameLength = 128;

    /// <summary>Files (paths, folders or globs) one item claims.</summary>
    public const int Files = 500;

    /// <summary>Characters in one claimed path.</summary>
    public const int PathLength = 1024;

    /// <summary>Dependencies of one item (its parent, what blocks it, what it was discovered from, related items).</summary>
    public const int Dependencies = 500;

    /// <summary>Characters of raw JSON, together, in the fields orc does not know of one imported record (its dependencies and comments included).</summary>
    public const int UnknownFieldsLength = 256 * 1024;
}
