using System.Text.Json.Serialization;
using Orchestrator.Adapters.Formulas;
using Orchestrator.Core.Formulas;
using Orchestrator.Core.Items;

namespace Orchestrator.Cli.Output.Json;

/// <summary>shape <c>formula-entry</c>: <c>orc formula list</c>.</summary>
internal sealed record FormulaEntryJson(string Name, string Origin, string File, string? Extends, string Description, List<string> Overrides,
    List<string> Errors)
{
    public static FormulaEntryJson From(FormulaEntry e, IEnumerable<FormulaError> problems) =>
        new(e.Name, e.Origin, e.File, e.Formula?.Extends, e.Formula?.Summary ?? "", [.. e.Hides], problems.Select(x => x.ToString()).ToList());
}

/// <summary>shape <c>formula</c>: <c>orc formula show</c>.</summary>
internal sealed record FormulaJson(string Name, string File, string? Extends, List<string> Chain, string? Title, string? Description,
    List<FormulaVarJson> Vars, List<FormulaStepJson> Steps)
{
    public static FormulaJson From(Formula f) =>
        new(f.Name, f.File, f.Extends, [.. f.Chain], f.Title?.Value, f.Description?.Value,
            f.Vars.Select(x => new FormulaVarJson(x.Name, x.IsRequired, x.Default, x.Description)).ToList(),
            f.Steps.Select(s => new FormulaStepJson(s.Id, s.Title?.Value, s.Description?.Value, s.Role?.Value, s.Profile?.Value, [.. s.NeedsList])).ToList());
}

internal sealed record FormulaVarJson(string Name, bool Required, string? Default, string? Description);

internal sealed record FormulaStepJson(string Id, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Title,
    string? Description, string? Role, string? Profile, List<string> Needs);

/// <summary>shape <c>molecule-progress</c>: <c>orc mol list</c>, <c>orc mol progress</c>.</summary>
internal sealed record MoleculeProgressJson(string Id, string Kind, string? Formula, string Title, string Status, int Closed, int Total, int Percent)
{
    public static MoleculeProgressJson From(MoleculeView m) => new(m.Id, m.Kind, m.Formula, m.Title, m.Status, m.Closed, m.Total, m.Percent);
}

/// <summary>shape <c>molecule</c>: <c>orc wisp</c>, <c>orc mol status</c>, <c>orc mol close</c> (with burned and summary).</summary>
internal sealed record MoleculeJson(string Id, string Kind, string? Formula, string Title, string Status, int Closed, int Total, int Percent,
    string? Source, bool? Squash, bool? Burned, string? Summary, Dictionary<string, string> Vars, List<MoleculeStepJson> Steps)
{
    public static MoleculeJson From(MoleculeView m, bool? burned = null, string? summary = null) =>
        new(m.Id, m.Kind, m.Formula, m.Title, m.Status, m.Closed, m.Total, m.Percent, m.Source,
            m.Kind == MoleculeKinds.Wisp ? m.Squash : null, burned, summary,
            m.Vars.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
            m.Steps.Select(s => new MoleculeStepJson(s.Step, s.ItemId, s.Title, s.Status, s.IsReady, s.Assignee, s.Role, s.Profile, [.. s.WaitsFor])).ToList());
}

internal sealed record MoleculeStepJson(string Step, string Id, string Title, string Status, bool Ready, string? Assignee, string? Role, string? Profile,
    List<string> WaitsFor);

/// <summary>shape <c>poured</c>: <c>orc pour</c>; the epic and its steps in the ledger's shape.</summary>
internal sealed record PouredJson(WorkItem Epic, List<WorkItem> Steps, string? Convoy);
