using System.Buffers;
using System.Text;
using System.Text.Json;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Core.Formulas;

/// <summary>How molecules are recognised in the ledger: labels on the epic and its children.</summary>
public static class MoleculeLabels
{
    /// <summary>On the epic of a poured molecule, and on the summary item a squashed wisp leaves.</summary>
    public const string Molecule = "molecule";
    /// <summary>On the summary item a squashed wisp leaves.</summary>
    public const string WispSummary = "wisp-summary";
    public const string Formula = "formula:";
    public const string Step = "step:";
    public const string Role = "role:";
    public const string Profile = "profile:";
    /// <summary>The ledger field (kept by Beads as an unknown field) recording the formula, its file and the variables.</summary>
    public const string Field = "molecule";

    public static string? Value(WorkItem item, string prefix) =>
        item.Labels.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } l ? l[prefix.Length..] : null;
}

public static class MoleculeKinds
{
    public const string Poured = "poured";
    public const string Wisp = "wisp";
}

/// <summary>
/// An ephemeral molecule, kept only on this machine (<c>.orc/wisps/ID.json</c>, ignored by git):
/// never committed, burned when its last step closes, optionally squashed into one summary item.
/// </summary>
public sealed record Wisp
{
    public const string IdPrefix = "wisp";

    public required string Id { get; init; }
    public required string Formula { get; init; }
    public string? Source { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public Dictionary<string, string> Vars { get; init; } = [];
    /// <summary>When burned, leave one closed summary item (and one commit) in the ledger.</summary>
    public bool Squash { get; init; }
    public string? Rig { get; init; }
    public required string CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public List<WispStep> Steps { get; init; } = [];

    public static bool LooksLikeId(string id) => id.StartsWith(IdPrefix + "-", StringComparison.Ordinal);
}

public sealed record WispStep
{
    /// <summary>The step's own id, like a child item's: WISP.N.</summary>
    public required string Id { get; init; }
    /// <summary>The formula's step id.</summary>
    public required string Step { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public string? Role { get; init; }
    public string? Profile { get; init; }
    /// <summary>Formula step ids this step waits for.</summary>
    public List<string> Needs { get; init; } = [];
    public string Status { get; init; } = Statuses.Open;
    public string? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
    public string? CloseReason { get; init; }
}

/// <summary>One step of a molecule as it stands: its item, status, and the steps it still waits for.</summary>
public sealed record StepView(string Step, string ItemId, string Title, string Status, string? Assignee, string? Role, string? Profile,
    IReadOnlyList<string> WaitsFor)
{
    public bool IsClosed => Status is Statuses.Closed or Statuses.Tombstone;
    public bool IsReady => Status == Statuses.Open && WaitsFor.Count == 0;
}

/// <summary>A poured molecule (an epic and its children in the ledger) or a wisp, seen the same way.</summary>
public sealed record MoleculeView(string Id, string Kind, string? Formula, string? Source, string Title, string Status,
    IReadOnlyDictionary<string, string> Vars, IReadOnlyList<StepView> Steps, bool Squash)
{
    public int Closed => Steps.Count(s => s.IsClosed);
    public int Total => Steps.Count;
    public int Percent => Total == 0 ? 100 : Closed * 100 / Total;
    public bool AllClosed => Total > 0 && Closed == Total;

    /// <summary>The step named by its formula id (design) or its item id (hq-a1b.1).</summary>
    public StepView? Find(string stepOrId) => Steps.FirstOrDefault(s => s.Step == stepOrId || s.ItemId == stepOrId);
}

/// <summary>Reading molecules from the ledger and from wisps; the summary a squash leaves.</summary>
public static class MoleculeRules
{
    public static bool IsMolecule(WorkItem item) => item.IssueType == IssueTypes.Epic && item.Labels.Contains(MoleculeLabels.Molecule);

