using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Text;
using Orchestrator.Services.Convoys;
using Orchestrator.Services.Planning;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc convoy</c> (bundles of items tracked as one unit) and <c>orc plan</c> (the coordination plan).</summary>
internal static class ConvoyCommands
{
    public static IEnumerable<Command> Build(IServiceProvider services)
    {
        ConvoyService Convoys() => services.GetRequiredService<ConvoyService>();
        var convoy = new Command("convoy", "Convoys: named bundles of work items (across rigs) tracked, launched and scored as one unit");
        Argument<string> Name() => new("NAME") { Description = "Convoy name (lowercase letters, digits, '-' and '_')" };

        var createName = Name();
        var createItems = Options.ItemIds("ITEM");
        var title = new Option<string>("--title") { Description = "What the convoy delivers" };
        var onLand = new Option<string>("--on-land") { Description = "A command run by /bin/sh in the workspace when the convoy lands (ORC_CONVOY and ORC_CONVOY_ITEMS are set)" };
        var create = new Command("create",
            "Make a convoy of work items (from any rig); refuses unknown or repeated items and dependency cycles among them") { createName, createItems, title,
            onLand };
        create.SetAction(pr =>
        {
            var v = new Verb(services);
            var c = Convoys().Create(pr.GetValue(createName)!, pr.GetValue(createItems)!, pr.GetValue(title), pr.GetValue(onLand));
            v.Out.WriteLine($"created convoy {c.Name} with {c.Items.Count} item{(c.Items.Count == 1 ? "" : "s")}: {string.Join(" ", c.Items)}");
            v.Out.WriteLine($"see the plan: orc plan {c.Name}   launch it: orc convoy launch {c.Name} --max 3");
            return 0;
        });
        convoy.Add(create);

        var addName = Name();
        var addItems = Options.ItemIds("ITEM");
        var add = new Command("add", "Add work items to a convoy (a landed convoy opens again)") { addName, addItems };
        add.SetAction(pr =>
        {
            var v = new Verb(services);
            var c = Convoys().Add(pr.GetValue(addName)!, pr.GetValue(addItems)!);
            v.Out.WriteLine($"convoy {c.Name} now has {Plural.Of(c.Items.Count, "item")}");
            return 0;
        });
        convoy.Add(add);

        var removeName = Name();
        var removeItems = Options.ItemIds("ITEM");
        var remove = new Command("remove", "Take work items out of a convoy (the items are not changed)") { removeName, removeItems };
        remove.SetAction(pr =>
        {
            var v = new Verb(services);
            var c = Convoys().Remove(pr.GetValue(removeName)!, pr.GetValue(removeItems)!);
            v.Out.WriteLine($"convoy {c.Name} now has {Plural.Of(c.Items.Count, "item")}");
            return 0;
        });
        convoy.Add(remove);

        var listJson = Options.Json();
        var listNoHeaders = Options.NoHeaders();
        var list = new Command("list", "Every convoy with its state and progress") { listJson, listNoHeaders };
        list.SetAction(pr =>
        {
            var v = new Verb(services);
            var svc = Convoys();
            var all = svc.All().Select(svc.Progress).ToList();
            if (pr.GetValue(listJson)) { JsonOut.Write(v.Env, all.Select(p => ConvoyJson.From(p, items: false)).ToList(),
                CliJsonContext.Default.ListConvoyJson); return 0; }
            if (all.Count == 0) { v.Out.WriteLine("no convoys; make one with 'orc convoy create NAME ITEM…'"); return 0; }
            var table = new Table(new("CONVOY"), new("STATE"), new("PROGRESS"), new("DONE"), new("IN FLIGHT"), new("TITLE", Text: true));
            foreach (var p in all)
                table.Add(p.Convoy.Name, p.Convoy.State, $"[{ConvoyRules.Bar(p)}]", $"{p.Count(ProgressStates.Done)}/{p.Items.Count}",
                    p.Count(ProgressStates.InFlight).ToString(System.Globalization.CultureInfo.InvariantCulture), TerminalText.Line(p.Convoy.Title ?? ""));
            v.Print(table, pr.GetValue(listNoHeaders));
            return 0;
        });
        convoy.Add(list);

        var showName = Name();
        var showJson = Options.Json();
        var show = new Command("show", "A convoy's progress: each item (done, in flight, ready, blocked) and the counts per rig") { showName, showJson };
        show.SetAction(pr =>
        {
            var v = new Verb(services);
            var svc = Convoys();
            var p = svc.Progress(svc.Get(pr.GetValue(showName)!));
            if (pr.GetValue(showJson)) { JsonOut.Write(v.Env, ConvoyJson.From(p, items: true), CliJsonContext.Default.ConvoyJson); return 0; }
            var c = p.Convoy;
            v.Out.WriteLine($"convoy {c.Name}: {c.State}{(c.Title is { } t ? " — " + TerminalText.Line(t) : "")}");
            v.Out.WriteLine($"  [{ConvoyRules.Bar(p, 30)}] {p.Count(ProgressStates.Done)} done, {p.Count(ProgressStates.InFlight)} in flight, {p.Count(ProgressStates.Ready)} ready, {p.Count(ProgressStates.Blocked) + p.Count(ProgressStates.Missing)} blocked");
            if (c.LandedAt is { } l) v.Out.WriteLine($"  landed {l}{(c.OnLandResult is { } r ? $"; on-land command: {TerminalText.Line(r)}" : "")}");
            v.Out.WriteLine();
            foreach (var i in p.Items)
                v.Out.WriteLine($"  {i.Id,-14} {i.Rig ?? "-",-10} {i.State,-9} {i.Assignee ?? "",-10} {Clip(TerminalText.Line(i.Title), 40)}{(i.BlockedBy.Count > 0 ? "  (waits for " + string.Join(", ", i.BlockedBy) + ")" : "")}");
            v.Out.WriteLine();
            foreach (var r in p.Rigs)
                v.Out.WriteLine($"  rig {r.Rig,-10} {r.Done}/{r.Total} done, {r.InFlight} in flight, {r.Ready} ready, {r.Blocked} blocked");
            return 0;
        });
        convoy.Add(show);

        var closeName = Name();
        var close = new Command("close", "Close a convoy by hand (abandon it); its items are not changed") { closeName };
        close.SetAction(pr =>
        {
            var v = new Verb(services);
            var c = Convoys().Close(pr.GetValue(closeName)!);
            v.Out.WriteLine($"convoy {c.Name} is {c.State}");
            return 0;
        });
        convoy.Add(close);

        var launchName = Name();
        var max = new Option<int>("--max", "-n") { Description = "Most agents of the convoy at work at once (default 3)", DefaultValueFactory = _ => 3 };
        var once = new Option<bool>("--once") { Description = "Sling what can start now and exit without recording the launch (the deacon does not go on with it)" };
        var interval = new Option<double>("--interval") { Description = "With --wait: seconds between checks (default 5)", DefaultValueFactory = _ => 5 };
        var wait = new Option<bool>("--wait",
            "-w") { Description = "Stay and sling each next wave as slots free, until the convoy lands (Ctrl-C stops waiting; the deacon goes on)" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Return at once (the default; kept for scripts)", Hidden = true };
        var launch = new Command("launch", "Launch a convoy: record it, sling the ready items the plan's first waves allow (never more than --max at once) and return; the deacon slings the next waves as slots free. --wait stays until it lands")
        { launchName, max, once, interval, wait, detach };
        launch.SetAction(pr =>
        {
            var v = new Verb(services);
            var svc = Convoys();
            var name = pr.GetValue(launchName)!;
            var seconds = pr.GetValue(interval);
            if (seconds is <= 0 or > 3600) throw new OrcException($"--interval must be between 0 and 3600 seconds, got {seconds}", ExitCodes.Usage);
            if (pr.GetValue(max) < 1) throw new OrcException("--max: must be at least 1", ExitCodes.Usage);
            if (pr.GetValue(once) && pr.GetValue(wait)) throw new OrcException("--once and --wait: choose one", ExitCodes.Usage);
            if (pr.GetValue(wait) && pr.GetValue(detach)) throw new OrcException("--wait and --detach: choose one", ExitCodes.Usage);
            if (!pr.GetValue(once)) svc.MarkLaunched(name, pr.GetValue(max));
            using var stop = ServiceCommands.StopSignal();
            string? last = null;
            while (true)
            {
                var step = svc.Step(name, pr.GetValue(max));
                foreach (var h in step.Slung) v.Out.WriteLine($"slung {h.Item} to {h.Agent} on rig {h.Rig}");
                foreach (var f in step.Failed) v.Error($"could not sling {f}");
                if (step.Summary != last || step.Slung.Count > 0) { v.Out.WriteLine(step.Summary); last = step.Summary; }
                v.Out.Flush();
                if (step.Landed) return 0;
                if (step.Stalled)
                {
                    foreach (var w in step.Waiting) v.Out.WriteLine("  " + w);
                    v.Error($"convoy {name} cannot go on: nothing is in flight and nothing can start");
                    return ExitCodes.Failure;
                }
                if (pr.GetValue(once)) { foreach (var w in step.Waiting) v.Out.WriteLine("  " + w); return 0; }
                if (!pr.GetValue(wait)) { v.Out.WriteLine($"the deacon slings the next waves of {name} as slots free (orc convoy show {name}; 'orc up' starts the deacon; --wait follows it here)"); return 0; }
                if (stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds))) return 0;
            }
        });
        convoy.Add(launch);

