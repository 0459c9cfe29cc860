using Orchestrator.Core.Merging;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>
/// What waits for a person's review on rigs with <c>land: review</c>, in the order
/// <c>orc review list</c> gives (what unblocks the most open items first, then the longest
/// waiting): item, how long it has waited, title, rig and agent, what it unblocks. Rows stand for
/// submissions; Enter opens the diff, <c>a</c> approves, <c>r</c> rejects.
/// </summary>
internal sealed class ReviewPane() : ListPane("review", "Review")
{
    public override IReadOnlyList<PaneBinding> Bindings { get; } =
    [
        PaneBinding.On<SubmissionSelection>("Enter", "diff", (v, s) => v.OpenReview(s.Submission.Item), Needs),
        PaneBinding.On<SubmissionSelection>("a", "approve", (v, s) => v.AskApprove(s.Submission.Item), Needs),
        PaneBinding.On<SubmissionSelection>("r", "reject", (v, s) => v.AskReject(s.Submission.Item), Needs),
        PaneBinding.Help("in the diff", "] [ next / previous file, } { next / previous hunk, h l sideways, a r as here, Esc back"),
    ];

    private const string Needs = "select a submission waiting for review";

    public override string? FilterHelp => "item, title, rig or agent";

    protected override string TitleDetail => Snapshot is { } s
        && s.Queue.Count(q => q.State == SubmissionStates.Review) is var n and > 0 ? $"({n} waiting)" : "";

    /// <summary>The snapshot's submissions waiting for review, in review order.</summary>
    public static List<ReviewWait> Waiting(FleetSnapshot s) => ReviewOrder.Of(s.Queue, s.Ledger, s.Convoys.Select(c => c.Convoy), s.TakenAt);

    protected override List<Row> BuildRows(FleetSnapshot s, string filter)
    {
        var rows = new List<Row>();
        foreach (var w in Waiting(s))
        {
            var q = w.Submission;
            if (filter.Length > 0 && !$"{q.Item} {w.Title} {q.Rig} {q.Agent}".Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var tail = $"{q.Rig}/{q.Agent}" + (w.Unblocks > 0 ? $" · unblocks {w.Unblocks}" : "");
            // The title takes what the item, the wait and the tail leave (the tail goes first on a narrow pane).
            var titleWidth = Math.Max(16, Viewport.Width - 12 - 6 - tail.Length - 2);
            rows.Add(Row.Of(q.Item, new SubmissionSelection(q),
                new Span(Pad(q.Item, 12) + " "),
                new Span(Pad(ReviewOrder.Waited(w.Waited), 5) + " ", Palette.State("waiting")),
                new Span(Pad(Core.Text.TerminalText.Line(w.Title), titleWidth) + " "),
                new Span(Core.Text.TerminalText.Line(tail), Palette.Dim)));
        }
        return rows;
    }

    protected override string EmptyText => Filter.Length > 0 ? "nothing matches the filter" : "nothing waits for review";
}
