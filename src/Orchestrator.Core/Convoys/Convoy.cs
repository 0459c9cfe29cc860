using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Core.Convoys;

public static class ConvoyStates
{
    public const string Open = "open";
    /// <summary>Every item closed; the overseer was told.</summary>
    public const string Landed = "landed";
    /// <summary>Closed by hand before it landed (abandoned); its items are left as they are.</summary>
    public const string Closed = "closed";
}

/// <summary>
/// A named bundle of work items, possibly across rigs, tracked as one unit. Kept in the
/// workspace as <c>convoys/NAME.json</c>.
/// </summary>
public sealed record Convoy
{
    public required string Name { get; init; }
    public string? Title { get; init; }
    public List<string> Items { get; init; } = [];
    public string State { get; init; } = ConvoyStates.Open;
    public required string CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public string? LandedAt { get; init; }
    /// <summary>Set by <c>orc convoy launch --max N</c>: the deacon keeps slinging its waves, at most N at work, until it lands.</summary>
    public int? LaunchMax { get; init; }
    public string? ClosedAt { get; init; }
    /// <summary>A command run (by /bin/sh, with ORC_CONVOY set; no item text in it) when the convoy lands.</summary>
    public string? OnLand { get; init; }
    /// <summary>What the on-land command did (exit code and tail), once it ran.</summary>
    public string? OnLandResult { get; init; }
    /// <summary>The score, kept when the convoy lands (the events it is made from are compacted later).</summary>
    public ConvoyReport? Report { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOpen => State == ConvoyStates.Open;
}

/// <summary>Where one item of a convoy stands.</summary>
public static class ProgressStates
{
    public const string Done = "done";
    public const string InFlight = "in-flight";
    public const string Ready = "ready";
    public const string Blocked = "blocked";
    public const string Missing = "missing";
}

public sealed record ItemProgress(string Id, string Title, string? Rig, string State, string Status, string? Assignee, IReadOnlyList<string> BlockedBy);

public sealed record RigProgress(string Rig, int Done, int InFlight, int Ready, int Blocked)
{
    public int Total => Done + InFlight + Ready + Blocked;
}

public sealed record ConvoyProgress(Convoy Convoy, IReadOnlyList<ItemProgress> Items, IReadOnlyList<RigProgress> Rigs)
{
    public int Count(string state) => Items.Count(i => i.State == state);
    public bool AllDone => Items.Count > 0 && Items.All(i => i.State == ProgressStates.Done);
}

/// <summary>Progress of a convoy from the ledger: done (closed), in flight (hooked or submitted), ready, blocked.</summary>
public static class ConvoyRules
{
    public const int MaxItems = 1000;

    /// <summary>
    /// Checks a convoy's item list against the ledger: every id known, none twice, no
    /// dependency cycle among them. Returns the ids in the ledger's spelling.
    /// </summary>
    public static List<string> CheckItems(IReadOnlyList<string> ids, LedgerDocument ledger, IReadOnlyList<string>? existing = null)
    {
        if (ids.Count == 0) throw new OrcException("convoy: name at least one work item", ExitCodes.Usage);
        var count = ids.Count + (existing?.Count ?? 0);
        if (count > MaxItems) throw new OrcException($"convoy: {count:N0} items; the limit is {MaxItems:N0}", ExitCodes.Usage);
        var all = new List<string>(existing ?? []);
        var named = new HashSet<string>(all, StringComparer.Ordinal);
        foreach (var raw in ids)
        {
            var id = raw.Trim();
            var item = ledger.Find(id) ?? throw new OrcException($"convoy: no work item '{Text.TerminalText.Line(id)}'", ExitCodes.NotFound);
            if (!named.Add(item.Id)) throw new OrcException($"convoy: {item.Id} is named twice", ExitCodes.Usage);
            if (item.IssueType == IssueTypes.Epic) throw new OrcException($"convoy: {item.Id} is an epic; add its children instead", ExitCodes.Usage);
            all.Add(item.Id);
        }
        var cycle = CycleAmong(all, ledger);
        if (cycle is not null) throw new OrcException($"convoy: dependency cycle among its items: {Graph.DependencyGraph.Describe(cycle)}", ExitCodes.Usage);
        return all;
    }

