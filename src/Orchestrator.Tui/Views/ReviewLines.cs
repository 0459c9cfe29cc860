using Orchestrator.Core.Merging;
using Orchestrator.Core.Text;
using Orchestrator.Services.Refinery;

namespace Orchestrator.Tui.Views;

/// <summary>What a line of the review view is, for its colour and for moving by file and hunk.</summary>
internal enum ReviewLineKind { Text, Heading, Dim, Warning, File, Hunk, Added, Removed, Context }

/// <summary>One line of the review view: its text (already made safe to draw), what it is, and the file of the diff it belongs to (-1: before the
/// diff).</summary>
internal readonly record struct ReviewLine(string Text, ReviewLineKind Kind, int File = -1);

/// <summary>
/// The review view's text for one candidate: the item's description and acceptance criteria, the
/// gate's verdict and output, the declared against the touched files, the stat, then the diff,
/// each file under a header line of its own. Every piece of it (titles, descriptions, paths, diff
/// lines) is someone else's text: each line goes through <see cref="TerminalText.Line"/>, so an
/// escape sequence in it is shown as <c>\e</c>, never sent to the terminal.
/// </summary>
internal static class ReviewLines
{
    /// <summary>The two header lines: the item and its title; rig, agent, gate, wait and stat.</summary>
    public static (string Title, string Facts) Header(ReviewDetail d)
    {
        var s = d.Entry.Submission;
        var c = d.Changes;
        var title = $"{s.Item}  {TerminalText.Line(d.Entry.Title)}";
        var facts = $"rig {s.Rig} · agent {s.Agent} · gate {TerminalText.Line(s.GateVerdict ?? "green")} · waited {ReviewOrder.Waited(d.Entry.Waited)}" +
            (d.Entry.Unblocks > 0 ? $" · unblocks {d.Entry.Unblocks}" : "") +
            $" · {Plural.Of(c.Files.Count, "file")} +{c.Added} -{c.Removed}";
        return (title, facts);
    }

    public static List<ReviewLine> Of(ReviewDetail d)
    {
        var lines = new List<ReviewLine>();
        void Add(string text, ReviewLineKind kind = ReviewLineKind.Text, int file = -1) => lines.Add(new(Clean(text), kind, file));
        void Block(string heading, string text)
        {
            Add(heading, ReviewLineKind.Heading);
            foreach (var l in text.Replace("\r", "").TrimEnd().Split('\n')) Add("  " + l);
            Add("");
        }
        var s = d.Entry.Submission;
        if (d.Item?.Description is { Length: > 0 } description) Block("description", description);
        if (d.Item?.AcceptanceCriteria is { Length: > 0 } acceptance) Block("acceptance criteria", acceptance);
        if (s.GateTail is { Length: > 0 } tail) Block("gate output (tail)", tail);
        Add($"candidate {Short(s.Candidate)} built on {Short(s.Onto)}", ReviewLineKind.Dim);
        Add("files declared: " + (d.Declared.Count == 0 ? "none" : string.Join(", ", d.Declared)), ReviewLineKind.Dim);
        if (d.Undeclared.Count > 0) Add("touched but not declared: " + string.Join(", ", d.Undeclared), ReviewLineKind.Warning);
        if (d.Untouched.Count > 0) Add("declared but not touched: " + string.Join(", ", d.Untouched), ReviewLineKind.Warning);
        Add("");
        foreach (var f in d.Changes.Files)
            Add($"  {f.Path}{(f.OldPath is { } old ? " (from " + old + ")" : "")} | {(f.Binary ? "binary" : $"+{f.Added} -{f.Removed}")}", ReviewLineKind.Dim);
        if (d.Changes.Files.Count == 0) Add("the candidate changes no file", ReviewLineKind.Dim);

        // The patch: "diff --git" starts each file, in the order of Files (CandidateChanges writes both from one loop).
        var file = -1;
        var inHunk = false;
        foreach (var raw in d.Changes.Patch.Replace("\r", "").Split('\n'))
        {
            if (raw.StartsWith("diff --git ", StringComparison.Ordinal))
            {
                file++;
                inHunk = false;
                var f = file < d.Changes.Files.Count ? d.Changes.Files[file] : null;
                Add("");
                Add(f is null ? raw : $"━━ {f.Path}{(f.OldPath is { } old ? " (from " + old + ")" : "")}  {f.Status}" + (f.Binary
                    ? ", binary" : $", +{f.Added} -{f.Removed}") + " ━━",
                    ReviewLineKind.File, file);
                continue;
            }
            if (file < 0) continue;
            if (raw.StartsWith("@@", StringComparison.Ordinal)) { inHunk = true; Add(raw, ReviewLineKind.Hunk, file); continue; }
            if (!inHunk)
            {
                // The file's own header lines: ---/+++ say nothing the header line does not; the rest (new, deleted, renamed, binary) is kept, quietly.
                if (raw.StartsWith("--- ", StringComparison.Ordinal) || raw.StartsWith("+++ ", StringComparison.Ordinal) || raw.Length == 0) continue;
                Add(raw, ReviewLineKind.Dim, file);
                continue;
            }
            if (raw.Length == 0) continue; // the patch's last newline
            Add(raw, raw[0] switch { '+' => ReviewLineKind.Added, '-' => ReviewLineKind.Removed, _ => ReviewLineKind.Context }, file);
        }
        return lines;
    }

    private static string Short(string? sha) => sha is { Length: > 12 } ? sha[..12] : sha ?? "?";

    // Escapes made visible, tabs as spaces (a tab would put the columns out of line).
    private static string Clean(string text) => TerminalText.Line(text.Replace("\t", "    "));
}
