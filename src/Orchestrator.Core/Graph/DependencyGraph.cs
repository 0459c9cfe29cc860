using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Graph;

/// <summary>
/// Readiness and cycles over a ledger. An item is blocked while any of its blocking dependencies
/// (blocks, conditional-blocks, waits-for) targets an item that is still open, in progress,
/// blocked or hooked; blocking passes from an epic down to all its descendants.
/// </summary>
public sealed class DependencyGraph
{
    private readonly LedgerDocument _ledger;
    private readonly Dictionary<string, bool> _blockedMemo = new(StringComparer.Ordinal);

    public DependencyGraph(LedgerDocument ledger) => _ledger = ledger;

    /// <summary>Items whose own blocking dependencies are still active.</summary>
    public List<WorkItem> DirectBlockers(WorkItem item)
    {
        var list = new List<WorkItem>();
        foreach (var d in item.Dependencies)
        {
            if (!DependencyTypes.IsBlocking(d.Type)) continue;
            var target = _ledger.Find(d.DependsOnId);
            if (target is not null && Statuses.IsActive(target.Status) && !list.Contains(target)) list.Add(target);
        }
        return list;
    }

    private bool HasActiveBlocker(WorkItem item)
    {
        foreach (var d in item.DependencyList)
        {
            if (!DependencyTypes.IsBlocking(d.Type)) continue;
            if (_ledger.Find(d.DependsOnId) is { } target && Statuses.IsActive(target.Status)) return true;
        }
        return false;
    }

    /// <summary>True if the item or any ancestor has an active blocker.</summary>
    public bool IsBlocked(WorkItem item)
    {
        if (item.DependencyList.Count == 0) return false;
        if (_blockedMemo.TryGetValue(item.Id, out var known)) return known;
        if (HasActiveBlocker(item)) return _blockedMemo[item.Id] = true;
        if (!item.DependencyList.Any(d => d.Type == DependencyTypes.ParentChild)) return _blockedMemo[item.Id] = false;
        // Walk the item and all its ancestors (parent-child, any depth; a hand-edited or merged
        // file may give an item several parents, or a parent cycle). Only whole answers are
        // remembered: an answer taken mid-walk inside a cycle would be wrong for later asks.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var todo = new Stack<WorkItem>();
        todo.Push(item);
        var blocked = false;
        while (!blocked && todo.TryPop(out var current))
        {
            if (!seen.Add(current.Id)) continue;
            if (!ReferenceEquals(current, item) && _blockedMemo.TryGetValue(current.Id, out var memo))
            {
                blocked = memo; // false: none of its ancestors is blocked either, nothing more to walk there
                continue;
            }
            if (HasActiveBlocker(current)) { blocked = true; break; }
            foreach (var d in current.DependencyList)
            {
                if (d.Type != DependencyTypes.ParentChild) continue;
                if (_ledger.Find(d.DependsOnId) is { } parent) todo.Push(parent);
            }
        }
        _blockedMemo[item.Id] = blocked;
        return blocked;
    }

    /// <summary>What blocks the item, including blockers inherited from its ancestors.</summary>
    public List<Blocker> BlockersOf(WorkItem item)
    {
        var result = new List<Blocker>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var current = item;
        string? via = null;
        while (current is not null && seen.Add(current.Id))
        {
            foreach (var b in DirectBlockers(current)) result.Add(new Blocker(b, via));
            var parentId = current.ParentId;
            current = parentId is null ? null : _ledger.Find(parentId);
            via = current?.Id;
        }
        return result;
    }

    /// <summary>Open, unblocked, not deferred into the future; most urgent first, then oldest.</summary>
    public List<WorkItem> Ready(DateTimeOffset now)
    {
        // Filtering the sorted candidates keeps their order: the same list as filtering first.
        var candidates = _ledger.Answers?.ReadyCandidates ?? ReadyRegardlessOfDefer();
        var ready = new List<WorkItem>(candidates.Count);
        foreach (var item in candidates)
            if (!(Timestamps.TryParse(item.DeferUntil, out var until) && until > now)) ready.Add(item);
        return ready;
    }

