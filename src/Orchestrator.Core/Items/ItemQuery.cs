namespace Orchestrator.Core.Items;

/// <summary>
/// The one filter over work items: <c>orc item list</c> and <c>orc ready</c> build it from their
/// options, the TUI parses it from what is typed after <c>/</c> (words separated by spaces, all of
/// which must hold): <c>status:open,blocked</c>, <c>ready</c>, <c>blocked</c>, <c>rig:NAME</c>,
/// <c>assignee:NAME</c> (or <c>@NAME</c>; <c>none</c> for unassigned), <c>label:NAME</c> (or
/// <c>#NAME</c>), <c>type:bug</c>, <c>p:1</c>, <c>all</c> (closed items too; they are hidden
/// otherwise; deleted items only by <c>status:tombstone</c>), and any other word is text looked for in the id, title, assignee, labels,
/// description and notes. Every comparison ignores case.
/// </summary>
public sealed record ItemQuery
{
    public IReadOnlyList<string> Statuses { get; init; } = [];
    public bool Ready { get; init; }
    public bool Blocked { get; init; }
    public bool All { get; init; }
    public string? Rig { get; init; }
    public string? Assignee { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    public string? Type { get; init; }
    public int? Priority { get; init; }
    public IReadOnlyList<string> Words { get; init; } = [];

    public static ItemQuery Parse(string? text)
    {
        var q = new ItemQuery();
        var statuses = new List<string>();
        var labels = new List<string>();
        var words = new List<string>();
        foreach (var token in (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = token.IndexOf(':');
            var key = colon > 0 ? token[..colon].ToLowerInvariant() : "";
            var value = colon > 0 ? token[(colon + 1)..] : "";
            switch (key)
            {
                case "status" or "s" when value.Length > 0:
                    statuses.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Replace('-', '_').ToLowerInvariant()));
                    continue;
                case "rig" or "r" when value.Length > 0: q = q with { Rig = value }; continue;
                case "assignee" or "a" when value.Length > 0: q = q with { Assignee = value }; continue;
                case "label" or "l" when value.Length > 0: labels.Add(value); continue;
                case "type" or "t" when value.Length > 0: q = q with { Type = value.ToLowerInvariant() }; continue;
                case "p" or "priority" when int.TryParse(value.TrimStart('P', 'p'), out var p): q = q with { Priority = p }; continue;
            }
            switch (token.ToLowerInvariant())
            {
                case "ready": q = q with { Ready = true }; continue;
                case "blocked": q = q with { Blocked = true }; continue;
                case "all": q = q with { All = true }; continue;
            }
            if (token.Length > 1 && token[0] == '@') { q = q with { Assignee = token[1..] }; continue; }
            if (token.Length > 1 && token[0] == '#') { labels.Add(token[1..]); continue; }
            words.Add(token);
        }
        return q with { Statuses = statuses, Labels = labels, Words = words };
    }

    /// <param name="isReady">Whether the item is ready (open, not deferred, nothing open blocks it).</param>
    /// <param name="isBlocked">Whether an open item blocks it, or it is marked blocked.</param>
    /// <param name="rig">The rig the item belongs to, if known.</param>
    public bool Matches(WorkItem item, bool isReady, bool isBlocked, string? rig)
    {
        if (Statuses.Count > 0) { if (!Statuses.Contains(item.Status)) return false; }
        else if (item.Status == Items.Statuses.Tombstone) return false; // deleted: only asked for by status
        else if (!All && !Ready && !Blocked && item.IsClosed) return false;
        if (Ready && !isReady) return false;
        if (Blocked && !isBlocked) return false;
        if (Rig is not null && !string.Equals(rig, Rig, StringComparison.OrdinalIgnoreCase)) return false;
        if (Assignee is not null && !(IsUnassigned ? string.IsNullOrEmpty(item.Assignee) : string.Equals(item.Assignee, Assignee,
            StringComparison.OrdinalIgnoreCase)))
            return false;
        if (Type is not null && !string.Equals(item.IssueType, Type, StringComparison.OrdinalIgnoreCase)) return false;
        if (Priority is { } p && item.Priority != p) return false;
        foreach (var l in Labels)
            if (!item.Labels.Any(x => string.Equals(x, l, StringComparison.OrdinalIgnoreCase))) return false;
        foreach (var w in Words)
            if (!Mentions(item, w)) return false;
        return true;
    }

    /// <summary>Whether <paramref name="text"/> is in the item's id, title, assignee, labels, description or notes, ignoring case.</summary>
    /// <remarks>Summary reads (the query index) carry no description or notes: search full items.</remarks>
    public static bool Mentions(WorkItem item, string text) =>
        item.Id.Contains(text, StringComparison.OrdinalIgnoreCase)
        || item.Title.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (item.Assignee?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || item.Labels.Any(x => x.Contains(text, StringComparison.OrdinalIgnoreCase))
        || (!item.IsSummary && ((item.Description?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
                                || (item.Notes?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)));

    /// <summary>
    /// Full-text search (<c>orc item search</c>): whether <paramref name="text"/> is anywhere in the
    /// item, as <see cref="Mentions"/> looks, and in its design, acceptance criteria and comments.
    /// </summary>
    public static bool Finds(WorkItem item, string text) =>
        Mentions(item, text)
        || (item.Design?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (item.AcceptanceCriteria?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || item.Comments.Any(c => c.Text.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>The assignee filter asks for items assigned to no one (<c>none</c>, as the CLI's <c>--assignee none</c>).</summary>
    public bool IsUnassigned => string.Equals(Assignee, "none", StringComparison.OrdinalIgnoreCase);
}
