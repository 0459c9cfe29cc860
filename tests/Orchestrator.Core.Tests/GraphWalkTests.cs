using System.Text;
using Orchestrator.Core.Items;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

/// <summary>The graph walks made faster (cycles, sorting by id) answer exactly as before.</summary>
public class GraphWalkTests
{
    private static readonly string[] Types = [DependencyTypes.Blocks, DependencyTypes.ParentChild, DependencyTypes.WaitsFor, DependencyTypes.Related,
        DependencyTypes.DiscoveredFrom];
    private static readonly string[] StatusPool = [Statuses.Open, Statuses.Open, Statuses.Open, Statuses.InProgress, Statuses.Closed, Statuses.Blocked,
        Statuses.Hooked, Statuses.Deferred];

    /// <summary>A ledger of random shape: dependencies anywhere (so cycles, parent cycles, missing targets), defer dates past and future, a bad line.</summary>
    internal static byte[] RandomLedger(int seed, int count = 120)
    {
        var rng = new Random(seed);
        var ids = Enumerable.Range(0, count).Select(i => $"hq-{i:x3}").ToArray();
        var lines = new List<string>();
        foreach (var id in ids)
        {
            var deps = Enumerable.Range(0, rng.Next(0, 4))
                .Select(_ => Dep(rng.Next(12) == 0 ? "hq-missing" : ids[rng.Next(count)], Types[rng.Next(Types.Length)]))
                .ToArray();
            var defer = rng.Next(6) switch { 0 => "2026-02-01T00:00:00Z", 1 => "2026-04-01T00:00:00Z", 2 => "+3d", _ => null };
            lines.Add(Item(id, StatusPool[rng.Next(StatusPool.Length)], rng.Next(5), $"2026-01-{rng.Next(1, 29):00}T00:00:00Z", deferUntil: defer, deps: deps));
        }
        lines.Insert(rng.Next(lines.Count), "not json");
        return Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
    }

    /// <summary>The walk that found cycles before it started only from items with ordering dependencies, kept as the oracle.</summary>
    private static List<List<string>> CyclesAsBefore(LedgerDocument ledger)
    {
        var cycles = new List<List<string>>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var onPath = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        var frames = new Stack<(string Id, IEnumerator<Dependency> Next)>();
        var all = ledger.Items.ToList();
        all.Sort((a, b) => IdComparer.Instance.Compare(a.Id, b.Id));
        foreach (var item in all)
        {
            if (!Enter(item.Id)) continue;
            while (frames.Count > 0)
            {
                var (id, next) = frames.Peek();
                if (!next.MoveNext()) { frames.Pop(); path.RemoveAt(path.Count - 1); onPath.Remove(id); state[id] = 2; continue; }
                var d = next.Current;
                if (!DependencyTypes.IsOrdering(d.Type)) continue;
                if (onPath.TryGetValue(d.DependsOnId, out var start)) cycles.Add([.. path.Skip(start), d.DependsOnId]);
                else Enter(d.DependsOnId);
            }
        }
        return cycles;

        bool Enter(string id)
        {
            if (state.ContainsKey(id) || ledger.Find(id) is not { } node) return false;
            state[id] = 1;
            onPath[id] = path.Count;
            path.Add(id);
            frames.Push((id, ((IEnumerable<Dependency>)node.Dependencies).GetEnumerator()));
            return true;
        }
    }

    [Fact]
    public void Cycles_are_found_as_before_in_the_same_order()
    {
        var found = 0;
        for (var seed = 0; seed < 60; seed++)
        {
            var doc = LedgerDocument.Parse(RandomLedger(seed, count: 40 + seed));
            var cycles = new DependencyGraph(doc).FindCycles();
            Assert.Equal(CyclesAsBefore(doc), cycles);
            found += cycles.Count;
        }
        Assert.True(found > 20, "the random ledgers have cycles to find");
    }

    [Fact]
    public void Sorting_by_id_keeps_a_sorted_run_and_merges_the_rest_in()
    {
        var rng = new Random(11);
        for (var round = 0; round < 200; round++)
        {
            var ids = Enumerable.Range(0, rng.Next(0,
                60)).Select(i => rng.Next(3) == 0 ? $"hq-{i % 7:x}.{rng.Next(1, 12)}" : $"hq-{rng.Next(1000):x}").Distinct().ToList();
            ids.Sort(IdComparer.Instance);
            // Mostly in order with a few moved to the end (a change adding items), or shuffled.
            if (round % 3 == 0) ids = [.. ids.OrderBy(_ => rng.Next())];
            else for (var k = 0; k < rng.Next(0, 4) && ids.Count > 0; k++) { var at = rng.Next(ids.Count); ids.Add(ids[at]); ids.RemoveAt(at); }
            var items = ids.Select(id => new WorkItem { Id = id }).ToList();
            LedgerDocument.SortById(items);
            var expected = ids.ToList();
            expected.Sort(IdComparer.Instance);
            Assert.Equal(expected, items.Select(i => i.Id));
        }
    }
}
