using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Processes;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Mail;
using Orchestrator.Services.Planning;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Convoys;

/// <summary>What one step of <c>orc convoy launch</c> did and saw.</summary>
public sealed record LaunchStep(List<Hook> Slung, List<string> Waiting, List<string> Failed, bool Landed, bool Stalled, string Summary);

/// <summary>
/// Convoys: named bundles of work items across rigs, tracked as one unit. A convoy lands when all
/// its items are closed: the overseer gets mail, tmux shows it, and its on-land command runs.
/// <c>launch</c> slings its ready items wave by wave, never more than N at once.
/// </summary>
public sealed class ConvoyService(RuntimeContext runtime, LedgerService ledger, PlanService plans, MailService mail, SlingService sling,
    ILogger<ConvoyService> logger)
{
    public const string Source = "convoy";

    private RecordStore<Convoy> Store => new(runtime.Workspace.Paths.ConvoysDir, OrcJsonContext.Default.Convoy);

    public Convoy Get(string name) =>
        Store.Find(Names.Validate(name, "convoy")) ?? throw new OrcException($"no convoy '{name}' (see 'orc convoy list')", ExitCodes.NotFound);

    public List<Convoy> All() => Store.All();

    public Convoy Create(string name, IReadOnlyList<string> items, string? title, string? onLand)
    {
        Names.Validate(name, "convoy");
        WorkItemRules.Name(title, "--title");
        if (onLand is not null) OnLandCommand(onLand);
        return ledger.Transact("convoy create", tx => CreateIn(tx, name, items, title, onLand)).Value;
    }

    /// <summary>Makes a convoy inside a change already under way (e.g. <c>orc pour --convoy</c>): committed with it.</summary>
    public Convoy CreateIn(WorkspaceTransaction tx, string name, IReadOnlyList<string> items, string? title, string? onLand)
    {
        Names.Validate(name, "convoy");
        var t = WorkItemRules.Name(title, "--title");
        var hook = onLand is null ? null : OnLandCommand(onLand);
        if (Store.Find(name) is not null) throw new OrcException($"convoy {name} exists already (add items with 'orc convoy add {name} ITEM…')");
        var ids = ConvoyRules.CheckItems(items, tx.Items.Ledger);
        var convoy = new Convoy
        {
            Name = name, Title = t, Items = ids, CreatedAt = Timestamps.Format(runtime.Workspace.Now), CreatedBy = runtime.Workspace.Actor, OnLand = hook,
        };
        tx.Touched(Store.Write(name, convoy), "convoy " + name);
        return convoy;
    }

    private static string OnLandCommand(string command)
    {
        if (string.IsNullOrWhiteSpace(command)) throw new OrcException("--on-land: the command is empty", ExitCodes.Usage);
        if (command.Length > 2000 || command.Any(c => char.IsControl(c) && c != '\t'))
            throw new OrcException("--on-land: one line of at most 2,000 characters, please", ExitCodes.Usage);
        return command;
    }

    public Convoy Add(string name, IReadOnlyList<string> items) =>
        ledger.Transact("convoy add", tx =>
        {
            var c = Get(name);
            if (c.State == ConvoyStates.Closed) throw new OrcException($"convoy {name} is closed; create a new one");
            var ids = ConvoyRules.CheckItems(items, tx.Items.Ledger, c.Items);
            // A landed convoy that gets new work is open again.
            var next = c with { Items = ids, State = ConvoyStates.Open, LandedAt = null, Report = null, OnLandResult = null };
            tx.Touched(Store.Write(name, next), "convoy " + name);
            return next;
        }).Value;

    public Convoy Remove(string name, IReadOnlyList<string> items) =>
        ledger.Transact("convoy remove", tx =>
        {
            var c = Get(name);
            var left = c.Items.ToList();
            foreach (var id in items)
                if (!left.Remove(id.Trim())) throw new OrcException($"convoy {name} has no item '{TerminalText.Line(id)}'", ExitCodes.NotFound);
            if (left.Count == 0) throw new OrcException($"convoy {name} would be empty; close it instead ('orc convoy close {name}')", ExitCodes.Usage);
            var next = c with { Items = left };
            tx.Touched(Store.Write(name, next), "convoy " + name);
            return next;
        }).Value;

    /// <summary>Records that the convoy is launched with at most <paramref name="max"/> agents at work: from now on the deacon advances it too.</summary>
    public Convoy MarkLaunched(string name, int max) =>
        ledger.Transact("convoy launch", tx =>
        {
            var c = Get(name);
            if (c.State != ConvoyStates.Open || c.LaunchMax == max) return c;
            var next = c with { LaunchMax = max };
            tx.Touched(Store.Write(name, next), "convoy " + name);
            return next;
        }).Value;

    /// <summary>One launch step for every open launched convoy (the deacon's pass); returns what was slung.</summary>
    public List<string> Advance()
    {
        var did = new List<string>();
        foreach (var c in All().Where(c => c.IsOpen && c.LaunchMax is > 0))
        {
            try
            {
                var step = Step(c.Name, c.LaunchMax!.Value);
                did.AddRange(step.Slung.Select(h => $"convoy {c.Name}: slung {h.Item} to {h.Agent}"));
            }
            catch (OrcException ex) { logger.LogWarning("convoy {Name}: step failed: {Message}", c.Name, ex.Message); }
        }
        return did;
    }

    public Convoy Close(string name) =>
        ledger.Transact("convoy close", tx =>
        {
            var c = Get(name);
            if (c.State != ConvoyStates.Open) return c;
            var next = c with { State = ConvoyStates.Closed, ClosedAt = Timestamps.Format(runtime.Workspace.Now) };
            tx.Touched(Store.Write(name, next), "convoy " + name);
            return next;
        }).Value;

    public ConvoyProgress Progress(Convoy convoy) => Progress(convoy, ledger.Read());

    private ConvoyProgress Progress(Convoy convoy, Core.Ledger.LedgerDocument doc)
    {
        var hooks = runtime.Hooks.All().Where(h => h.State != HookStates.Archived).ToList();
        var rigs = runtime.Rigs.All();
        return ConvoyRules.Progress(convoy, doc, item => PlanService.RigOf(item, hooks.FirstOrDefault(h => h.Item == item.Id), rigs));
    }

    /// <summary>Lands every open convoy whose items are all closed. Returns the convoys landed by this call.</summary>
    public List<Convoy> CheckLanded()
    {
        var open = Store.All().Where(c => c.IsOpen).ToList();
        if (open.Count == 0) return [];
        var doc = ledger.Read();
        var landed = new List<Convoy>();
        foreach (var c in open)
            if (Progress(c, doc).AllDone && Land(c.Name) is { } l) landed.Add(l);
        return landed;
    }

    /// <summary>
    /// Marks the convoy landed (once, under the write lock: of several processes noticing at once,
    /// one lands it), keeps its report, then tells the overseer (and the mayor, if there is one) by
    /// mail and tmux and runs its on-land command.
    /// </summary>
    private Convoy? Land(string name)
    {
        var predicted = plans.ForConvoy(name, asLaunched: true).Result.Conflicts.Select(x => $"{x.A}/{x.B}").ToList();
        var now = runtime.Workspace.Now;
        var landed = ledger.Transact("convoy landed", tx =>
        {
            var c = Get(name);
            if (!c.IsOpen || !ConvoyRules.Progress(c, tx.Items.Ledger, _ => null).AllDone) return null;
            var report = ConvoyScoring.Score(c, runtime.Events.ReadFrom(0).Events, predicted, now);
            var next = c with { State = ConvoyStates.Landed, LandedAt = Timestamps.Format(now), Report = report };
            tx.Touched(Store.Write(name, next), "convoy " + name);
            runtime.Record(Source, EventKinds.ConvoyLanded, name,
                $"convoy {name} landed: {(c.Items.Count == 1 ? "its item is" : $"all {c.Items.Count} items")} closed");
            return next;
        }).Value;
        if (landed is null) return null;
        var text = $"convoy {name}{(landed.Title is { } t ? $" ({TerminalText.Line(t)})" : "")} has landed: {(landed.Items.Count == 1 ? "its item is" : $"all {landed.Items.Count} items are")} closed.";
        try
        {
            mail.Send(Source, mail.Supervisors(), $"convoy {name} landed", text + "\n\n" + string.Join("\n",
                ConvoyScoring.Describe(landed.Report!)) + $"\n\nSee 'orc convoy report {name}'.", TimeSpan.Zero);
        }
        catch (OrcException ex) { logger.LogWarning("convoy {Name}: landing mail failed: {Message}", name, ex.Message); }
        new Runtime.Notifier(runtime).Raise(Runtime.Notifier.ConvoyLanded, name + "\n" + landed.LandedAt, text);
        if (landed.OnLand is { } command) landed = RunOnLand(landed, command);
        return landed;
    }

    private Convoy RunOnLand(Convoy c, string command)
    {
        var env = new Dictionary<string, string?>
        {
            ["ORC_CONVOY"] = c.Name,
            ["ORC_WORKSPACE"] = runtime.Workspace.Paths.Root,
            ["ORC_CONVOY_ITEMS"] = string.Join(' ', c.Items),
        };
        string result;
        try
        {
            // The command is the user's own, given to 'convoy create --on-land'; nothing from an item is in it (ids go in the environment).
            var outcome = CommandRunner.Run(["/bin/sh", "-c", command], runtime.Workspace.Paths.Root, env, TimeSpan.FromSeconds(120));
            result = outcome.TimedOut ? "timed out after 120s" : $"exit {outcome.ExitCode}";
            if (outcome.Tail.Length > 0) result += ": " + TerminalText.Line(outcome.Tail.Split('\n',
                StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "");
        }
        catch (Exception ex) when (ex is OrcException or IOException or System.ComponentModel.Win32Exception) { result = "could not start: " + ex.Message; }
        runtime.Record(Source, result.StartsWith("exit 0", StringComparison.Ordinal) ? EventKinds.ConvoyLanded : EventKinds.Error, c.Name,
            $"convoy {c.Name}: on-land command {result}");
        return ledger.Transact("convoy on-land", tx =>
        {
            var next = Get(c.Name) with { OnLandResult = result };
            tx.Touched(Store.Write(c.Name, next), "convoy " + c.Name);
            return next;
        }).Value;
    }

    /// <summary>The report of a landed convoy as kept at landing; of an open one, as it stands now.</summary>
    public ConvoyReport Report(string name)
    {
        var c = Get(name);
        if (c.Report is { } kept) return kept;
        var predicted = plans.ForConvoy(name, asLaunched: true).Result.Conflicts.Select(x => $"{x.A}/{x.B}").ToList();
        return ConvoyScoring.Score(c, runtime.Events.ReadFrom(0).Events, predicted, runtime.Workspace.Now) with { LandedAt = null };
    }

    /// <summary>
    /// One step of <c>convoy launch</c>: sling the convoy's ready items that the plan lets start
    /// now, never more than <paramref name="max"/> agents of the convoy at work. An item starts when
    /// its dependencies are closed, no item it is predicted to conflict with is in flight, and no
    /// such item of an earlier wave is still waiting to start.
    /// </summary>
    public LaunchStep Step(string name, int max)
    {
        if (max < 1) throw new OrcException("--max: must be at least 1", ExitCodes.Usage);
        // One step of a convoy at a time (its launch command and the deacon may both step it), so --max holds.
        using var stepping = FileLock.Acquire(Path.Combine(runtime.Workspace.Paths.LocksDir, $"convoy-{Names.Validate(name, "convoy")}.lock"),
            TimeSpan.FromSeconds(120), "step convoy " + name);
        var c = Get(name);
        if (c.State == ConvoyStates.Closed) throw new OrcException($"convoy {name} is closed");
        if (CheckLanded().Any(l => l.Name == name) || Get(name).State == ConvoyStates.Landed)
            return new LaunchStep([], [], [], true, false, $"convoy {name} has landed");
        var doc = ledger.Read();
        var progress = Progress(c, doc);
        var plan = plans.Build(c.Items, c.Name, doc);
        var conflicts = plan.Result.Conflicts.SelectMany(x => new[] { (x.A, x.B), (x.B, x.A) }).ToLookup(p => p.Item1, p => p.Item2);
        var state = progress.Items.ToDictionary(i => i.Id, i => i.State);
        var hooks = runtime.Hooks.All();
        var working = hooks.Count(h => h.HoldsWork && h.Item is { } i && c.Items.Contains(i));
        var slung = new List<Hook>();
        var waiting = new List<string>();
        var failed = new List<string>();
        var candidates = progress.Items.Where(i => i.State == ProgressStates.Ready)
            .OrderBy(i => plan.WaveOf(i.Id) ?? int.MaxValue).ThenBy(i => doc.Find(i.Id)?.Priority ?? 2).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();
        foreach (var cand in candidates)
        {
            var wave = plan.WaveOf(cand.Id) ?? int.MaxValue;
            var clash = conflicts[cand.Id].FirstOrDefault(o =>
                state.GetValueOrDefault(o) == ProgressStates.InFlight ||
                (state.GetValueOrDefault(o) is ProgressStates.Ready or ProgressStates.Blocked && (plan.WaveOf(o) ?? int.MaxValue) < wave));
            if (clash is not null) { waiting.Add($"{cand.Id} waits for {clash} (predicted conflict)"); continue; }
            if (working >= max) { waiting.Add($"{cand.Id} waits for a free slot (--max {max})"); continue; }
            try
            {
                var h = sling.Sling(new SlingService.Request(cand.Id, cand.Rig, null, null));
                slung.Add(h);
                state[cand.Id] = ProgressStates.InFlight;
                working++;
            }
            catch (AtCapacityException ex) { waiting.Add($"{cand.Id} waits for a free polecat slot: {TerminalText.Line(ex.Message)}"); }
            catch (OrcException ex)
            {
                failed.Add($"{cand.Id}: {TerminalText.Line(ex.Message)}");
                logger.LogWarning("convoy {Name}: sling of {Item} failed: {Message}", name, cand.Id, ex.Message);
            }
        }
        var inFlight = state.Values.Count(s => s == ProgressStates.InFlight);
        var stalled = slung.Count == 0 && inFlight == 0 && failed.Count == 0 && !progress.AllDone;
        if (stalled)
            foreach (var b in progress.Items.Where(i => i.State is ProgressStates.Blocked or ProgressStates.Missing))
                waiting.Add($"{b.Id} is {b.Status}{(b.BlockedBy.Count > 0 ? " (blocked by " + string.Join(", ", b.BlockedBy) + ")" : "")}");
        var summary = $"convoy {name}: {progress.Count(ProgressStates.Done)} done, {inFlight} in flight, {slung.Count} slung now, {waiting.Count} waiting";
        return new LaunchStep(slung, waiting, failed, false, stalled, summary);
    }
}