    /// <summary>What <see cref="Ready"/> gives before it leaves out items deferred into the future: it does not depend on the clock.</summary>
    public List<WorkItem> ReadyRegardlessOfDefer()
    {
        var ready = new List<WorkItem>();
        foreach (var item in _ledger.Items)
            if (item.Status == Statuses.Open && !IsBlocked(item)) ready.Add(item);
        return SortByPriorityThenAge(ready);
    }

    /// <summary>The answers that depend on the ledger's content alone, worked out now (for the index cache; see <see cref="LedgerAnswers"/>).</summary>
    public LedgerAnswers Precompute() => new(WalkCycles(), ReadyRegardlessOfDefer());

    /// <summary>Items not closed that wait on something, or are marked blocked; with what blocks them.</summary>
    public List<(WorkItem Item, List<Blocker> Blockers)> Blocked()
    {
        var list = new List<(WorkItem, List<Blocker>)>();
        foreach (var item in _ledger.Items)
        {
            if (item.IsClosed || item.Status == Statuses.Deferred) continue;
            if (item.Status != Statuses.Blocked && !IsBlocked(item)) continue;
            list.Add((item, BlockersOf(item)));
        }
        var sorted = SortByPriorityThenAge(list.Select(x => x.Item1).ToList());
        var byId = list.ToDictionary(x => x.Item1.Id, x => x.Item2);
        return sorted.Select(i => (i, byId[i.Id])).ToList();
    }

    /// <summary>Sorts by priority, then age, parsing each created_at once.</summary>
    public static List<WorkItem> SortByPriorityThenAge(List<WorkItem> items)
    {
        var keys = new (int Priority, bool HasTime, long Ticks, string? Raw, string Id)[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var it = items[i];
            var has = Timestamps.TryParse(it.CreatedAt, out var t);
            keys[i] = (it.Priority, has, has ? t.UtcTicks : 0, it.CreatedAt, it.Id);
        }
        var order = Enumerable.Range(0, items.Count).ToArray();
        Array.Sort(order, (x, y) =>
        {
            var a = keys[x];
            var b = keys[y];
            var c = a.Priority.CompareTo(b.Priority);
            if (c != 0) return c;
            if (a.HasTime != b.HasTime) return a.HasTime ? 1 : -1;
            c = a.HasTime ? a.Ticks.CompareTo(b.Ticks) : string.CompareOrdinal(a.Raw, b.Raw);
            return c != 0 ? c : IdComparer.Instance.Compare(a.Id, b.Id);
        });
        return order.Select(i => items[i]).ToList();
    }

    public static int ByPriorityThenAge(WorkItem a, WorkItem b)
    {
        var c = a.Priority.CompareTo(b.Priority);
        if (c != 0) return c;
        c = Timestamps.Compare(a.CreatedAt, b.CreatedAt);
        return c != 0 ? c : IdComparer.Instance.Compare(a.Id, b.Id);
    }

