using Orchestrator.Core.Agents;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Items;

namespace Orchestrator.Core.Knowledge;

/// <summary>A learning proposed from a landed convoy, before it is stored.</summary>
public sealed record LearningProposal(string Text, string? Rig, string? Role, List<string> Tags, string? Item);

/// <summary>One item of a convoy as the lessons are read from it: the item (with its comments) and its rig.</summary>
public sealed record ConvoyItemRecord(WorkItem Item, string? Rig);

/// <summary>
/// Turns what a landed convoy went through into short learnings for its rigs: the merge conflicts
/// its items met (and on which files), the rig's gate failing on them (with the last line of the
/// failure), work rejected by hand (the reviewer's reason), the workers' done notes; and for the
/// mayor, what the convoy's score says about the split (conflicts not predicted, a merge queue
/// slower than the agents, agents that barely overlapped).
/// </summary>
public static class ConvoyLessons
{
    private const string Returned = "the refinery returned this ";
    private const string Submitted = "submitted to the merge queue of ";

    public static List<LearningProposal> Extract(Convoy convoy, IReadOnlyList<ConvoyItemRecord> items)
    {
        var list = new List<LearningProposal>();
        var tag = Tag(convoy.Name);
        var conflicts = new List<(string Rig, string Item, List<string> Files)>();
        var gates = new List<(string Rig, string Item, string Gate, string? Last)>();
        foreach (var (item, rig) in items.Select(r => (r.Item, r.Rig ?? "")))
        {
            string? lastNote = null;
            foreach (var c in item.Comments)
            {
                var text = c.Text ?? "";
                if (text.StartsWith(Returned, StringComparison.Ordinal) && ReasonOf(text) is { } reason)
                {
                    var details = DetailsOf(text);
                    if ((FilesAfter(reason, "conflicts with ") ?? FilesAfter(reason, "leaves conflict markers")) is { } files)
                        conflicts.Add((rig, item.Id, files));
                    else if (reason.StartsWith("the gate (", StringComparison.Ordinal) && reason.EndsWith(") failed", StringComparison.Ordinal))
                        gates.Add((rig, item.Id, reason["the gate (".Length..^") failed".Length], LastLine(details)));
                    else if (reason.StartsWith("rejected by ", StringComparison.Ordinal))
                        list.Add(new LearningProposal(
                            Clip($"Review of {item.Id} ({OneLine(item.Title, 60)}) in convoy {convoy.Name}: {OneLine(reason, 300)}"),
                            Rig(rig), null, Tags("review", tag), item.Id));
                }
                else if (text.StartsWith(Submitted, StringComparison.Ordinal) && text.IndexOf('\n') is var nl and > 0 && OneLine(text[(nl + 1)..],
                    400) is { Length: > 0 } note)
                    lastNote = note;
            }
            if (lastNote is not null)
                list.Add(new LearningProposal(Clip($"{item.Id} ({OneLine(item.Title, 60)}): {lastNote}"), Rig(rig), null, Tags("done-note", tag), item.Id));
        }

        foreach (var g in conflicts.GroupBy(c => c.Rig))
        {
            var files = g.SelectMany(c => c.Files).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var ids = g.Select(c => c.Item).Distinct(StringComparer.Ordinal).ToList();
            var predicted = convoy.Report?.PredictedPairs.Any(p => ids.Any(i => p.Split('/').Contains(i))) == true;
            var text = $"In convoy {convoy.Name}, {Join(ids)} met merge conflicts in {Join(files, 6)}{(predicted ? "" : " (the plan did not predict them)")}: " +
                       "items that change these files should declare them (orc item update ID --file PATH) so the plan keeps them apart.";
            list.Add(new LearningProposal(Clip(text), Rig(g.Key), null, Tags(["conflict", tag, .. files.Select(FileTag)]), ids.Count == 1 ? ids[0] : null));
        }
        foreach (var g in gates.GroupBy(x => (x.Rig, x.Gate)))
        {
            var ids = g.Select(x => x.Item).Distinct(StringComparer.Ordinal).ToList();
            var last = g.Select(x => x.Last).LastOrDefault(l => l is not null);
            var n = g.Count();
            var text = $"The gate `{OneLine(g.Key.Gate, 80)}` failed {n} time{(n == 1 ? "" : "s")} in convoy {convoy.Name} ({Join(ids)})" +
                       (last is null ? "" : $"; last failure: {OneLine(last, 160)}") + ". Run it in your worktree before orc done.";
            list.Add(new LearningProposal(Clip(text), Rig(g.Key.Rig), null, Tags("gate", tag), ids.Count == 1 ? ids[0] : null));
        }

        if (convoy.Report is { } r)
        {
            if (r.ConflictsMet > r.ConflictsPredicted)
                list.Add(new LearningProposal(Clip($"Convoy {convoy.Name} met {r.ConflictsMet} conflict{(r.ConflictsMet == 1 ? "" : "s")} where the plan predicted {r.ConflictsPredicted}: give items the files they own before splitting work, and check orc plan for overlaps."),
                    null, Roles.Mayor, Tags("planning", tag), null));
            if (r.QueueSeconds > r.AgentWallSeconds && r.AgentWallSeconds > 0)
                list.Add(new LearningProposal(Clip($"In convoy {convoy.Name} work waited longer in the merge queue ({Duration(r.QueueSeconds)}) than agents worked ({Duration(r.AgentWallSeconds)}): launch fewer agents at once (--max) or raise the rig's refinery batch."),
                    null, Roles.Mayor, Tags("planning", tag), null));
            if (r.Items > 2 && r.AgentWallSeconds > 0 && r.Parallelism < 1.2)
                list.Add(new LearningProposal(Clip($"The {r.Items} items of convoy {convoy.Name} barely overlapped (about {r.Parallelism:0.0} agents at once): split such work into fewer items, or remove dependencies that serialise them."),
                    null, Roles.Mayor, Tags("planning", tag), null));
        }
        return list;
    }

