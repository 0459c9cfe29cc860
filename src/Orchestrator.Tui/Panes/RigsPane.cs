using Orchestrator.Core.Agents;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>
/// The rig tree: the workspace, its rigs, and under each rig its agents grouped by role
/// (mayor and deacon at the top level; crew, polecats, refinery and witness per rig), each with a
/// state glyph and colour and its hooked item. Rows stand for agents and services (<see cref="AgentBindings"/>).
/// </summary>
internal sealed class RigsPane() : ListPane("rigs", "Rigs")
{
    public override IReadOnlyList<PaneBinding> Bindings => AgentBindings.WithServices;

    public override string? FilterHelp => "agent, rig, item or state";

    protected override List<Row> BuildRows(FleetSnapshot s, string filter)
    {
        bool Match(FleetAgent a) => filter.Length == 0
            || a.Name.Contains(filter, StringComparison.OrdinalIgnoreCase) || a.Rig.Contains(filter, StringComparison.OrdinalIgnoreCase)
            || (a.Hook.Item ?? "").Contains(filter, StringComparison.OrdinalIgnoreCase) || a.State.Contains(filter, StringComparison.OrdinalIgnoreCase);
        // Wide enough for every name and service role shown (refinery, witness), so none is cut while there is room.
        _nameWidth = Math.Clamp(s.Agents.Select(a => a.Name.Length).Concat(s.Services.Select(x => x.Role.Length)).DefaultIfEmpty(6).Max(), 6, 16);
        var rows = new List<Row>
        {
            Row.Heading($"▾ {Path.GetFileName(s.Workspace.TrimEnd('/'))}", Palette.Title),
        };
        foreach (var a in s.Agents.Where(a => a.Role == Roles.Mayor && Match(a))) rows.Add(AgentRow(a, "  "));
        foreach (var svc in s.Services.Where(x => x.Rig is null))
            if (filter.Length == 0 || svc.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)) rows.Add(ServiceRow(svc, "  "));
        var rigNames = s.Rigs.Select(r => r.Name).Concat(s.Agents.Select(a => a.Rig)).Distinct(StringComparer.Ordinal).Where(r => r != ServicesSession);
        foreach (var rig in rigNames)
        {
            var agents = s.Agents.Where(a => a.Rig == rig && a.Role != Roles.Mayor).ToList();
            var shown = agents.Where(Match).ToList();
            var rigMatches = filter.Length == 0 || rig.Contains(filter, StringComparison.OrdinalIgnoreCase);
            if (!rigMatches && shown.Count == 0) continue;
            if (rigMatches) shown = agents.Where(a => filter.Length == 0 || Match(a) || rig.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
            var working = agents.Count(a => a.State == AgentStates.Working);
            rows.Add(new Row("rig:" + rig, [new Span($"  ▾ {rig}", Palette.Title), new Span("  " + Core.Text.Plural.Of(agents.Count, "agent"), Palette.Dim)]));
            foreach (var group in new[] { Roles.Crew, Roles.Polecat })
            {
                var members = shown.Where(a => a.Role == group).ToList();
                if (members.Count == 0) continue;
                rows.Add(Row.Heading($"      {(group == Roles.Polecat ? "polecats" : group)}", Palette.Dim));
                foreach (var a in members) rows.Add(AgentRow(a, "        "));
            }
            foreach (var other in shown.Where(a => a.Role is not (Roles.Crew or Roles.Polecat)))
                rows.Add(AgentRow(other, "      "));
            foreach (var svc in s.Services.Where(x => x.Rig == rig))
                rows.Add(ServiceRow(svc, "      "));
        }
        return rows;
    }

    private const string ServicesSession = "orc";

    private int _nameWidth = 8;

    private Row AgentRow(FleetAgent a, string indent) =>
        Row.Of("agent:" + a.Name, new AgentSelection(a),
        [
            new Span(indent),
            new Span(StateGlyphs.State(a.State) + " ", Palette.State(a.State)),
            new Span(Pad(a.Name, _nameWidth) + " "),
            new Span(Pad(AgentStates.Spoken(a.State, a.ExitStatus), 8) + " ", Palette.State(a.State)),
            new Span(a.Hook.Item ?? "", Palette.Dim),
        ]);

    private Row ServiceRow(ServiceStatus svc, string indent) =>
        Row.Of("service:" + svc.Name, new ServiceSelection(svc),
        [
            new Span(indent),
            new Span(StateGlyphs.Alive(svc.Alive) + " ", svc.Alive ? Palette.State(AgentStates.Working) : Palette.State(AgentStates.Dead)),
            new Span(Pad(svc.Role, _nameWidth) + " "),
            new Span(svc.Alive ? "running" : svc.State == Core.Supervision.ServiceStates.NeverRan ? "off" : svc.State,
                svc.Alive ? Palette.Dim : Palette.State(AgentStates.Dead)),
            new Span(svc.Error is { } e && !svc.Alive ? "  " + e : "", Palette.Dim),
        ]);
}