    /// <summary>
    /// The cycle that <paramref name="from"/> depending on <paramref name="to"/> would close, as the
    /// list of ids from → to → … → from; null when there is none.
    /// </summary>
    public List<string>? CycleIfAdded(string from, string to)
    {
        if (from == to) return [from, from];
        // A path to → … → from over ordering edges closes the cycle.
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal) { [to] = null };
        var queue = new Queue<string>();
        queue.Enqueue(to);
        while (queue.Count > 0)
        {
            var id = queue.Dequeue();
            if (id == from)
            {
                var path = new List<string>();
                for (string? at = from; at is not null; at = previous[at]) path.Add(at);
                path.Reverse(); // to … from
                path.Insert(0, from);
                return path;
            }
            var node = _ledger.Find(id);
            if (node is null) continue;
            foreach (var d in node.Dependencies)
            {
                if (!DependencyTypes.IsOrdering(d.Type) || previous.ContainsKey(d.DependsOnId)) continue;
                previous[d.DependsOnId] = id;
                queue.Enqueue(d.DependsOnId);
            }
        }
        return null;
    }

    /// <summary>How many ids of a long cycle <see cref="Describe"/> shows at each end.</summary>
    public const int CycleEnds = 3;

    /// <summary>
    /// A cycle (as <see cref="CycleIfAdded"/> and <see cref="FindCycles"/> give it: its ids, the first
    /// repeated at the end) as one short line: every id of a cycle of up to 8 items
    /// (<c>a → b → c → a</c>); else the first and last few and the length
    /// (<c>a → b → c → … → x → y → z → a (20,000 items; 19,994 not shown)</c>), so a cycle through a
    /// long chain is not printed as a line of hundreds of kilobytes.
    /// </summary>
    public static string Describe(IReadOnlyList<string> cycle, string arrow = " → ")
    {
        var closed = cycle.Count > 1 && cycle[0] == cycle[^1];
        var items = closed ? cycle.Count - 1 : cycle.Count;
        if (items <= 8) return string.Join(arrow, cycle.Select(TerminalText.Line));
        var head = cycle.Take(CycleEnds);
        var tail = cycle.Skip(items - CycleEnds).Take(CycleEnds);
        var shown = head.Append("…").Concat(tail).Concat(closed ? [cycle[0]] : []);
        return $"{string.Join(arrow, shown.Select(TerminalText.Line))} ({items:N0} items; {items - 2 * CycleEnds:N0} not shown)";
    }

    /// <summary>
    /// Every cycle-closing edge already in the ledger (e.g. after a merge), one cycle each. Walks
    /// the graph with its own stack, so a dependency chain of any length cannot overflow the thread's.
    /// </summary>
    public List<List<string>> FindCycles() =>
        _ledger.Answers is { } known ? known.Cycles.Select(c => c.ToList()).ToList() : WalkCycles();

    /// <summary>
    /// The walk behind <see cref="FindCycles"/>: from every item in id order, depth first along
    /// ordering dependencies. An item with none cannot be on a cycle, and starting from it marks
    /// only itself as done (as reaching it later would), so only items with some are starting points.
    /// </summary>
    private List<List<string>> WalkCycles()
    {
        var cycles = new List<List<string>>();
        var roots = new List<WorkItem>();
        foreach (var item in _ledger.Items)
            if (HasOrdering(item)) roots.Add(item);
        LedgerDocument.SortById(roots);
        var seen = new Dictionary<string, int>(roots.Count, StringComparer.Ordinal); // id -> its index in path while on it, -1 once done
        var path = new List<string>();
        var frames = new List<(WorkItem Node, int Next)>();
        foreach (var root in roots)
        {
            if (!Enter(root.Id, root)) continue;
            while (frames.Count > 0)
            {
                var top = frames.Count - 1;
                var (node, next) = frames[top];
                var deps = node.DependencyList;
                if (next >= deps.Count)
                {
                    frames.RemoveAt(top);
                    path.RemoveAt(path.Count - 1);
                    seen[node.Id] = -1;
                    continue;
                }
                frames[top] = (node, next + 1);
                var d = deps[next];
                if (!DependencyTypes.IsOrdering(d.Type)) continue;
                if (!seen.TryGetValue(d.DependsOnId, out var at)) Enter(d.DependsOnId, null);
                else if (at >= 0)
                {
                    var cycle = path.GetRange(at, path.Count - at);
                    cycle.Add(d.DependsOnId);
                    cycles.Add(cycle);
                }
            }
        }
        return cycles;

        bool Enter(string id, WorkItem? known)
        {
            if (seen.ContainsKey(id)) return false;
            var node = known ?? _ledger.Find(id);
            if (node is null) return false;
            seen[id] = path.Count;
            path.Add(id);
            frames.Add((node, 0));
            return true;
        }

        static bool HasOrdering(WorkItem item)
        {
            foreach (var d in item.DependencyList)
                if (DependencyTypes.IsOrdering(d.Type)) return true;
            return false;
        }
    }
}

/// <summary>An item that blocks another; <see cref="Via"/> names the ancestor it blocks, if inherited.</summary>
public sealed record Blocker(WorkItem Item, string? Via);
