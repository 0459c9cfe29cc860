using Orchestrator.Core.Merging;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>The merge queues: open submissions in the refinery's order, then the latest merged and returned ones.</summary>
internal sealed class QueuePane() : ListPane("queue", "Merge queue")
{
    protected override bool NewestFirst => true;

    public override IReadOnlyList<PaneBinding> Bindings { get; } =
    [
        PaneBinding.On<SubmissionSelection>("Enter", "show (waiting for review: its diff)", (v, s) =>
        {
            if (s.Submission.State == SubmissionStates.Review) v.OpenReview(s.Submission.Item);
            else v.Show($"submission {s.Submission.Item}", Describe(s.Submission));
        }, "select a submission"),
    ];

    /// <summary>A submission in full: where it comes from, its state and commits, why it came back.</summary>
    public static string Describe(Submission q) =>
        $"item: {q.Item}\nrig: {q.Rig}\nagent: {q.Agent}\nbranch: {q.Branch}\nstate: {q.State}\nsubmitted: {q.SubmittedAt}\n" +
        $"commits: {string.Join(", ", q.Commits.Select(x => x.Length > 10 ? x[..10] : x))}" +
        (q.Landed is { } l ? $"\nlanded: {l}" : "") + (q.Reason is { } r ? $"\nreason: {r}" : "") + (q.Details is { } d ? $"\n\n{d}" : "");

    public override string? FilterHelp => "item, rig, agent or state";

    protected override string TitleDetail => Snapshot is { } s && s.Queue.Count(q => q.IsOpen) is var n and > 0 ? $"({n} open)" : "";

    protected override List<Row> BuildRows(FleetSnapshot s, string filter)
    {
        var rows = new List<Row>();
        foreach (var q in s.Queue)
        {
            if (filter.Length > 0 && !$"{q.Item} {q.Rig} {q.Agent} {q.State}".Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var color = q.State switch
            {
                SubmissionStates.Merging => Palette.State("working"),
                SubmissionStates.Merged => Palette.Status("closed"),
                SubmissionStates.Rejected => Palette.State("dead"),
                SubmissionStates.Review => Palette.State("waiting"), // a person is needed
                SubmissionStates.Approved => Palette.State("working"),
                _ => Palette.Normal,
            };
            var note = q.State switch
            {
                SubmissionStates.Merged => q.Landed is { Length: >= 8 } l ? "landed " + l[..8] : "landed",
                SubmissionStates.Rejected => q.Reason ?? "returned",
                SubmissionStates.Review => "waits for your review (Enter: its diff)",
                SubmissionStates.Approved => "approved: lands on the refinery's next pass",
                _ => q.Attempts > 0 ? $"attempt {q.Attempts + 1}" : "",
            };
            rows.Add(Row.Of("mq:" + q.Rig + "/" + q.Item, new SubmissionSelection(q),
                new Span(Pad(q.Item, 12) + " "),
                new Span(Pad(q.State, 8) + " ", color),
                new Span(Pad(q.Rig, 8) + " ", Palette.Dim),
                new Span(Pad(q.Agent, 8) + " "),
                new Span(Core.Text.TerminalText.Line(note), Palette.Dim)));
        }
        return rows;
    }

    protected override string EmptyText => "the merge queues are empty";
}
