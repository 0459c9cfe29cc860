using Orchestrator.Core.Items;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Knowledge;

/// <summary>Who is asking: the agent's rig and role, and the words of the item it holds (labels, type, title, owned files).</summary>
public sealed record LearningAudience(string? Rig, string? Role, IReadOnlySet<string> Words)
{
    public static LearningAudience For(string? rig, string? role, WorkItem? item)
    {
        var words = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (item is not null)
        {
            foreach (var l in item.Labels) words.Add(l);
            words.Add(item.IssueType);
            foreach (var w in Split(item.Title)) words.Add(w);
            foreach (var f in item.Files)
                foreach (var part in f.Split('/', StringSplitOptions.RemoveEmptyEntries))
                {
                    words.Add(part);
                    words.Add(Path.GetFileNameWithoutExtension(part));
                    if (Path.GetExtension(part) is { Length: > 1 } ext) words.Add(ext[1..]);
                }
        }
        return new LearningAudience(rig, role, words);
    }

    private static IEnumerable<string> Split(string text) =>
        text.Split([' ', '\t', ',', '.', ':', ';', '(', ')', '[', ']', '"', '\'', '`', '/', '!', '?'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length >= 3);
}

/// <summary>What prime shows: the learnings chosen, in order, and how many relevant ones did not fit.</summary>
public sealed record LearningPick(IReadOnlyList<Learning> Shown, int Relevant, int LeftOut, int Budget);

/// <summary>
/// Chooses the learnings an agent sees in its prime. Relevant are the workspace-wide ones and
/// those for its rig and its role (a learning for another rig or role is not). The most relevant
/// come first: those for its rig and role before the general ones, those whose tags name something
/// of its item (a label, the type, a word of the title, a file or folder it owns) before the rest,
/// then the newest. They are taken in that order while they fit in <c>budget</c> characters (as
/// printed); one that does not fit is left out and a shorter one after it may still go in.
/// </summary>
public static class LearningSelection
{
    public static bool Applies(Learning l, LearningAudience who) =>
        (l.Rig is null || l.Rig == who.Rig) && (l.Role is null || l.Role == who.Role);

    /// <summary>Higher is more relevant: rig 4, role 2, each tag naming something of the item 3 (at most two count).</summary>
    public static int Score(Learning l, LearningAudience who) =>
        (l.Rig is not null ? 4 : 0) + (l.Role is not null ? 2 : 0) + 3 * Math.Min(2, l.Tags.Count(who.Words.Contains));

    public static List<Learning> Rank(IEnumerable<Learning> all, LearningAudience who) =>
        all.Where(l => Applies(l, who))
            .OrderByDescending(l => Score(l, who))
            .ThenByDescending(l => l.CreatedAt, StringComparer.Ordinal)
            .ThenBy(l => l.Id, StringComparer.Ordinal)
            .ToList();

    public static LearningPick Select(IEnumerable<Learning> all, LearningAudience who, int budget)
    {
        var ranked = Rank(all, who);
        var shown = new List<Learning>();
        var used = 0;
        foreach (var l in ranked)
        {
            var cost = Line(l).Length + 1;
            if (used + cost > budget) continue;
            shown.Add(l);
            used += cost;
        }
        return new LearningPick(shown, ranked.Count, ranked.Count - shown.Count, budget);
    }

    /// <summary>A learning as prime prints it (one safe line): <c>- [rig app] text (ln-abc123)</c>.</summary>
    public static string Line(Learning l) =>
        $"- {(l.Rig is null && l.Role is null ? "" : $"[{l.Scope}] ")}{TerminalText.Line(l.Text)} ({l.Id})";
}
