using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Formulas;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;
using Orchestrator.Services.Convoys;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Formulas;

/// <summary>What <c>orc pour</c> wrote: the epic, one child per step (in the formula's order), and the convoy if one was asked for.</summary>
public sealed record Poured(WorkItem Epic, IReadOnlyList<WorkItem> Steps, Convoy? Convoy, string? CommitId);

/// <summary>What closing steps did: the molecule after, and whether a wisp was burned (and into which summary item).</summary>
public sealed record StepsClosed(MoleculeView Molecule, IReadOnlyList<string> Closed, bool Burned, WorkItem? Summary);

/// <summary>
/// Molecules: formulas instantiated. A poured molecule lives in the ledger (an epic labelled
/// <c>molecule</c> and <c>formula:NAME</c>, one child per step labelled <c>step:ID</c>, <c>blocks</c>
/// dependencies from the steps' needs), written in one locked, committed change. A wisp lives
/// only in <c>.orc/wisps/ID.json</c> (ignored by git, never committed): it is burned when its
/// last step closes and, if asked, squashed into one closed summary item and one commit.
/// Every change to either runs under the workspace write lock.
/// </summary>
public sealed class MoleculeService(RuntimeContext runtime, LedgerService ledger, FormulaService formulas, ConvoyService convoys,
    ILogger<MoleculeService> logger)
{
    private RecordStore<Wisp> Wisps => new(runtime.Workspace.Paths.WispsDir, OrcJsonContext.Default.Wisp);

    // ---- pour ----

    public Poured Pour(string name, IReadOnlyList<KeyValuePair<string, string>> vars, string? rig, string? convoy)
    {
        var formula = formulas.Get(name, rig);
        var plan = FormulaRules.Instantiate(formula, vars);
        var prefix = rig is null ? null : runtime.Rigs.Get(rig).Prefix;
        if (convoy is not null) Names.Validate(convoy, "--convoy");
        var result = ledger.Transact("pour", tx =>
        {
            var ops = tx.Items;
            var epic = ops.Create(new CreateItemRequest
            {
                Title = plan.Title,
                Description = EpicDescription(plan),
                Type = IssueTypes.Epic,
                Labels = [MoleculeLabels.Molecule, MoleculeLabels.Formula + formula.Name],
                Prefix = prefix,
            });
            epic.Extra.Add(new(MoleculeLabels.Field, MoleculeRules.Field(formula.Name, formula.File, plan.Vars)));
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            var children = new List<WorkItem>();
            foreach (var s in plan.Steps)
            {
                var child = ops.Create(new CreateItemRequest
                {
                    Title = s.Title,
                    Description = s.Description,
                    ParentId = epic.Id,
                    Labels = StepLabels(s.Id, s.Role, s.Profile),
                });
                ids[s.Id] = child.Id;
                children.Add(child);
            }
            foreach (var s in plan.Steps)
                foreach (var n in s.Needs)
                    ops.AddDependency(ids[s.Id], ids[n], DependencyTypes.Blocks);
            var made = convoy is null ? null : convoys.CreateIn(tx, convoy, children.Select(c => c.Id).ToList(), Clip(plan.Title, ItemLimits.NameLength), null);
            return (epic, children, made);
        });
        var (e, c, cv) = result.Value;
        logger.LogInformation("poured formula {Formula} as {Epic} ({Steps} steps)", formula.Name, e.Id, c.Count);
        return new Poured(e, c, cv, result.CommitId);
    }

    private static List<string> StepLabels(string step, string? role, string? profile)
    {
        var labels = new List<string> { MoleculeLabels.Step + step };
        if (role is not null) labels.Add(MoleculeLabels.Role + role);
        if (profile is not null) labels.Add(MoleculeLabels.Profile + profile);
        return labels;
    }

    private static string EpicDescription(MoleculePlan plan)
    {
        var lines = new List<string>();
        if (!string.IsNullOrWhiteSpace(plan.Description)) lines.Add(plan.Description.TrimEnd());
        lines.Add("");
        lines.Add($"Molecule of formula {plan.Formula.Name} ({plan.Formula.File}).");
        if (plan.Vars.Count > 0) lines.Add("Variables: " + string.Join(", ", plan.Vars.OrderBy(v => v.Key,
            StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}")));
        lines.Add("Steps: " + string.Join(", ", plan.Steps.Select(s => s.Needs.Count == 0 ? s.Id : $"{s.Id} (after {string.Join(", ", s.Needs)})")));
        return string.Join("\n", lines).Trim('\n');
    }

    // ---- wisp ----

    public Wisp Wisp(string name, IReadOnlyList<KeyValuePair<string, string>> vars, string? rig, bool squash)
    {
        var formula = formulas.Get(name, rig);
        var plan = FormulaRules.Instantiate(formula, vars);
        var now = Timestamps.Format(runtime.Workspace.Now);
        var store = Wisps;
        var wisp = ledger.Transact("wisp", tx =>
        {
            var id = IdGenerator.NewId(Core.Formulas.Wisp.IdPrefix, $"{formula.Name}\n{runtime.Workspace.Actor}\n{now}\n{Guid.NewGuid()}",
                store.All().Count + 1, x => store.Find(x) is not null || tx.Items.Ledger.Contains(x));
            var w = new Wisp
            {
                Id = id,
                Formula = formula.Name,
                Source = formula.File,
                Title = plan.Title,
                Description = plan.Description,
                Vars = new Dictionary<string, string>(plan.Vars, StringComparer.Ordinal),
                Squash = squash,
                Rig = rig,
                CreatedAt = now,
                CreatedBy = runtime.Workspace.Actor,
                Steps = plan.Steps.Select((s, i) => new WispStep
                {
                    Id = $"{id}.{i + 1}", Step = s.Id, Title = s.Title, Description = s.Description, Role = s.Role, Profile = s.Profile, Needs = [.. s.Needs],
                }).ToList(),
            };
            Write(store, w);
            return w;
        }).Value;
        logger.LogInformation("wisp {Id} of formula {Formula} ({Steps} steps, squash {Squash})", wisp.Id, wisp.Formula, wisp.Steps.Count, squash);
        return wisp;
    }

    /// <summary>Writes a wisp; its folder holds a .gitignore of '*', so git never sees it even where the workspace's .gitignore predates wisps.</summary>
    private static void Write(RecordStore<Wisp> store, Wisp w)
    {
        Directory.CreateDirectory(store.Directory);
        var ignore = Path.Combine(store.Directory, ".gitignore");
        if (!File.Exists(ignore)) AtomicFile.Write(ignore, "# wisps are ephemeral: never committed\n*\n"u8.ToArray());
        store.Write(w.Id, w);
    }

    private Wisp? FindWisp(string id) => Core.Formulas.Wisp.LooksLikeId(id) && Names.IsValid(id) ? Wisps.Find(id) : null;

    // ---- reading ----

    /// <summary>The molecule <paramref name="id"/> names: a wisp, a poured molecule's epic, or one of its steps (meaning its molecule).</summary>
    public MoleculeView Get(string id) => Get(id.Trim(), ledger.Read());

    private MoleculeView Get(string id, LedgerDocument doc)
    {
        var wispId = id.Contains('.') && Core.Formulas.Wisp.LooksLikeId(id) ? id[..id.IndexOf('.')] : id;
        if (FindWisp(wispId) is { } w) return MoleculeRules.FromWisp(w);
        var item = doc.Find(id) ?? throw new OrcException($"no molecule or work item '{TerminalText.Line(id)}' (see 'orc mol list')", ExitCodes.NotFound);
        if (item.IssueType != IssueTypes.Epic && item.ParentId is { } parent && doc.Find(parent) is { } epic && MoleculeRules.IsMolecule(epic)) item = epic;
        if (item.IssueType != IssueTypes.Epic)
            throw new OrcException($"{item.Id} is not a molecule: pour one with 'orc pour FORMULA', or name an epic", ExitCodes.Usage);
        return MoleculeRules.FromLedger(item, doc);
    }

    /// <summary>Poured molecules (open ones, or all) and every wisp.</summary>
    public List<MoleculeView> List(bool all)
    {
        var doc = ledger.Read();
        var poured = doc.Sorted().Where(i => MoleculeRules.IsMolecule(i) && (all || !i.IsClosed)).Select(i => MoleculeRules.FromLedger(i, doc));
        return [.. poured, .. Wisps.All().Select(MoleculeRules.FromWisp)];
    }

    // ---- closing steps ----

    /// <summary>
    /// Closes steps of a molecule (by step id or item id). A poured molecule's epic closes with its
    /// last step (and convoys of its steps land); a wisp whose last step closes is burned, or squashed if it was made with --squash.
    /// </summary>
    public StepsClosed CloseSteps(string id, IReadOnlyList<string> steps, string? reason)
    {
        if (steps.Count == 0) throw new OrcException("name at least one step", ExitCodes.Usage);
        WorkItemRules.Text(reason, "--reason");
        var doc = ledger.Read();
        var m = Get(id, doc);
        return m.Kind == MoleculeKinds.Wisp ? CloseWispSteps(m.Id, steps, reason) : ClosePouredSteps(m.Id, steps, reason);
    }

    private StepsClosed ClosePouredSteps(string epicId, IReadOnlyList<string> steps, string? reason)
    {
        var closed = ledger.Transact("mol close", tx =>
        {
            var ops = tx.Items;
            var m = MoleculeRules.FromLedger(ops.Ledger.Get(epicId), ops.Ledger);
            var targets = steps.Select(s => StepOf(m, s)).ToList();
            var changed = targets.Where(t => ops.Close(t.ItemId, reason)).Select(t => t.Step).ToList();
            var after = MoleculeRules.FromLedger(ops.Ledger.Get(epicId), ops.Ledger);
            if (after.AllClosed) ops.Close(epicId, "all steps closed");
            return changed;
        }).Value;
        convoys.CheckLanded();
        return new StepsClosed(Get(epicId), closed, false, null);
    }

    private StepsClosed CloseWispSteps(string wispId, IReadOnlyList<string> steps, string? reason)
    {
        var now = Timestamps.Format(runtime.Workspace.Now);
        var store = Wisps;
        // Named for the commit a squash makes (closing alone commits nothing).
        var verb = store.Find(wispId) is { Squash: true } ? "wisp squash" : "wisp close";
        var (view, changed, summary) = ledger.Transact(verb, tx =>
        {
            var w = store.Find(wispId) ?? throw new OrcException($"wisp {wispId} is gone (burned by another process?)", ExitCodes.NotFound);
            var m = MoleculeRules.FromWisp(w);
            var names = steps.Select(s => StepOf(m, s).Step).ToHashSet(StringComparer.Ordinal);
            var changed = w.Steps.Where(s => names.Contains(s.Step) && s.Status != Statuses.Closed).Select(s => s.Step).ToList();
            var next = w with
            {
                Steps = w.Steps.Select(s => names.Contains(s.Step) && s.Status != Statuses.Closed
                    ? s with { Status = Statuses.Closed, ClosedAt = now, ClosedBy = runtime.Workspace.Actor, CloseReason = reason }
                    : s).ToList(),
            };
            var view = MoleculeRules.FromWisp(next);
            if (!view.AllClosed) { Write(store, next); return (view, changed, (WorkItem?)null); }
            // The last step closed: the wisp burns; squashed, it leaves one closed summary item (committed with this change).
            Write(store, next);
            return (view, changed, next.Squash ? SummaryItem(tx.Items, view) : null);
        }).Value;
        var burned = view.AllClosed;
        if (burned) Burn(store, wispId);
        return new StepsClosed(view, changed, burned, summary);
    }

    private static StepView StepOf(MoleculeView m, string step) =>
        m.Find(step.Trim())
            ?? throw new OrcException($"molecule {m.Id} has no step '{TerminalText.Line(step)}' (steps: {string.Join(", ", m.Steps.Select(s => s.Step))})",
            ExitCodes.NotFound);

    /// <summary>The closed item a squashed wisp leaves; made once (a retry after a crash finds it by its external ref).</summary>
    private WorkItem SummaryItem(ItemOperations ops, MoleculeView m)
    {
        var reference = "wisp:" + m.Id;
        var existing = ops.Ledger.Items.FirstOrDefault(i => i.ExternalRef == reference);
        if (existing is not null) return existing;
        var labels = new List<string> { MoleculeLabels.WispSummary };
        if (m.Formula is not null) labels.Add(MoleculeLabels.Formula + m.Formula);
        var item = ops.Create(new CreateItemRequest
        {
            Title = Clip(m.Title, ItemLimits.TitleLength),
            Description = MoleculeRules.Summary(m),
            Labels = labels,
            ExternalRef = reference,
        });
        ops.Close(item.Id, $"squashed wisp {m.Id}");
        return item;
    }

    private void Burn(RecordStore<Wisp> store, string id)
    {
        store.Delete(id);
        logger.LogInformation("wisp {Id} burned", id);
    }

    // ---- burn and squash ----

    /// <summary>
    /// Burns a molecule. A wisp is deleted and leaves no trace. A poured molecule cannot be
    /// erased from git history: its open steps and its epic are closed (reason "burned") in one
    /// commit; refused while an agent holds one of its steps.
    /// </summary>
    public MoleculeView Burn(string id)
    {
        var m = Get(id);
        if (m.Kind == MoleculeKinds.Wisp)
        {
            ledger.Transact("wisp burn", _ => { Burn(Wisps, m.Id); return 0; });
            return m;
        }
        ledger.Transact("mol burn", tx =>
        {
            var ops = tx.Items;
            var now = MoleculeRules.FromLedger(ops.Ledger.Get(m.Id), ops.Ledger);
            RefuseHeld(now, "burn");
            foreach (var s in now.Steps.Where(s => !s.IsClosed)) ops.Close(s.ItemId, $"burned (molecule {m.Id} abandoned)");
            ops.Close(m.Id, "burned");
            return 0;
        });
        convoys.CheckLanded();
        return Get(m.Id);
    }

    /// <summary>
    /// Collapses a molecule into one summary. A wisp becomes one closed item in the ledger (one
    /// commit) and is deleted. A poured molecule's epic becomes the summary: its notes list every
    /// step and how it ended; its open steps and the epic are closed, in one commit.
    /// </summary>
    public (MoleculeView Molecule, WorkItem Summary) Squash(string id)
    {
        var m = Get(id);
        if (m.Kind == MoleculeKinds.Wisp)
        {
            var store = Wisps;
            var summary = ledger.Transact("wisp squash", tx =>
            {
                var w = store.Find(m.Id) ?? throw new OrcException($"wisp {m.Id} is gone (burned by another process?)", ExitCodes.NotFound);
                return SummaryItem(tx.Items, MoleculeRules.FromWisp(w));
            }).Value;
            Burn(store, m.Id);
            return (m, summary);
        }
        var epic = ledger.Transact("mol squash", tx =>
        {
            var ops = tx.Items;
            var now = MoleculeRules.FromLedger(ops.Ledger.Get(m.Id), ops.Ledger);
            RefuseHeld(now, "squash");
            var text = MoleculeRules.Summary(now);
            foreach (var s in now.Steps.Where(s => !s.IsClosed)) ops.Close(s.ItemId, $"squashed into {m.Id}");
            var e = ops.Ledger.Get(m.Id);
            ops.Update(m.Id, new UpdateItemRequest { Notes = string.IsNullOrEmpty(e.Notes) ? text : e.Notes + "\n\n" + text });
            ops.Close(m.Id, "squashed");
            return ops.Ledger.Get(m.Id);
        }).Value;
        convoys.CheckLanded();
        return (Get(m.Id), epic);
    }

    private static void RefuseHeld(MoleculeView m, string verb)
    {
        var held = m.Steps.FirstOrDefault(s => s.Status == Statuses.Hooked);
        if (held is not null)
            throw new OrcException($"cannot {verb} {m.Id}: step {held.Step} ({held.ItemId}) is hooked by {TerminalText.Line(held.Assignee ?? "an agent")}; let it finish or release it first");
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
