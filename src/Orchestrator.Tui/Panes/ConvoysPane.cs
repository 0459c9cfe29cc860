using Orchestrator.Core.Convoys;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>Convoys with a progress bar (done / in flight / ready / blocked), open ones first. Rows stand for convoys.</summary>
internal sealed class ConvoysPane() : ListPane("convoys", "Convoys")
{
    public override IReadOnlyList<PaneBinding> Bindings { get; } =
        [PaneBinding.On<ConvoySelection>("Enter", "show", (v, s) => v.Show($"convoy {s.Convoy.Convoy.Name}", Describe(s.Convoy), wrap: false),
            "select a convoy")];

    /// <summary>A convoy in full: its bar and counts, each item's state, each rig's share.</summary>
    public static string Describe(FleetConvoy c)
    {
        var p = c.Progress;
        var lines = new List<string>
        {
            $"{c.Convoy.Name}{(c.Convoy.Title is { } t ? " — " + t : "")}   {c.Convoy.State}",
            $"{ConvoyRules.Bar(p, 30)}  {p.Count(ProgressStates.Done)}/{p.Items.Count} done, {p.Count(ProgressStates.InFlight)} in flight, " +
            $"{p.Count(ProgressStates.Ready)} ready, {p.Count(ProgressStates.Blocked)} blocked",
            "",
        };
        foreach (var i in p.Items)
            lines.Add($"  {i.State,-9} {i.Id,-12} {i.Rig ?? "-",-8} {i.Title}" + (i.BlockedBy.Count > 0 ? $"  (after {string.Join(", ", i.BlockedBy)})" : ""));
        if (p.Rigs.Count > 0)
        {
            lines.Add("");
            foreach (var r in p.Rigs) lines.Add($"  {r.Rig}: {r.Done} done, {r.InFlight} in flight, {r.Ready} ready, {r.Blocked} blocked");
        }
        if (c.Convoy.LandedAt is { } landed) lines.Add($"\nlanded {landed}");
        return string.Join('\n', lines);
    }

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
            rows.Add(Row.Of(c.Convoy.Name, new ConvoySelection(c),
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