    /// <summary>A poured molecule from its epic and the epic's children, in id order.</summary>
    public static MoleculeView FromLedger(WorkItem epic, LedgerDocument ledger)
    {
        var children = ledger.ChildrenOf(epic.Id).OrderBy(c => c.Id, IdComparer.Instance).ToList();
        var stepOf = children.ToDictionary(c => c.Id, c => MoleculeLabels.Value(c, MoleculeLabels.Step) ?? c.Id, StringComparer.Ordinal);
        var graph = new DependencyGraph(ledger);
        var steps = children.Select(c => new StepView(
            stepOf[c.Id], c.Id, c.Title, c.Status, c.Assignee,
            MoleculeLabels.Value(c, MoleculeLabels.Role), MoleculeLabels.Value(c, MoleculeLabels.Profile),
            graph.DirectBlockers(c).Select(b => stepOf.GetValueOrDefault(b.Id) ?? b.Id).ToList())).ToList();
        var (formula, source, vars) = ReadField(epic);
        return new MoleculeView(epic.Id, MoleculeKinds.Poured, formula ?? MoleculeLabels.Value(epic, MoleculeLabels.Formula), source,
            epic.Title, epic.Status, vars, steps, Squash: false);
    }

    public static MoleculeView FromWisp(Wisp w)
    {
        var open = w.Steps.Where(s => s.Status != Statuses.Closed).Select(s => s.Step).ToHashSet(StringComparer.Ordinal);
        var steps = w.Steps.Select(s => new StepView(s.Step, s.Id, s.Title, s.Status, null, s.Role, s.Profile,
            s.Needs.Where(open.Contains).ToList())).ToList();
        var status = steps.Count > 0 && steps.All(s => s.IsClosed) ? Statuses.Closed : Statuses.Open;
        return new MoleculeView(w.Id, MoleculeKinds.Wisp, w.Formula, w.Source, w.Title, status, w.Vars, steps, w.Squash);
    }

    /// <summary>The summary a squash leaves: each step, how it ended, and the variables.</summary>
    public static string Summary(MoleculeView m)
    {
        var sb = new StringBuilder();
        sb.Append($"Squashed {(m.Kind == MoleculeKinds.Wisp ? "wisp" : "molecule")} {m.Id}");
        if (m.Formula is not null) sb.Append($" of formula {m.Formula}");
        sb.Append($": {m.Closed}/{m.Total} steps closed.\n");
        if (m.Vars.Count > 0)
        {
            sb.Append("\nVariables:\n");
            foreach (var (k, v) in m.Vars.OrderBy(p => p.Key, StringComparer.Ordinal)) sb.Append($"  {k} = {v}\n");
        }
        sb.Append("\nSteps:\n");
        foreach (var s in m.Steps) sb.Append($"  [{(s.IsClosed ? "x" : " ")}] {s.Step}: {s.Title} ({s.Status})\n");
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>The raw JSON of the ledger field <see cref="MoleculeLabels.Field"/>: formula, file and variables.</summary>
    public static string Field(string formula, string? source, IReadOnlyDictionary<string, string> vars)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("formula", formula);
            if (source is not null) w.WriteString("source", source);
            w.WriteStartObject("vars");
            foreach (var (k, v) in vars.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads the field back; what is missing or unreadable comes back empty.</summary>
    public static (string? Formula, string? Source, Dictionary<string, string> Vars) ReadField(WorkItem epic)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        var raw = epic.Extra.FirstOrDefault(e => e.Key == MoleculeLabels.Field).Value;
        if (raw is null) return (null, null, vars);
        try
        {
            using var doc = JsonDocument.Parse(raw);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null, vars);
            string? Str(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (root.TryGetProperty("vars", out var vs) && vs.ValueKind == JsonValueKind.Object)
                foreach (var p in vs.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.String) vars[p.Name] = p.Value.GetString()!;
            return (Str("formula"), Str("source"), vars);
        }
        catch (JsonException) { return (null, null, vars); }
    }
}