        var reportName = Name();
        var reportJson = Options.Json();
        var report = new Command("report", "Score the convoy honestly: agent time (summed and overlapping), merge-queue time, review wait per item, conflicts predicted vs met, gate failures, rework") { reportName, reportJson };
        report.SetAction(pr =>
        {
            var v = new Verb(services);
            var r = Convoys().Report(pr.GetValue(reportName)!);
            if (pr.GetValue(reportJson)) { JsonOut.Write(v.Env, ConvoyReportJson.From(r), CliJsonContext.Default.ConvoyReportJson); return 0; }
            if (r.LandedAt is null) v.Out.WriteLine("(not landed yet: the figures so far)");
            foreach (var line in ConvoyScoring.Describe(r)) v.Out.WriteLine(line);
            return 0;
        });
        convoy.Add(report);
        yield return convoy;

        // ---- orc plan ----
        var targets = new Argument<string[]>("CONVOY|ITEM") { Description = "A convoy, or work items (an epic stands for its children)",
            Arity = ArgumentArity.OneOrMore };
        var planJson = Options.Json();
        var plan = new Command("plan", "The coordination plan: item, branch, worktree, files owned, depends on, status; predicted conflicts, waves, and overlaps seen in flight") { targets, planJson };
        plan.SetAction(pr =>
        {
            var v = new Verb(services);
            var p = services.GetRequiredService<PlanService>().For(pr.GetValue(targets)!);
            if (pr.GetValue(planJson)) { JsonOut.Write(v.Env, PlanJson.From(p), CliJsonContext.Default.PlanJson); return 0; }
            PrintPlan(v.Out, p);
            foreach (var warn in p.Result.Warnings) v.Error($"warning: {TerminalText.Line(warn.Text)}");
            return 0;
        });
        yield return plan;
    }

    private static void Error(this Verb v, string text) => v.Env.Error.WriteLine("orc: " + TerminalText.Line(text));

    private static void PrintPlan(TextWriter o, PlanView p)
    {
        o.WriteLine(p.Convoy is null ? $"plan of {p.Rows.Count} item{(p.Rows.Count == 1 ? "" : "s")}" : $"plan of convoy {p.Convoy} ({p.Rows.Count} items)");
        o.WriteLine();
        var header = new[] { "item", "wave", "rig", "branch", "worktree", "files owned", "depends on", "status" };
        var rows = p.Rows.Select(r => new[]
        {
            r.Id, r.Wave?.ToString() ?? "-", r.Rig ?? "-", r.Branch ?? "-",
                r.Worktree is null ? "-" : Path.GetFileName(r.Worktree) is { Length: > 0 } w ? $"{r.Rig}/{w}" : r.Worktree,
            r.Files.Count == 0 ? "(none declared)" : Clip(TerminalText.Line(string.Join(", ", r.Files)), 40),
            r.DependsOn.Count == 0 ? "none" : string.Join(", ", r.DependsOn), r.Status + (r.Agent is { } a ? $" ({a})" : ""),
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        o.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var r in rows) o.WriteLine(string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        o.WriteLine();
        if (p.Result.Conflicts.Count == 0) o.WriteLine("predicted conflicts: none (no two items of a rig claim the same files)");
        else
        {
            o.WriteLine("predicted conflicts (the same files claimed; run these one after the other):");
            foreach (var c in p.Result.Conflicts) o.WriteLine($"  {c.A} × {c.B}: {Clip(TerminalText.Line(string.Join(", ", c.Shared)), 60)}");
        }
        if (p.Rows.Any(r => r.Files.Count == 0 && r.Status != "closed"))
            o.WriteLine($"  note: {string.Join(", ", p.Rows.Where(r => r.Files.Count == 0 && r.Status != "closed").Select(r => r.Id))} declare no files; conflicts with them cannot be predicted ('orc item update ID --file PATH')");
        o.WriteLine();
        o.WriteLine("waves (each wave's items can run at once):");
        for (var w = 0; w < p.Result.Waves.Count; w++) o.WriteLine($"  wave {w + 1}: {string.Join(" ", p.Result.Waves[w])}");
        if (p.Result.Waves.Count == 0) o.WriteLine("  nothing left to run");
        if (p.Live.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("overlaps in flight (branches that changed the same files; one will conflict at merge):");
            foreach (var l in p.Live) o.WriteLine($"  {l.A} × {l.B}: {Clip(TerminalText.Line(string.Join(", ", l.Files)), 60)}{(l.Predicted ? " (predicted)" : " (NOT predicted)")}");
        }
    }

    private static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
