using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

/// <summary>
/// Properties checked on randomly generated ledgers (CsCheck: a failure prints the seed to rerun it
/// and the smallest case found). Cases are built from a seed and a size, so they shrink by size.
/// </summary>
public class PropertyTests
{
    private const int Cases = 500;

    private static readonly string[] Times = ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00Z",
        "2026-01-04T05:00:00+05:00"];
    private static readonly string[] Texts = ["alpha", "beta", "Gamma \"quoted\"", "ünïcødé ✓", "tab\there", "back\\slash", "<b>&amp;</b>"];
    private static readonly string[] Labels = ["ui", "db", "perf", "sec"];
    private static readonly string[] AllStatuses = [Statuses.Open, Statuses.InProgress, Statuses.Blocked, Statuses.Hooked, Statuses.Closed, Statuses.Deferred,
        Statuses.Pinned, Statuses.Tombstone];
    private static readonly string[] DepTypes = [DependencyTypes.Blocks, DependencyTypes.ConditionalBlocks, DependencyTypes.WaitsFor,
        DependencyTypes.ParentChild, DependencyTypes.Related, DependencyTypes.DiscoveredFrom];

    /// <summary>A seed and a size: cases shrink to fewer items.</summary>
    private static readonly Gen<(int Seed, int Size)> Case = Gen.Select(Gen.Int, Gen.Int[1, 10]);

    private static T Pick<T>(Random r, IReadOnlyList<T> xs) => xs[r.Next(xs.Count)];

    private static JsonNode Unknown(Random r) => r.Next(4) switch
    {
        0 => JsonValue.Create(r.Next(-1000, 1000)),
        1 => JsonValue.Create(Pick(r, Texts)),
        2 => new JsonObject { ["nested"] = new JsonArray(1, "two", null, true), ["n"] = 1.5 },
        _ => JsonValue.Create(r.Next(2) == 0),
    };

    /// <summary>A random item line: known fields, sets, comments, and fields orc does not know.</summary>
    private static JsonObject RandomItem(Random r, string id, IReadOnlyList<string> ids)
    {
        var o = new JsonObject
        {
            ["id"] = id,
            ["title"] = Pick(r, Texts),
            ["status"] = Pick(r, AllStatuses),
            ["priority"] = r.Next(5),
            ["issue_type"] = Pick(r, new[] { "task", "bug", "epic" }),
            ["created_at"] = Times[0],
            ["updated_at"] = Pick(r, Times),
        };
        if (r.Next(3) == 0) o["assignee"] = Pick(r, new[] { "ana", "bo" });
        if (r.Next(3) == 0) o["description"] = Pick(r, Texts);
        var labels = Labels.Where(_ => r.Next(3) == 0).ToArray();
        if (labels.Length > 0) o["labels"] = new JsonArray(labels.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray());
        var deps = ids.Where(x => x != id && r.Next(4) == 0).Select(x => (JsonNode)new JsonObject
        {
            ["issue_id"] = id, ["depends_on_id"] = x, ["type"] = Pick(r, new[] { DependencyTypes.Blocks, DependencyTypes.Related }),
        }).ToArray();
        if (deps.Length > 0) o["dependencies"] = new JsonArray(deps);
        var comments = Enumerable.Range(1, r.Next(3)).Select(n => (JsonNode)new JsonObject
        {
            ["id"] = n, ["issue_id"] = id, ["author"] = Pick(r, new[] { "ana", "bo" }), ["text"] = Pick(r, Texts), ["created_at"] = Times[n],
        }).ToArray();
        if (comments.Length > 0) o["comments"] = new JsonArray(comments);
        for (var i = r.Next(3); i > 0; i--) o[$"x_custom_{r.Next(5)}"] = Unknown(r);
        return o;
    }

    private static List<JsonObject> RandomLedger(Random r, int size)
    {
        var ids = Enumerable.Range(0, size).Select(i => $"hq-{i}").ToList();
        return ids.Select(id => RandomItem(r, id, ids)).ToList();
    }

    /// <summary>One side's edits of the base: items changed, deleted, or added.</summary>
    private static List<JsonObject> Edit(Random r, List<JsonObject> b, string side)
    {
        var ids = b.Select(o => o["id"]!.GetValue<string>()).ToList();
        var result = new List<JsonObject>();
        foreach (var item in b)
        {
            var o = (JsonObject)item.DeepClone();
            switch (r.Next(6))
            {
                case 0: continue; // deleted
                case 1: result.Add(o); continue; // untouched
            }
            o["updated_at"] = Pick(r, Times);
            if (r.Next(2) == 0) o["title"] = Pick(r, Texts);
            if (r.Next(3) == 0) o["priority"] = r.Next(5);
            if (r.Next(3) == 0) o["status"] = Pick(r, AllStatuses);
            if (r.Next(3) == 0) o["assignee"] = r.Next(2) == 0 ? null : Pick(r, new[] { "ana", "bo", side });
            if (r.Next(2) == 0)
            {
                var labels = (o["labels"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [];
                if (labels.Count > 0 && r.Next(2) == 0) labels.RemoveAt(r.Next(labels.Count));
                else labels.Add(Pick(r, Labels));
                o["labels"] = new JsonArray(labels.Distinct().Select(l => (JsonNode)JsonValue.Create(l)!).ToArray());
            }
            if (r.Next(2) == 0)
            {
                var comments = o["comments"] as JsonArray ?? [];
                comments.Add(new JsonObject { ["id"] = comments.Count + 1, ["issue_id"] = o["id"]!.GetValue<string>(), ["author"] = side, ["text"] = Pick(r,
                    Texts), ["created_at"] = Pick(r, Times) });
                o["comments"] = comments;
            }
            if (r.Next(3) == 0)
            {
                var deps = o["dependencies"] as JsonArray ?? [];
                if (deps.Count > 0 && r.Next(2) == 0) deps.RemoveAt(r.Next(deps.Count));
                else deps.Add(new JsonObject { ["issue_id"] = o["id"]!.GetValue<string>(), ["depends_on_id"] = Pick(r, ids),
                    ["type"] = DependencyTypes.Related });
                o["dependencies"] = deps.Count == 0 ? null : deps;
            }
            if (r.Next(3) == 0) o[$"x_custom_{r.Next(5)}"] = Unknown(r);
            result.Add(o);
        }
        // Items added on this side (the same new id may be added on both sides).
        for (var i = r.Next(3); i > 0; i--)
        {
            var id = $"hq-new{r.Next(3)}";
            if (result.All(o => o["id"]!.GetValue<string>() != id)) result.Add(RandomItem(r, id, ids));
        }
        return result;
    }

    private static LedgerDocument DocOf(IEnumerable<JsonObject> items) => Parse(string.Join("\n", items.Select(o => o.ToJsonString())));

    /// <summary>The ledger as content: one canonical JSON per item (sets sorted, unordered keys), sorted by id.</summary>
    private static string Content(LedgerDocument doc)
    {
        var sb = new StringBuilder();
        foreach (var item in doc.Sorted())
        {
            var o = JsonNode.Parse(LedgerCodec.ToJsonLine(item))!.AsObject();
            foreach (var key in new[] { "labels", "files", "dependencies", "comments" })
                if (o[key] is JsonArray a)
                    o[key] = new JsonArray(a.Select(n => n!.DeepClone()).OrderBy(n => n.ToJsonString(), StringComparer.Ordinal).ToArray());
            sb.Append(Canonical(o)).Append('\n');
        }
        return sb.ToString();
    }

    private static string Canonical(JsonNode? n) => n switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Canonical(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => n.ToJsonString(),
    };

    private static string Show(IEnumerable<JsonObject> items) => string.Join("\n", items.Select(o => o.ToJsonString()));

    [Fact]
    public void The_three_way_merge_is_commutative_in_content()
    {
        Case.Sample(c =>
        {
            var r = new Random(c.Seed);
            var b = RandomLedger(r, c.Size);
            var ours = Edit(r, b, "ours");
            var theirs = Edit(r, b, "theirs");
            var ab = Content(LedgerMerge.Merge(DocOf(b), DocOf(ours), DocOf(theirs)));
            var ba = Content(LedgerMerge.Merge(DocOf(b), DocOf(theirs), DocOf(ours)));
            Assert.True(ab == ba, $"base:\n{Show(b)}\nours:\n{Show(ours)}\ntheirs:\n{Show(theirs)}\nmerge(ours, theirs):\n{ab}\nmerge(theirs, ours):\n{ba}");
        }, iter: Cases);
    }

    [Fact]
    public void The_three_way_merge_is_idempotent_and_merging_its_result_again_changes_nothing()
    {
        Case.Sample(c =>
        {
            var r = new Random(c.Seed);
            var b = RandomLedger(r, c.Size);
            var ours = Edit(r, b, "ours");
            var theirs = Edit(r, b, "theirs");
            var x = DocOf(ours);
            Assert.Equal(Content(x), Content(LedgerMerge.Merge(x, x, x)));
            var merged = LedgerMerge.Merge(DocOf(b), DocOf(ours), DocOf(theirs));
            var again = Write(merged);
            var m = Parse(again);
            Assert.Equal(Content(m), Content(LedgerMerge.Merge(DocOf(b), m, m)));
            // Merging the result with either side again (the side is already in it) changes nothing.
            Assert.True(Content(m) == Content(LedgerMerge.Merge(DocOf(b), m, DocOf(ours))),
                $"base:\n{Show(b)}\nours:\n{Show(ours)}\ntheirs:\n{Show(theirs)}\nmerged:\n{again}");
            Assert.True(Content(m) == Content(LedgerMerge.Merge(DocOf(b), m, DocOf(theirs))),
                $"base:\n{Show(b)}\nours:\n{Show(ours)}\ntheirs:\n{Show(theirs)}\nmerged:\n{again}");
        }, iter: Cases);
    }

    /// <summary>The definition, computed directly: blocked if the item or any ancestor (parent-child, any depth, any number of parents) has an active
    /// blocker.</summary>
    private static (HashSet<string> Ready, HashSet<string> Blocked) Expected(LedgerDocument doc, DateTimeOffset now)
    {
        bool HasActiveBlocker(WorkItem i) => i.Dependencies.Any(d => DependencyTypes.IsBlocking(d.Type) && doc.Find(d.DependsOnId) is { } t
            && Statuses.IsActive(t.Status));
        bool Blocked(WorkItem item)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var todo = new Stack<WorkItem>([item]);
            while (todo.TryPop(out var i))
            {
                if (!seen.Add(i.Id)) continue;
                if (HasActiveBlocker(i)) return true;
                foreach (var d in i.Dependencies.Where(d => d.Type == DependencyTypes.ParentChild))
                    if (doc.Find(d.DependsOnId) is { } p) todo.Push(p);
            }
            return false;
        }
        var blocked = doc.Items.Where(Blocked).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var ready = doc.Items.Where(i => i.Status == Statuses.Open
                && !(Timestamps.TryParse(i.DeferUntil, out var until) && until > now)
                && !blocked.Contains(i.Id))
            .Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        return (ready, blocked);
    }

    private static LedgerDocument RandomGraph(Random r, int size)
    {
        var ids = Enumerable.Range(0, size + 2).Select(i => $"hq-{i}").ToList();
        var lines = ids.Select(id =>
        {
            var deps = ids.Where(x => x != id && r.Next(3) == 0).Select(x => (x, Pick(r, DepTypes))).ToArray();
            if (r.Next(8) == 0) deps = [.. deps, ("hq-missing", DependencyTypes.Blocks)];
            var defer = r.Next(6) switch { 0 => "2026-12-01T00:00:00Z", 1 => "2025-01-01T00:00:00Z", 2 => "not a date", _ => null };
            var status = r.Next(2) == 0 ? Statuses.Open : Pick(r, AllStatuses);
            return Item(id, status: status, priority: r.Next(5), deferUntil: defer, deps: deps);
        });
        return Doc(lines.ToArray());
    }

    [Fact]
    public void Ready_lists_exactly_the_open_undeferred_items_with_no_open_blocker_on_random_graphs()
    {
        Case.Sample(c =>
        {
            var doc = RandomGraph(new Random(c.Seed), c.Size);
            var ready = new DependencyGraph(doc).Ready(Now);
            var (expected, blocked) = Expected(doc, Now);
            var got = ready.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
            Assert.True(expected.SetEquals(got),
                $"ledger:\n{Write(doc)}\nexpected ready: {string.Join(" ", expected.Order())}\nlisted: {string.Join(" ", got.Order())}");
            Assert.Equal(got.Count, ready.Count); // each once
            var graph = new DependencyGraph(doc);
            foreach (var item in doc.Items)
                Assert.True(blocked.Contains(item.Id) == graph.IsBlocked(item), $"IsBlocked({item.Id}) is {graph.IsBlocked(item)}; ledger:\n{Write(doc)}");
        }, iter: Cases);
    }

    [Fact]
    public void Export_then_import_into_an_empty_ledger_is_the_identity_on_items_with_unknown_fields()
    {
        Case.Sample(c =>
        {
            var r = new Random(c.Seed);
            var original = DocOf(RandomLedger(r, c.Size).Concat(Edit(r, RandomLedger(r, c.Size),
                "x").Where(o => o["id"]!.GetValue<string>().StartsWith("hq-new"))).DistinctBy(o => o["id"]!.GetValue<string>()));
            var exported = Write(original);
            var target = new LedgerDocument();
            var ops = new ItemOperations(target, Now, "tester", "hq");
            var summary = ops.Import(Parse(exported));
            Assert.Equal(original.Count, summary.Added);
            Assert.Equal(exported, Write(target)); // byte for byte: every field, unknown ones included
            var again = new ItemOperations(target, Now, "tester", "hq").Import(Parse(exported));
            Assert.Equal(original.Count, again.Unchanged);
            Assert.Equal(exported, Write(target));
        }, iter: Cases);
    }
}
