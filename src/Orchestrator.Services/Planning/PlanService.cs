using System.Text;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Planning;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Planning;

/// <summary>One row of the coordination plan (seed 001): item, branch, worktree, files owned, depends on, status.</summary>
public sealed record PlanRow(string Id, string Title, string? Rig, string? Branch, string? Worktree, IReadOnlyList<string> Files,
    IReadOnlyList<string> DependsOn, string Status, string? Agent, int? Wave);

/// <summary>Two in-flight branches that changed the same files; <see cref="Predicted"/> when the plan saw it coming.</summary>
public sealed record LiveOverlap(string A, string B, IReadOnlyList<string> Files, bool Predicted);

public sealed record PlanView(string? Convoy, List<PlanRow> Rows, PlanResult Result, List<LiveOverlap> Live)
{
    public int? WaveOf(string id) => Rows.FirstOrDefault(r => r.Id == id)?.Wave;
}

/// <summary>
/// <c>orc plan</c>: the coordination plan of a convoy or a set of items, made before anything
/// launches (predicted conflicts from owned files, waves from dependencies and conflicts) and
/// checked against reality while agents run (the files each in-flight branch changed).
/// </summary>
public sealed class PlanService(RuntimeContext runtime, LedgerService ledger)
{
    private RecordStore<Convoy> Convoys => new(runtime.Workspace.Paths.ConvoysDir, OrcJsonContext.Default.Convoy);

    /// <param name="asLaunched">Plan every item as if none were closed yet: what the plan predicted before the convoy ran (for its report).</param>
    public PlanView ForConvoy(string name, bool asLaunched = false)
    {
        var convoy = Convoys.Find(Names.Validate(name, "convoy")) ?? throw new OrcException($"no convoy '{name}' (see 'orc convoy list')", ExitCodes.NotFound);
        return Build(convoy.Items, convoy.Name, ledger.Read(), asLaunched);
    }

    /// <summary>The plan of CONVOY or of the items named (one argument that names a convoy means the convoy).</summary>
    public PlanView For(IReadOnlyList<string> targets)
    {
        if (targets.Count == 0) throw new OrcException("plan: name a convoy or one or more items", ExitCodes.Usage);
        if (targets.Count == 1 && Names.IsValid(targets[0]) && Convoys.Find(targets[0]) is not null) return ForConvoy(targets[0]);
        var doc = ledger.Read();
        var ids = new List<string>();
        foreach (var t in targets)
        {
            var item = doc.Find(t.Trim()) ?? throw new OrcException($"plan: no work item or convoy '{TerminalText.Line(t)}'", ExitCodes.NotFound);
            if (ids.Contains(item.Id)) throw new OrcException($"plan: {item.Id} is named twice", ExitCodes.Usage);
            if (item.IssueType == IssueTypes.Epic)
            {
                // An epic stands for its open children.
                foreach (var child in doc.Items.Where(c => c.ParentId == item.Id && !ids.Contains(c.Id))) ids.Add(child.Id);
                continue;
            }
            ids.Add(item.Id);
        }
        return Build(ids, null, doc);
    }

