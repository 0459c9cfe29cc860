using Orchestrator.Core.Convoys;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>Convoys with a progress bar (done / in flight / ready / blocked), open ones first. Row keys are convoy names.</summary>
internal sealed class ConvoysPane() : ListPane("convoys", "Convoys")
{
    public override IReadOnlyList<KeyHelp> Keys => [new("Enter", "show")];

    public override string? FilterHelp => "name or title";

    protected override List<Row> BuildRows(FleetSnapshot s, string filter)
    {
        var rows = new List<Row>();
        foreach (var c in s.Convoys)
        {
            if (filter.Length > 0 && !$"{c.Convoy.Name} {c.Convoy.Title}".Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var p = c.Progress;
            var done = p.Count(ProgressStates.Done);
            var state = c.Convoy.State;
            rows.Add(Row.Of(c.Convoy.Name,
                new Span(Pad(c.Convoy.Name, 12) + " "),
                new Span(ConvoyRules.Bar(p, 12) + " ", state == ConvoyStates.Landed ? Palette.Status("closed") : Palette.State("working")),
                new Span($"{done}/{p.Items.Count} ", Palette.Normal),
                new Span(state == ConvoyStates.Open ? $"{p.Count(ProgressStates.InFlight)} in flight, {p.Count(ProgressStates.Blocked)} blocked" : state,
                    state == ConvoyStates.Landed ? Palette.Status("closed") : Palette.Dim)));
        }
        return rows;
    }

    protected override string EmptyText => "no convoys (orc convoy create NAME ITEM…)";
}
