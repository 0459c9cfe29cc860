using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Adapters.Formulas;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core;
using Orchestrator.Core.Formulas;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;
using Orchestrator.Services.Formulas;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orc formula</c> (workflow templates in TOML), <c>orc pour</c> (a molecule in the ledger),
/// <c>orc wisp</c> (an ephemeral molecule kept out of git) and <c>orc mol</c> (molecules as they stand).
/// </summary>
internal static class FormulaCommands
{
    public static IEnumerable<Command> Build(IServiceProvider services)
    {
        yield return Formula(services);
        yield return Pour(services);
        yield return WispCommand(services);
        yield return Mol(services);
    }

    private static FormulaService Formulas(IServiceProvider s) => s.GetRequiredService<FormulaService>();

    private static MoleculeService Molecules(IServiceProvider s) => s.GetRequiredService<MoleculeService>();

    private static Option<string> Rig()
        => new("--rig") { Description = "Also use the rig's formulas/ (they override the workspace's), and give the items the rig's id prefix" };

    private static Option<string[]> Vars() => new("--var") { Description = "A variable: NAME=VALUE (repeat for each; see 'orc formula show NAME')",
        AllowMultipleArgumentsPerToken = false };

    private static Argument<string> MoleculeId()
        => new("ID") { Description = "A molecule: a poured molecule's epic (or one of its steps), or a wisp id (wisp-…)" };

    /// <summary>Runs a verb; a broken formula prints every FILE:LINE problem, not just the first.</summary>
    private static int Guard(Verb v, Func<int> body)
    {
        try { return body(); }
        catch (FormulaException ex)
        {
            foreach (var e in ex.Errors) v.Env.Error.WriteLine("orc: error: " + TerminalText.Line(e.ToString()));
            return ex.ExitCode;
        }
    }

    // ---- orc formula ----

    private static Command Formula(IServiceProvider services)
    {
        var formula = new Command("formula",
            "Formulas: reusable workflow templates (TOML) with variables and steps; shipped, in the workspace's formulas/, or in a rig's formulas/");

        var listRig = Rig();
        var listJson = Options.Json();
        var list = new Command("list",
            "Every formula: name, where it comes from, what it is for (a later source overrides an earlier one of the same name)") { listRig, listJson };
        list.SetAction(pr =>
        {
            var v = new Verb(services);
            var catalog = Formulas(services).Catalog(pr.GetValue(listRig));
            var profiles = Formulas(services).Profiles();
            var entries = catalog.All;
            var problems = entries.ToDictionary(e => e.Name, e => catalog.Problems(e, profiles));
            if (pr.GetValue(listJson))
            {
                JsonOut.Write(v.Env, entries.Select(e => FormulaEntryJson.From(e, problems[e.Name])).ToList(), CliJsonContext.Default.ListFormulaEntryJson);
                return 0;
            }
            if (entries.Count == 0) { v.Out.WriteLine("no formulas"); return 0; }
            var width = Math.Max(12, entries.Max(e => TerminalText.Line(e.Name).Length));
            var originWidth = Math.Max(8, entries.Max(e => e.Origin.Length));
            foreach (var e in entries)
            {
                var what = problems[e.Name].Count > 0
                    ? $"BROKEN: {TerminalText.Line(problems[e.Name][0].ToString())}"
                    : ItemText.Clip(TerminalText.Line(e.Formula!.Summary), 70) + (e.Formula.Extends is { } p ? $" (extends {TerminalText.Line(p)})" : "");
                v.Out.WriteLine($"{TerminalText.Line(e.Name).PadRight(width)}  {e.Origin.PadRight(originWidth)}  {what}");
            }
            foreach (var e in entries.Where(e => e.Origin != FormulaCatalog.ShippedOrigin || e.Hides.Count > 0))
                v.Out.WriteLine($"  {TerminalText.Line(e.Name)}: {TerminalText.Line(e.File)}{(e.Hides.Count > 0 ? " (overrides " + TerminalText.Line(string.Join(", ", e.Hides)) + ")" : "")}");
            return 0;
        });
        formula.Add(list);

        var showName = new Argument<string>("NAME") { Description = "A formula name (see 'orc formula list')" };
        var showRig = Rig();
        var showJson = Options.Json();
        var show = new Command("show", "A formula in full, its parents folded in: variables (required, defaults), steps, what each needs") { showName, showRig,
            showJson };
        show.SetAction(pr =>
        {
            var v = new Verb(services);
            return Guard(v, () =>
            {
                var f = Formulas(services).Get(pr.GetValue(showName)!, pr.GetValue(showRig));
                if (pr.GetValue(showJson)) { JsonOut.Write(v.Env, FormulaJson.From(f), CliJsonContext.Default.FormulaJson); return 0; }
                PrintFormula(v.Out, f);
                return 0;
            });
        });
        formula.Add(show);

        var checkFile = new Argument<string>("FILE") { Description = "A formula file (.formula.toml or .toml)" };
        var checkRig = Rig();
        var check = new Command("check", "Validate a formula file: TOML syntax, known keys, every need a step, no cycle, every {{variable}} declared, its parent (extends); prints 'ok' or FILE:LINE: problem lines") { checkFile, checkRig };
        check.SetAction(pr =>
        {
            var v = new Verb(services);
            var path = pr.GetValue(checkFile)!;
            if (!File.Exists(v.Context.Resolve(path))) throw new OrcException($"{path}: no such file", ExitCodes.NotFound);
            try
            {
                var f = Formulas(services).Check(path, pr.GetValue(checkRig));
                v.Out.WriteLine($"ok: {TerminalText.Line(path)}: formula {f.Name}, {f.Steps.Count} step{(f.Steps.Count == 1 ? "" : "s")}, {f.Vars.Count} variable{(f.Vars.Count == 1 ? "" : "s")}{(f.Extends is { } p ? $", extends {p}" : "")}");
                return 0;
            }
            catch (FormulaException ex)
            {
                foreach (var e in ex.Errors) v.Env.Error.WriteLine(TerminalText.Line(e.ToString()));
                v.Env.Error.WriteLine($"orc: {TerminalText.Line(path)}: {ex.Errors.Count} problem{(ex.Errors.Count == 1 ? "" : "s")}");
                return ExitCodes.Failure;
            }
        });
        formula.Add(check);
        return formula;
    }

