using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;

namespace Orchestrator.Cli.Output;

/// <summary>Human output for work items. Every piece of stored text goes through <see cref="TerminalText"/>.</summary>
internal static class ItemText
{
    public static string Line(WorkItem i)
    {
        var labels = i.Labels.Count == 0 ? "" : "  [" + Clip(TerminalText.Line(string.Join(", ", i.Labels)), 60) + "]";
        var who = string.IsNullOrEmpty(i.Assignee) ? "" : "  @" + TerminalText.Line(i.Assignee);
        return $"{i.Id,-12} P{i.Priority} {TerminalText.Line(i.IssueType),-8} {TerminalText.Line(i.Status),-11} {Clip(TerminalText.Line(i.Title), 80)}{who}{labels}";
    }

    public static void List(TextWriter o, IReadOnlyList<WorkItem> items, string empty)
    {
        if (items.Count == 0) { o.WriteLine(empty); return; }
        foreach (var i in items) o.WriteLine(Line(i));
    }

    public static void Show(TextWriter o, WorkItem i, LedgerDocument ledger)
    {
        o.WriteLine($"{i.Id}  {TerminalText.Line(i.Title)}");
        o.WriteLine($"  status: {TerminalText.Line(i.Status)}   priority: P{i.Priority}   type: {TerminalText.Line(i.IssueType)}");
        Field(o, "assignee", i.Assignee);
        Field(o, "owner", i.Owner);
        o.WriteLine($"  created: {TerminalText.Line(i.CreatedAt)}{(string.IsNullOrEmpty(i.CreatedBy) ? "" : " by " + TerminalText.Line(i.CreatedBy))}");
        Field(o, "updated", i.UpdatedAt);
        if (i.Status == Statuses.Closed)
            o.WriteLine($"  closed: {TerminalText.Line(i.ClosedAt)}{(string.IsNullOrEmpty(i.CloseReason) ? "" : " (" + TerminalText.Line(i.CloseReason) + ")")}");
        Field(o, "defer until", i.DeferUntil);
        Field(o, "external ref", i.ExternalRef);
        if (i.Labels.Count > 0) o.WriteLine($"  labels: {TerminalText.Line(string.Join(", ", i.Labels))}");
        if (i.Files.Count > 0) o.WriteLine($"  files: {TerminalText.Line(string.Join(", ", i.Files))}");
        foreach (var d in i.Dependencies)
        {
            var target = ledger.Find(d.DependsOnId);
            o.WriteLine($"  depends on: {TerminalText.Line(d.DependsOnId)} ({TerminalText.Line(d.Type)}{(target is null ? ", not in ledger" : ", " + TerminalText.Line(target.Status))}){(target is null ? "" : "  " + Clip(TerminalText.Line(target.Title), 60))}");
        }
        foreach (var dependent in ledger.Items.Where(x => x.Dependencies.Any(d => d.DependsOnId == i.Id)).OrderBy(x => x.Id, IdComparer.Instance))
        {
            var type = dependent.Dependencies.First(d => d.DependsOnId == i.Id).Type;
            var verb = type == DependencyTypes.ParentChild ? "child" : "needed by";
            o.WriteLine($"  {verb}: {dependent.Id} ({TerminalText.Line(type)}, {TerminalText.Line(dependent.Status)})  {Clip(TerminalText.Line(dependent.Title), 60)}");
        }
        if (i.Status == Statuses.Open)
        {
            var blockers = new DependencyGraph(ledger).BlockersOf(i);
            o.WriteLine(blockers.Count == 0 && !(i.DeferUntil is not null && Timestamps.TryParse(i.DeferUntil, out var t) && t > DateTimeOffset.UtcNow)
                ? "  ready: yes"
                : blockers.Count == 0
                    ? "  ready: deferred"
                    : $"  ready: no, blocked by {string.Join(", ", blockers.Select(b => b.Item.Id + (b.Via is null ? "" : $" (via {b.Via})")))}");
        }
        Block(o, "Description", i.Description);
        Block(o, "Design", i.Design);
        Block(o, "Acceptance criteria", i.AcceptanceCriteria);
        Block(o, "Notes", i.Notes);
        if (i.Comments.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("Comments:");
            foreach (var c in i.Comments)
            {
                o.WriteLine($"  #{c.Id} {TerminalText.Line(c.Author)} {TerminalText.Line(c.CreatedAt)}");
                foreach (var l in TerminalText.Block(c.Text).Split('\n')) o.WriteLine("    " + l);
            }
        }
        foreach (var (name, raw) in i.Extra)
            o.WriteLine($"  {TerminalText.Line(name)}: {Clip(TerminalText.Line(raw), 100)}");
    }

    private static void Field(TextWriter o, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value)) o.WriteLine($"  {name}: {TerminalText.Line(value)}");
    }

    private static void Block(TextWriter o, string name, string? text)
    {
        if (string.IsNullOrEmpty(text)) return;
        o.WriteLine();
        o.WriteLine(name + ":");
        foreach (var l in TerminalText.Block(text).Split('\n')) o.WriteLine("  " + l.TrimEnd('\r'));
    }

    public static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
