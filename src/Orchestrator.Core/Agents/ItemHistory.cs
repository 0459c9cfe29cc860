using Orchestrator.Core.Items;

namespace Orchestrator.Core.Agents;

/// <summary>One session on an item, with the item's comments made while it ran.</summary>
public sealed record HistoryEntry(AgentSession Session, IReadOnlyList<Comment> Comments);

/// <summary>Every session that worked on an item, oldest first, and the comments made outside any of them.</summary>
public sealed record ItemHistory(string Item, IReadOnlyList<HistoryEntry> Sessions, IReadOnlyList<Comment> Other)
{
    /// <summary>
    /// Puts each comment with the session that ran when it was made (the one by the comment's
    /// author if several did), or, made between sessions, with the last session of its author
    /// (an agent's comment written as its session ended); any other stays on its own.
    /// </summary>
    public static ItemHistory Build(string item, IReadOnlyList<AgentSession> sessions, IEnumerable<Comment> comments)
    {
        var byIndex = sessions.Select(_ => new List<Comment>()).ToList();
        var other = new List<Comment>();
        foreach (var c in comments.OrderBy(c => c.CreatedAt, StringComparer.Ordinal).ThenBy(c => c.Id))
        {
            var during = Enumerable.Range(0, sessions.Count).Where(i => Within(c.CreatedAt, sessions[i])).ToList();
            if (during.Count == 0)
            {
                var mine = Enumerable.Range(0, sessions.Count).LastOrDefault(i => sessions[i].Agent == c.Author && string.CompareOrdinal(sessions[i].StartedAt,
                    c.CreatedAt) <= 0, -1);
                if (mine >= 0 && (mine == sessions.Count - 1 || string.CompareOrdinal(sessions[mine + 1].StartedAt, c.CreatedAt) > 0)) byIndex[mine].Add(c);
                else other.Add(c);
                continue;
            }
            var pick = during.Where(i => sessions[i].Agent == c.Author).DefaultIfEmpty(during[^1]).Last();
            byIndex[pick].Add(c);
        }
        return new ItemHistory(item, sessions.Select((s, i) => new HistoryEntry(s, byIndex[i])).ToList(), other);
    }

    private static bool Within(string? at, AgentSession s) =>
        at is not null && string.CompareOrdinal(at, s.StartedAt) >= 0 && (s.EndedAt is null || string.CompareOrdinal(at, s.EndedAt) <= 0);
}