    private static void PrintFormula(TextWriter o, Formula f)
    {
        o.WriteLine($"formula {f.Name}{(f.Extends is { } p ? $" (extends {p})" : "")}");
        o.WriteLine($"  from: {TerminalText.Line(string.Join(" ← ", f.Chain))}");
        if (f.Title is { } t) o.WriteLine($"  title: {TerminalText.Line(t.Value)}");
        if (f.Description is { } d)
            foreach (var l in TerminalText.Block(d.Value.TrimEnd()).Split('\n')) o.WriteLine("  " + l.TrimEnd('\r'));
        o.WriteLine();
        if (f.Vars.Count == 0) o.WriteLine("variables: none");
        else
        {
            o.WriteLine("variables:");
            var width = f.Vars.Max(x => x.Name.Length);
            foreach (var x in f.Vars)
            {
                var how = x.IsRequired ? "required" : x.Default is { } def ? $"default \"{TerminalText.Line(def)}\"" : "optional";
                o.WriteLine($"  {x.Name.PadRight(width)}  {how}{(x.Description is { } desc ? "  " + TerminalText.Line(desc) : "")}");
            }
        }
        o.WriteLine();
        o.WriteLine("steps:");
        var idWidth = f.Steps.Count == 0 ? 4 : f.Steps.Max(s => s.Id.Length);
        foreach (var s in f.Steps)
        {
            var extra = new List<string>();
            if (s.NeedsList.Count > 0) extra.Add("needs " + string.Join(", ", s.NeedsList));
            if (s.Role is { } r) extra.Add("role " + TerminalText.Line(r.Value));
            if (s.Profile is { } pr) extra.Add("profile " + TerminalText.Line(pr.Value));
            o.WriteLine($"  {s.Id.PadRight(idWidth)}  {TerminalText.Line(s.Title?.Value)}{(extra.Count > 0 ? "  (" + string.Join("; ", extra) + ")" : "")}");
        }
    }

