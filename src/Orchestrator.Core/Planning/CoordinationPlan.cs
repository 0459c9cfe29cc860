namespace Orchestrator.Core.Planning;

/// <summary>One item as the plan sees it. <see cref="DependsOn"/>: the ids it depends on ("blocks"), possibly outside the set.</summary>
public sealed record PlanInput(string Id, int Priority, IReadOnlyList<string> Files, IReadOnlyList<string> DependsOn, string? Rig = null, bool Closed = false);

/// <summary>
/// Two items predicted to conflict (<see cref="A"/> sorts before <see cref="B"/>) and what they both
/// claim: the rig's files matched by both, or the overlapping patterns when no file matched.
/// </summary>
public sealed record PredictedConflict(string A, string B, IReadOnlyList<string> Shared);

/// <summary>A pattern that matched no file of its rig: a warning (perhaps a new file), never an error.</summary>
public sealed record PlanWarning(string Item, string Pattern, string Text);

/// <summary>Waves of item ids (each wave by priority, then id), the predicted conflicts, and the warnings.</summary>
public sealed record PlanResult(IReadOnlyList<IReadOnlyList<string>> Waves, IReadOnlyList<PredictedConflict> Conflicts, IReadOnlyList<PlanWarning> Warnings);

/// <summary>
/// What <c>orc plan</c> shows before anything launches: which items are predicted to conflict
/// (they claim the same files of the same rig) and a split into waves. Items in one wave neither
/// depend on each other nor conflict; dependencies and conflicts push items to later waves.
/// </summary>
public static class CoordinationPlan
{
    /// <param name="items">The items; closed ones are not placed, and dependencies on them (or on ids outside the set) are ignored.</param>
    /// <param name="rigFiles">A rig's tracked files at its default branch (null rig: the one shared rig), or null when unknown.</param>
    /// <exception cref="OrcException">A dependency cycle among the open items, a repeated id, or an invalid file claim.</exception>
    public static PlanResult Build(IReadOnlyList<PlanInput> items, Func<string?, IReadOnlyCollection<string>?> rigFiles)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
            if (!ids.Add(item.Id)) throw new OrcException($"item {item.Id} appears twice in the plan");
        var open = items.Where(i => !i.Closed).OrderBy(i => i.Id, PlanOrder.Ids).ToList();
        var claims = open.ToDictionary(i => i.Id, NormalizedClaims, StringComparer.Ordinal);