    /// <summary>A dependency cycle among <paramref name="ids"/> (following blocking dependencies), or null.</summary>
    public static List<string>? CycleAmong(IReadOnlyList<string> ids, LedgerDocument ledger)
    {
        var set = ids.ToHashSet(StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var stack = new List<string>();
        List<string>? found = null;
        bool Visit(string id)
        {
            state[id] = 1;
            stack.Add(id);
            foreach (var dep in DependsOn(ledger.Find(id)))
            {
                if (!set.Contains(dep)) continue;
                if (state.GetValueOrDefault(dep) == 1) { found = [.. stack[stack.IndexOf(dep)..], dep]; return true; }
                if (state.GetValueOrDefault(dep) == 0 && Visit(dep)) return true;
            }
            stack.RemoveAt(stack.Count - 1);
            state[id] = 2;
            return false;
        }
        foreach (var id in ids.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(id) == 0 && Visit(id)) return found;
        return null;
    }

    /// <summary>The items <paramref name="item"/> waits for (its blocking dependencies).</summary>
    public static IEnumerable<string> DependsOn(WorkItem? item) =>
        item is null ? [] : item.DependencyList.Where(d => DependencyTypes.IsBlocking(d.Type)).Select(d => d.DependsOnId);

    /// <summary>Where each item stands, and the counts per rig (<paramref name="rigOf"/> names an item's rig, or null).</summary>
    public static ConvoyProgress Progress(Convoy convoy, LedgerDocument ledger, Func<WorkItem, string?> rigOf)
    {
        var graph = new DependencyGraph(ledger);
        var items = new List<ItemProgress>();
        foreach (var id in convoy.Items)
        {
            var item = ledger.Find(id);
            if (item is null) { items.Add(new ItemProgress(id, "(not in the ledger)", null, ProgressStates.Missing, "missing", null, [])); continue; }
            var blockers = graph.BlockersOf(item).Select(b => b.Item.Id).Distinct().ToList();
            var state = item.IsClosed ? ProgressStates.Done
                : item.Status is Statuses.Hooked or Statuses.InProgress ? ProgressStates.InFlight
                : item.Status is Statuses.Blocked or Statuses.Deferred || blockers.Count > 0 ? ProgressStates.Blocked
                : ProgressStates.Ready;
            items.Add(new ItemProgress(item.Id, item.Title, rigOf(item), state, item.Status, item.Assignee, blockers));
        }
        var rigs = items.GroupBy(i => i.Rig ?? "-").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RigProgress(g.Key, g.Count(i => i.State == ProgressStates.Done), g.Count(i => i.State == ProgressStates.InFlight),
                g.Count(i => i.State == ProgressStates.Ready), g.Count(i => i.State is ProgressStates.Blocked or ProgressStates.Missing)))
            .ToList();
        return new ConvoyProgress(convoy, items, rigs);
    }

    /// <summary>A bar of <paramref name="width"/> cells: done filled, in flight half, the rest empty.</summary>
    public static string Bar(ConvoyProgress p, int width = 20)
    {
        var total = Math.Max(1, p.Items.Count);
        var done = (int)Math.Round(width * (double)p.Count(ProgressStates.Done) / total);
        var flight = Math.Min(width - done, (int)Math.Round(width * (double)p.Count(ProgressStates.InFlight) / total));
        return new string('#', done) + new string('~', flight) + new string('.', width - done - flight);
    }
}

/// <summary>
/// The honest score of a landed convoy (seed 001, Part D): how long agents worked (summed, and
/// the wall time they covered together), how long work waited in the merge queue, conflicts
/// predicted against conflicts met, gate failures and rework.
/// </summary>
public sealed record ConvoyReport
{
    public required string Convoy { get; init; }
    public int Items { get; init; }
    public string? FirstSlungAt { get; init; }
    public string? LandedAt { get; init; }
    /// <summary>First sling to landing.</summary>
    public double ElapsedSeconds { get; init; }
    /// <summary>Agent work time summed over items (sling or return to submission).</summary>
    public double AgentSeconds { get; init; }
    /// <summary>The wall time covered by at least one working agent (overlaps counted once).</summary>
    public double AgentWallSeconds { get; init; }
    /// <summary>Time from submission to landing or return, summed.</summary>
    public double QueueSeconds { get; init; }
    public int ConflictsPredicted { get; init; }
    public int ConflictsMet { get; init; }
    public int GateFailures { get; init; }
    /// <summary>Submissions returned to a worker and submitted again.</summary>
    public int Rework { get; init; }
    public List<string> PredictedPairs { get; init; } = [];
    public List<string> MetItems { get; init; } = [];
    /// <summary>Time work waited for a person in review (<c>land: review</c>), summed over items; it is part of <see cref="QueueSeconds"/>.</summary>
    public double ReviewSeconds { get; init; }
    /// <summary>Each item that waited in review, the longest wait first.</summary>
    public List<ReviewWait> ReviewWaits { get; init; } = [];

    /// <summary>AgentSeconds / AgentWallSeconds: how many agents worked at once, on average.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double Parallelism => AgentWallSeconds <= 0 ? 0 : AgentSeconds / AgentWallSeconds;
}

/// <summary>
/// How long one item of a convoy waited for a person in review: from its green candidate held
/// to the person's approval or rejection, summed over its reviews (rounds); still waiting when the
/// report was made, counted up to then.
/// </summary>
public sealed record ReviewWait
{
    public required string Item { get; init; }
    public double Seconds { get; init; }
    public int Rounds { get; init; }
    public bool Waiting { get; init; }
}
