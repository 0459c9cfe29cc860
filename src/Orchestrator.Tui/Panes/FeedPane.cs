using Orchestrator.Core.Events;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>The event feed, newest first: what the refinery, witness, deacon and the user's verbs did.</summary>
internal sealed class FeedPane() : ListPane("feed", "Events")
{
    protected override bool NewestFirst => true;

    /// <summary>Narrower than this, a row is the time and the text only (no source and kind columns).</summary>
    private const int NarrowWidth = 50;

    public override string? FilterHelp => "source, kind, subject or text";

    public override IReadOnlyList<PaneBinding> Bindings { get; } =
        [PaneBinding.On<EventSelection>("Enter", "show", (v, s) => v.Show($"event {s.Event.Kind}", Describe(s.Event)), "select an event")];

    /// <summary>An event in full.</summary>
    public static string Describe(OrcEvent e) =>
        $"at: {e.At}\nsource: {e.Source}\nkind: {e.Kind}\nsubject: {e.Subject}\n" + (e.Tag is { } tag ? $"tag: {tag}\n" : "") + $"\n{e.Text}";

    protected override List<Row> BuildRows(FleetSnapshot s, string filter)
    {
        var rows = new List<Row>();
        var narrow = Viewport.Width is > 0 and < NarrowWidth;
        for (var i = s.Events.Count - 1; i >= 0; i--)
        {
            var e = s.Events[i];
            var line = Core.Text.TerminalText.Line(e.Text);
            if (filter.Length > 0 && !$"{e.Source} {e.Kind} {e.Subject} {line}".Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var time = e.At.Length >= 19 ? e.At[11..19] : e.At;
            var color = e.Kind switch
            {
                EventKinds.Merged or EventKinds.ConvoyLanded or EventKinds.Recovered => Palette.Status("closed"),
                EventKinds.Rejected or EventKinds.Error or EventKinds.GaveUp => Palette.State("dead"),
                EventKinds.Waiting or EventKinds.Flagged or EventKinds.Overlap => Palette.State("waiting"),
                EventKinds.Restarted or EventKinds.Nudged => Palette.State("stuck"),
                _ => Palette.Normal,
            };
            // Narrow (a side column at 80x24): the time to the minute and what happened, in the kind's colour.
            if (narrow)
            {
                rows.Add(Row.Of($"event:{i}:{e.At}", new EventSelection(e), new Span(time[..Math.Min(5, time.Length)] + " ", Palette.Dim), new Span(line,
                    color)));
                continue;
            }
            rows.Add(Row.Of($"event:{i}:{e.At}", new EventSelection(e),
                new Span(time + " ", Palette.Dim),
                new Span(Pad(Core.Text.TerminalText.Line(e.Source), 13) + " ", Palette.Dim),
                new Span(Pad(e.Kind, 9) + " ", color),
                new Span(line)));
        }
        return rows;
    }

    protected override string EmptyText => "no events yet";
}