    public PlanView Build(IReadOnlyList<string> ids, string? convoy, LedgerDocument doc, bool asLaunched = false)
    {
        // a reviewer reads an item, it does not work it
        var hooks = runtime.Hooks.All().Where(h => h.State != HookStates.Archived && h.Role != Roles.Reviewer).ToList();
        var rigs = runtime.Rigs.All();
        var rigFiles = new Dictionary<string, IReadOnlyCollection<string>?>(StringComparer.Ordinal);
        IReadOnlyCollection<string>? FilesOf(string? rig)
        {
            if (rig is null) return null;
            if (rigFiles.TryGetValue(rig, out var f)) return f;
            try
            {
                var r = rigs.First(x => x.Name == rig);
                f = new RigRepository(runtime.Workspace.Paths.RigDir(rig)).TrackedFiles(r.DefaultBranch);
            }
            catch (Exception e) when (e is OrcException or LibGit2Sharp.LibGit2SharpException or InvalidOperationException or IOException) { f = null; }
            return rigFiles[rig] = f;
        }

        var inputs = new List<PlanInput>();
        var rows = new List<(WorkItem Item, Hook? Hook, string? Rig)>();
        foreach (var id in ids)
        {
            var item = doc.Find(id);
            if (item is null) continue;
            var hook = hooks.FirstOrDefault(h => h.Item == item.Id);
            var rig = RigOf(item, hook, rigs);
            rows.Add((item, hook, rig));
            inputs.Add(new PlanInput(item.Id, item.Priority, item.Files, ConvoyRules.DependsOn(item).ToList(), rig, item.IsClosed && !asLaunched));
        }
        var result = CoordinationPlan.Build(inputs, FilesOf);
        var waveOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var w = 0; w < result.Waves.Count; w++)
            foreach (var id in result.Waves[w]) waveOf[id] = w + 1;
        var planRows = rows.Select(r => new PlanRow(r.Item.Id, r.Item.Title, r.Rig, r.Hook?.Branch, r.Hook?.Worktree, r.Item.Files,
            ConvoyRules.DependsOn(r.Item).ToList(), r.Item.Status, r.Hook?.Agent, waveOf.TryGetValue(r.Item.Id, out var wave) ? wave : null)).ToList();
        var predicted = result.Conflicts.Select(c => Key(c.A, c.B)).ToHashSet(StringComparer.Ordinal);
        var set = ids.ToHashSet(StringComparer.Ordinal);
        var live = LiveOverlapsAmong(hooks)
            .Where(o => set.Contains(o.A) || set.Contains(o.B))
            .Select(o => new LiveOverlap(o.A, o.B, o.Files, predicted.Contains(Key(o.A, o.B))))
            .ToList();
        return new PlanView(convoy, planRows, result, live);
    }

    public static string Key(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? $"{a}|{b}" : $"{b}|{a}";

    /// <summary>The rig an item will be (or is) worked in: its hook's, else the rig whose prefix it has, else the only rig.</summary>
    public static string? RigOf(WorkItem item, Hook? hook, IReadOnlyList<Core.Rigs.Rig> rigs)
    {
        if (hook is not null) return hook.Rig;
        var byPrefix = rigs.FirstOrDefault(r => item.Id.StartsWith(r.Prefix + "-", StringComparison.Ordinal));
        if (byPrefix is not null) return byPrefix.Name;
        return rigs.Count == 1 ? rigs[0].Name : null;
    }

    public string? RigOf(WorkItem item) =>
        RigOf(item, runtime.Hooks.All().FirstOrDefault(h => h.Item == item.Id && h.State != HookStates.Archived && h.Role != Roles.Reviewer),
            runtime.Rigs.All());

    /// <summary>
    /// Overlaps between the branches now in flight (held by an agent, or submitted and not yet
    /// landed), rig by rig: the files each changed since its base, committed or not.
    /// </summary>
    public IReadOnlyList<Overlap> LiveOverlapsAmong(IReadOnlyList<Hook> hooks)
    {
        var byRig = new Dictionary<string, Dictionary<string, IReadOnlyCollection<string>>>(StringComparer.Ordinal);
        foreach (var h in hooks)
        {
            if (h.Item is null) continue;
            var inFlight = h.HoldsWork || (h.State == HookStates.Completed && runtime.Queue(h.Rig).Find(h.Item) is { IsOpen: true });
            if (!inFlight) continue;
            List<string> files;
            try { files = RigRepository.ChangedFiles(runtime.Workspace.Paths.RigDir(h.Rig), h.BaseCommit,
                h.State == HookStates.Completed ? h.SubmittedCommit : null, h.HoldsWork ? h.Worktree : null); }
            catch (Exception e) when (e is LibGit2Sharp.LibGit2SharpException or IOException or OrcException) { continue; }
            if (!byRig.TryGetValue(h.Rig, out var map)) byRig[h.Rig] = map = new(StringComparer.Ordinal);
            map[h.Item] = files;
        }
        return byRig.Values.SelectMany(m => LiveOverlaps.Among(m)).ToList();
    }

    private string ReportedFile => Path.Combine(runtime.Workspace.Paths.RunDir, "overlaps-reported.txt");

    /// <summary>
    /// Overlaps between in-flight branches not reported before (each pair once, while it lasts),
    /// with whether the plan of the items' convoy predicted them. The caller tells the overseer.
    /// </summary>
    public List<LiveOverlap> NewOverlaps()
    {
        var hooks = runtime.Hooks.All().Where(h => h.State != HookStates.Archived && h.Role != Roles.Reviewer).ToList();
        var now = LiveOverlapsAmong(hooks);
        var lockPath = Path.Combine(runtime.Workspace.Paths.LocksDir, "overlaps.lock");
        using var l = FileLock.Acquire(lockPath, TimeSpan.FromSeconds(30), "check overlaps");
        var reported = File.Exists(ReportedFile) ? File.ReadAllLines(ReportedFile).ToHashSet(StringComparer.Ordinal) : [];
        var current = now.Select(o => Key(o.A, o.B)).ToHashSet(StringComparer.Ordinal);
        var fresh = new List<LiveOverlap>();
        if (now.Any(o => !reported.Contains(Key(o.A, o.B))))
        {
            var doc = ledger.Read();
            var convoys = Convoys.All().Where(c => c.IsOpen).ToList();
            foreach (var o in now.Where(o => !reported.Contains(Key(o.A, o.B))))
            {
                var convoy = convoys.FirstOrDefault(c => c.Items.Contains(o.A) && c.Items.Contains(o.B));
                var predicted = convoy is not null && Build(convoy.Items, convoy.Name, doc).Result.Conflicts.Any(c => Key(c.A, c.B) == Key(o.A, o.B));
                fresh.Add(new LiveOverlap(o.A, o.B, o.Files, predicted));
            }
        }
        // Forget pairs that no longer overlap (landed or returned), so a new overlap is told again.
        var keep = reported.Where(current.Contains).Concat(fresh.Select(o => Key(o.A, o.B))).Distinct().Order(StringComparer.Ordinal).ToList();
        if (!keep.SequenceEqual(reported.Order(StringComparer.Ordinal)))
        {
            Directory.CreateDirectory(runtime.Workspace.Paths.RunDir);
            AtomicFile.Write(ReportedFile, Encoding.UTF8.GetBytes(string.Join("\n", keep) + (keep.Count > 0 ? "\n" : "")));
        }
        foreach (var o in fresh)
            runtime.Record("plan", EventKinds.Overlap, $"{o.A} {o.B}",
                $"{o.A} and {o.B} both changed {string.Join(", ", o.Files.Take(5).Select(TerminalText.Line))}{(o.Predicted ? " (predicted by the plan)" : " (not predicted)")}; one of them will conflict at merge");
        return fresh;
    }
}