    // ---- orc pour ----

    private static Command Pour(IServiceProvider services)
    {
        var name = new Argument<string>("FORMULA") { Description = "The formula to pour (see 'orc formula list')" };
        var vars = Vars();
        var rig = Rig();
        var convoy = new Option<string>("--convoy") { Description = "Also make a convoy of the steps, in the same commit (then 'orc plan NAME', 'orc convoy launch NAME')" };
        var json = Options.Json();
        var cmd = new Command("pour", "Instantiate a formula as a molecule in the ledger: an epic (labelled molecule, formula:NAME) with one child item per step and the steps' needs as blocks dependencies, in one commit")
        {
            name, vars, rig, convoy, json,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            return Guard(v, () =>
            {
                var poured = Molecules(services).Pour(pr.GetValue(name)!, FormulaRules.ParseVars(pr.GetValue(vars)), pr.GetValue(rig), pr.GetValue(convoy));
                if (pr.GetValue(json))
                {
                    JsonOut.Write(v.Env, new PouredJson(poured.Epic, [.. poured.Steps], poured.Convoy?.Name), CliJsonContext.Default.PouredJson);
                    return 0;
                }
                v.Out.WriteLine($"poured {poured.Epic.Id}: {TerminalText.Line(poured.Epic.Title)} ({Plural.Of(poured.Steps.Count, "step")})");
                var stepIds = poured.Steps.ToDictionary(s => s.Id, s => MoleculeLabels.Value(s, MoleculeLabels.Step) ?? s.Id);
                foreach (var s in poured.Steps)
                {
                    var after = s.Dependencies.Where(d => d.Type == Core.Items.DependencyTypes.Blocks).Select(d => stepIds.GetValueOrDefault(d.DependsOnId)
                        ?? d.DependsOnId).ToList();
                    v.Out.WriteLine($"  {s.Id,-14} {stepIds[s.Id],-12} {ItemText.Clip(TerminalText.Line(s.Title), 60)}{(after.Count > 0 ? "  (after " + string.Join(", ", after) + ")" : "")}");
                }
                if (poured.Convoy is { } cv)
                    v.Out.WriteLine($"convoy {cv.Name} made of its steps: see 'orc plan {cv.Name}', launch with 'orc convoy launch {cv.Name}'");
                else
                    v.Out.WriteLine($"see 'orc mol status {poured.Epic.Id}'; sling a ready step with 'orc sling ID', or launch them all: 'orc convoy create NAME {string.Join(" ", poured.Steps.Select(s => s.Id))}'");
                return 0;
            });
        });
        return cmd;
    }

    // ---- orc wisp ----

    private static Command WispCommand(IServiceProvider services)
    {
        var name = new Argument<string>("FORMULA") { Description = "The formula (see 'orc formula list')" };
        var vars = Vars();
        var rig = Rig();
        var squash = new Option<bool>("--squash") { Description = "When it is burned, leave one closed summary item (and one commit) in the ledger" };
        var json = Options.Json();
        var cmd = new Command("wisp", "Instantiate a formula as a wisp: an ephemeral molecule kept out of git (.orc/wisps/), burned when its last step is closed ('orc mol close ID STEP')")
        {
            name, vars, rig, squash, json,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            return Guard(v, () =>
            {
                var w = Molecules(services).Wisp(pr.GetValue(name)!, FormulaRules.ParseVars(pr.GetValue(vars)), pr.GetValue(rig), pr.GetValue(squash));
                var m = MoleculeRules.FromWisp(w);
                if (pr.GetValue(json)) { JsonOut.Write(v.Env, MoleculeJson.From(m), CliJsonContext.Default.MoleculeJson); return 0; }
                v.Out.WriteLine($"wisp {w.Id}: {TerminalText.Line(w.Title)} ({Plural.Of(w.Steps.Count, "step")}; kept out of git{(w.Squash ? "; squashed into one item when done" : "")})");
                PrintSteps(v.Out, m);
                v.Out.WriteLine($"close steps with 'orc mol close {w.Id} STEP…'; it burns when the last one closes");
                return 0;
            });
        });
        return cmd;
    }

    // ---- orc mol ----

    private static Command Mol(IServiceProvider services)
    {
        var mol = new Command("mol", "Molecules (poured formulas and wisps): list, status, progress, close steps, burn, squash");

        var listAll = new Option<bool>("--all") { Description = "Include closed poured molecules" };
        var listJson = Options.Json();
        var list = new Command("list", "Open poured molecules and every wisp, with their progress") { listAll, listJson };
        list.SetAction(pr =>
        {
            var v = new Verb(services);
            var all = Molecules(services).List(pr.GetValue(listAll));
            if (pr.GetValue(listJson)) { JsonOut.Write(v.Env, all.Select(MoleculeProgressJson.From).ToList(),
                CliJsonContext.Default.ListMoleculeProgressJson); return 0; }
            if (all.Count == 0) { v.Out.WriteLine("no molecules; pour one with 'orc pour FORMULA' or 'orc wisp FORMULA'"); return 0; }
            foreach (var m in all)
                v.Out.WriteLine($"{TerminalText.Line(m.Id),-16} {m.Kind,-6} {TerminalText.Line(m.Formula ?? "-"),-14} {m.Closed}/{m.Total} ({m.Percent}%)  {ItemText.Clip(TerminalText.Line(m.Title), 60)}");
            return 0;
        });
        mol.Add(list);

        var statusId = MoleculeId();
        var statusJson = Options.Json();
        var status = new Command("status", "A molecule's steps: status, and what each still waits for") { statusId, statusJson };
        status.SetAction(pr =>
        {
            var v = new Verb(services);
            var m = Molecules(services).Get(pr.GetValue(statusId)!);
            if (pr.GetValue(statusJson)) { JsonOut.Write(v.Env, MoleculeJson.From(m), CliJsonContext.Default.MoleculeJson); return 0; }
            v.Out.WriteLine($"{(m.Kind == MoleculeKinds.Wisp ? "wisp" : "molecule")} {m.Id}: {TerminalText.Line(m.Title)}");
            v.Out.WriteLine($"  {(m.Formula is null ? "an epic" : "formula " + TerminalText.Line(m.Formula))}{(m.Source is { } src ? " (" + TerminalText.Line(src) + ")" : "")}; {m.Status}; {m.Closed}/{m.Total} steps closed ({m.Percent}%)");
            if (m.Vars.Count > 0) v.Out.WriteLine($"  vars: {TerminalText.Line(string.Join(", ", m.Vars.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")))}");
            PrintSteps(v.Out, m);
            return 0;
        });
        mol.Add(status);

        var progressId = MoleculeId();
        var progressJson = Options.Json();
        var progress = new Command("progress", "How far a molecule is: closed steps out of all, as a percentage") { progressId, progressJson };
        progress.SetAction(pr =>
        {
            var v = new Verb(services);
            var m = Molecules(services).Get(pr.GetValue(progressId)!);
            if (pr.GetValue(progressJson)) { JsonOut.Write(v.Env, MoleculeProgressJson.From(m), CliJsonContext.Default.MoleculeProgressJson); return 0; }
            v.Out.WriteLine($"{m.Id}: {m.Closed}/{m.Total} steps closed ({m.Percent}%) [{Bar(m, 20)}]");
            return 0;
        });
        mol.Add(progress);

        var closeId = MoleculeId();
        var closeSteps = new Argument<string[]>("STEP") { Description = "Steps to close: their formula ids (design) or item ids (hq-a1b.1, wisp-x9.1)",
            Arity = ArgumentArity.OneOrMore };
        var reason = new Option<string>("--reason", "-r") { Description = "Why (kept with the step)" };
        var closeJson = Options.Json();
        var close = new Command("close", "Close steps of a molecule. A poured molecule's epic closes with its last step; a wisp is burned (or squashed, if made with --squash) when its last step closes")
        {
            closeId, closeSteps, reason, closeJson,
        };
        close.SetAction(pr =>
        {
            var v = new Verb(services);
            var r = Molecules(services).CloseSteps(pr.GetValue(closeId)!, pr.GetValue(closeSteps)!, pr.GetValue(reason));
            if (pr.GetValue(closeJson)) { JsonOut.Write(v.Env, MoleculeJson.From(r.Molecule, r.Burned, r.Summary?.Id),
                CliJsonContext.Default.MoleculeJson); return 0; }
            v.Out.WriteLine(r.Closed.Count == 0
                ? "nothing to close: those steps were closed already"
                : $"closed {TerminalText.Line(string.Join(", ", r.Closed))} of {r.Molecule.Id} ({r.Molecule.Closed}/{r.Molecule.Total})");
            if (r.Burned) v.Out.WriteLine(r.Summary is { } s
                ? $"wisp {r.Molecule.Id} is done: burned, squashed into {s.Id}" : $"wisp {r.Molecule.Id} is done: burned");
            else if (r.Molecule.AllClosed) v.Out.WriteLine($"molecule {r.Molecule.Id} is done: all steps closed");
            return 0;
        });
        mol.Add(close);

        var burnId = MoleculeId();
        var burn = new Command("burn", "Burn a molecule: a wisp is deleted without a trace; a poured molecule (kept in git history) has its open steps and epic closed as burned, in one commit") { burnId };
        burn.SetAction(pr =>
        {
            var v = new Verb(services);
            var m = Molecules(services).Burn(pr.GetValue(burnId)!);
            v.Out.WriteLine(m.Kind == MoleculeKinds.Wisp
                ? $"burned wisp {m.Id} (no trace left)" : $"burned molecule {m.Id}: its open steps and the epic are closed");
            return 0;
        });
        mol.Add(burn);

        var squashId = MoleculeId();
        var squashJson = Options.Json();
        var squash = new Command("squash", "Collapse a molecule into one summary: a wisp becomes one closed item in the ledger (one commit); a poured molecule's epic gets the summary and is closed with its open steps") { squashId, squashJson };
        squash.SetAction(pr =>
        {
            var v = new Verb(services);
            var (m, summary) = Molecules(services).Squash(pr.GetValue(squashId)!);
            if (pr.GetValue(squashJson)) { JsonOut.Item(v.Env, summary); return 0; }
            v.Out.WriteLine(m.Kind == MoleculeKinds.Wisp
                ? $"squashed wisp {m.Id} into {summary.Id}: {TerminalText.Line(summary.Title)}"
                : $"squashed molecule {m.Id}: the summary is in its notes; {m.Total} steps closed");
            return 0;
        });
        mol.Add(squash);
        return mol;
    }

    private static void PrintSteps(TextWriter o, MoleculeView m)
    {
        var width = Math.Max(4, m.Steps.Count == 0 ? 0 : m.Steps.Max(s => TerminalText.Line(s.Step).Length));
        var idWidth = Math.Max(4, m.Steps.Count == 0 ? 0 : m.Steps.Max(s => TerminalText.Line(s.ItemId).Length));
        foreach (var s in m.Steps)
        {
            var state = s.IsClosed ? "" : s.WaitsFor.Count > 0 ? "waits for " + string.Join(", ",
                s.WaitsFor) : s.Status == Core.Items.Statuses.Open ? "ready" : s.Assignee is { } a ? "@" + a : "";
            var who = new List<string>();
            if (s.Role is { } r) who.Add("role " + r);
            if (s.Profile is { } p) who.Add("profile " + p);
            o.WriteLine($"  {TerminalText.Line(s.Step).PadRight(width)}  {TerminalText.Line(s.ItemId).PadRight(idWidth)}  {TerminalText.Line(s.Status),-11} {TerminalText.Line(state),-24} {ItemText.Clip(TerminalText.Line(s.Title), 50)}{(who.Count > 0 ? "  [" + TerminalText.Line(string.Join(", ", who)) + "]" : "")}");
        }
    }

    private static string Bar(MoleculeView m, int width)
    {
        var filled = m.Total == 0 ? width : m.Closed * width / m.Total;
        return new string('#', filled) + new string('.', width - filled);
    }
}