        var (owned, warnings) = Expand(open, claims, rigFiles);
        var conflicts = Conflicts(open, claims, owned);
        var waves = Waves(open, conflicts);
        return new PlanResult(waves, conflicts, warnings);
    }

    private static List<string> NormalizedClaims(PlanInput item)
    {
        var list = new List<string>();
        foreach (var pattern in item.Files)
        {
            string claim;
            try { claim = FileClaims.Normalize(pattern); }
            catch (OrcException e) { throw new OrcException($"{item.Id}: {e.Message}", e.ExitCode); }
            if (!list.Contains(claim)) list.Add(claim);
        }
        return list;
    }

    /// <summary>Each item's claimed files when its rig's files are known (null otherwise), and a warning per claim that matched nothing.</summary>
    private static (Dictionary<string, HashSet<string>?> Owned, List<PlanWarning> Warnings) Expand(
        List<PlanInput> open, Dictionary<string, List<string>> claims, Func<string?, IReadOnlyCollection<string>?> rigFiles)
    {
        var filesByRig = new Dictionary<string, IReadOnlyCollection<string>?>(StringComparer.Ordinal);
        var owned = new Dictionary<string, HashSet<string>?>(StringComparer.Ordinal);
        var warnings = new List<PlanWarning>();
        foreach (var item in open)
        {
            var key = RigKey(item.Rig);
            if (!filesByRig.TryGetValue(key, out var files)) filesByRig[key] = files = rigFiles(item.Rig);
            if (files is null) { owned[item.Id] = null; continue; }
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var claim in claims[item.Id])
            {
                var matched = FileClaims.Expand(claim, files);
                if (matched.Count == 0)
                {
                    var where = item.Rig is null ? "the rig" : $"rig {item.Rig}";
                    warnings.Add(new PlanWarning(item.Id, claim, $"{item.Id}: '{claim}' matches no file of {where} (a new file?)"));
                }
                set.UnionWith(matched);
            }
            owned[item.Id] = set;
        }
        return (owned, warnings);
    }

    private static List<PredictedConflict> Conflicts(List<PlanInput> open, Dictionary<string, List<string>> claims, Dictionary<string, HashSet<string>?> owned)
    {
        var conflicts = new List<PredictedConflict>();
        for (var i = 0; i < open.Count; i++)
            for (var j = i + 1; j < open.Count; j++)
            {
                var (a, b) = (open[i], open[j]);
                if (a.Rig != b.Rig) continue;
                var shared = owned[a.Id] is { } fa && owned[b.Id] is { } fb
                    ? fa.Where(fb.Contains).Order(StringComparer.Ordinal).ToList()
                    : [];
                if (shared.Count == 0)
                {
                    var patterns = new SortedSet<string>(StringComparer.Ordinal);
                    foreach (var pa in claims[a.Id])
                        foreach (var pb in claims[b.Id])
                            if (FileClaims.NormalizedOverlap(pa, pb)) { patterns.Add(pa); patterns.Add(pb); }
                    shared = [.. patterns];
                }
                if (shared.Count > 0) conflicts.Add(new PredictedConflict(a.Id, b.Id, shared));
            }
        return conflicts;
    }

    /// <summary>
    /// Kahn's order over the in-set dependencies, taking the ready item with the earliest possible wave,
    /// then priority, then id; each goes to the first wave from there holding nothing it conflicts with.
    /// </summary>
    private static List<IReadOnlyList<string>> Waves(List<PlanInput> open, List<PredictedConflict> conflicts)
    {
        var byId = open.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var deps = open.ToDictionary(i => i.Id,
            i => i.DependsOn.Where(byId.ContainsKey).Distinct(StringComparer.Ordinal).Order(PlanOrder.Ids).ToList(), StringComparer.Ordinal);
        ThrowOnCycle(open, deps);

        var against = open.ToDictionary(i => i.Id, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var c in conflicts) { against[c.A].Add(c.B); against[c.B].Add(c.A); }
        var dependents = open.ToDictionary(i => i.Id, _ => new List<string>(), StringComparer.Ordinal);
        var waiting = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in open)
        {
            waiting[item.Id] = deps[item.Id].Count;
            foreach (var d in deps[item.Id]) dependents[d].Add(item.Id);
        }

        var waveOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var waves = new List<List<PlanInput>>();
        var queue = new PriorityQueue<PlanInput, (int Wave, int Priority, string Id)>(Comparer<(int Wave, int Priority, string Id)>.Create((x, y) =>
        {
            var c = x.Wave.CompareTo(y.Wave);
            if (c == 0) c = x.Priority.CompareTo(y.Priority);
            return c != 0 ? c : PlanOrder.Ids.Compare(x.Id, y.Id);
        }));
        foreach (var item in open)
            if (waiting[item.Id] == 0) queue.Enqueue(item, (0, item.Priority, item.Id));

        while (queue.TryDequeue(out var item, out var key))
        {
            var wave = key.Wave;
            while (wave < waves.Count && waves[wave].Any(other => against[item.Id].Contains(other.Id))) wave++;
            if (wave == waves.Count) waves.Add([]);
            waves[wave].Add(item);
            waveOf[item.Id] = wave;
            foreach (var next in dependents[item.Id])
                if (--waiting[next] == 0)
                    queue.Enqueue(byId[next], (deps[next].Max(d => waveOf[d]) + 1, byId[next].Priority, next));
        }

        return waves.Select(w => (IReadOnlyList<string>)w
            .OrderBy(i => i.Priority).ThenBy(i => i.Id, PlanOrder.Ids).Select(i => i.Id).ToList()).ToList();
    }

    private static void ThrowOnCycle(List<PlanInput> open, Dictionary<string, List<string>> deps)
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path, true: done
        var path = new List<string>();
        foreach (var item in open) Visit(item.Id);

        void Visit(string id)
        {
            if (state.TryGetValue(id, out var done))
            {
                if (done) return;
                var cycle = path.Skip(path.IndexOf(id)).Append(id).ToList();
                throw new OrcException($"dependency cycle among the plan's items: {Graph.DependencyGraph.Describe(cycle)}");
            }
            state[id] = false;
            path.Add(id);
            foreach (var d in deps[id]) Visit(d);
            path.RemoveAt(path.Count - 1);
            state[id] = true;
        }
    }

    private static string RigKey(string? rig) => rig is null ? "\0" : "=" + rig;
}