    /// <summary>"to nux: REASON" → REASON (the first line after the first ": ").</summary>
    private static string? ReasonOf(string comment)
    {
        var firstLine = comment.Split('\n')[0];
        var i = firstLine.IndexOf(": ", StringComparison.Ordinal);
        return i < 0 ? null : firstLine[(i + 2)..].Trim();
    }

    private static string? DetailsOf(string comment)
    {
        var i = comment.IndexOf("\n\n", StringComparison.Ordinal);
        return i < 0 ? null : comment[(i + 2)..];
    }

    /// <summary>The files of "conflicts with main in a, b" (after the last " in ").</summary>
    private static List<string>? FilesAfter(string reason, string start)
    {
        if (!reason.StartsWith(start, StringComparison.Ordinal)) return null;
        var i = reason.LastIndexOf(" in ", StringComparison.Ordinal);
        if (i < 0) return [];
        return reason[(i + 4)..].Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    /// <summary>The last line of output that says something (not blank, not only punctuation).</summary>
    private static string? LastLine(string? details) =>
        details?.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Any(char.IsLetterOrDigit));

    private static string? Rig(string rig) => rig.Length == 0 ? null : rig;

    private static List<string> Tags(params IEnumerable<string> tags) =>
        tags.Where(t => t.Length is > 0 and <= ItemLimits.LabelLength).Distinct(StringComparer.Ordinal).Take(LearningRules.MaxTags).ToList();

    /// <summary>A tag made of a name: lowercase letters, digits, '-', '_' and '.'.</summary>
    private static string Tag(string name) =>
        new string(name.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').Take(ItemLimits.LabelLength).ToArray());

    /// <summary>A file's tag: its name without the extension (so it matches the files an item owns).</summary>
    private static string FileTag(string file) => Tag(Path.GetFileNameWithoutExtension(file));

    private static string Join(IReadOnlyList<string> parts, int max = 5) =>
        string.Join(", ", parts.Take(max)) + (parts.Count > max ? $" and {parts.Count - max} more" : "");

    private static string OneLine(string text, int max)
    {
        var s = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        s = new string(s.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return s.Length <= max ? s : s[..(max - 1)] + "…";
    }

    private static string Clip(string text) => OneLine(text, LearningRules.MaxTextLength);

    private static string Duration(double s) => s < 90 ? $"{s:0}s" : s < 5400 ? $"{s / 60:0.0}m" : $"{s / 3600:0.0}h";
}
