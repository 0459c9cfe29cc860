using System.Text;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

/// <summary>The index cache (format 2): answers exactly what a parse answers, for exactly the bytes it was built from.</summary>
public class IndexFormatTests
{
    private static (LedgerDocument Parsed, LedgerDocument Indexed) BothWays(byte[] bytes)
    {
        var parsed = LedgerDocument.ParseSummary(bytes);
        var index = LedgerIndex.Build(parsed, new DependencyGraph(parsed).Precompute(), bytes, LedgerIndex.Fingerprint(bytes));
        Assert.NotNull(index);
        var indexed = LedgerIndex.Read(index, bytes, LedgerIndex.Fingerprint(bytes));
        Assert.NotNull(indexed);
        return (LedgerDocument.ParseSummary(bytes), indexed);
    }

    [Fact]
    public void Ready_and_cycles_from_the_index_are_what_the_graph_computes_at_any_time()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var (parsed, indexed) = BothWays(GraphWalkTests.RandomLedger(seed));
            Assert.NotNull(indexed.Answers);
            foreach (var now in new[] { Now, Now.AddMonths(-2), Now.AddMonths(3) })
                Assert.Equal(new DependencyGraph(parsed).Ready(now).Select(i => i.Id), new DependencyGraph(indexed).Ready(now).Select(i => i.Id));
            Assert.Equal(new DependencyGraph(parsed).FindCycles(), new DependencyGraph(indexed).FindCycles());
            Assert.Equal(new DependencyGraph(parsed).Blocked().Select(b => b.Item.Id), new DependencyGraph(indexed).Blocked().Select(b => b.Item.Id));
        }
    }

    [Fact]
    public void Items_read_from_the_index_are_the_summary_items_with_their_lines()
    {
        var bytes = GraphWalkTests.RandomLedger(7);
        var (parsed, indexed) = BothWays(bytes);
        Assert.Equal(parsed.Count, indexed.Count);
        Assert.Equal(parsed.Errors.Select(e => (e.LineNumber, e.RawText, e.Message)), indexed.Errors.Select(e => (e.LineNumber, e.RawText, e.Message)));
        foreach (var p in parsed.Items)
        {
            var i = indexed.Get(p.Id);
            Assert.True(i.IsSummary);
            Assert.Equal((p.Title, p.Status, p.Priority, p.IssueType, p.Assignee, p.CreatedAt, p.DeferUntil), (i.Title, i.Status, i.Priority, i.IssueType,
                i.Assignee, i.CreatedAt, i.DeferUntil));
            Assert.Equal(p.Labels, i.Labels);
            Assert.Equal(p.DependencyList.Select(d => (d.DependsOnId, d.Type)), i.DependencyList.Select(d => (d.DependsOnId, d.Type)));
            Assert.Equal(p.RawLine.ToArray(), i.RawLine.ToArray());
        }
    }

    [Fact]
    public void A_query_of_ready_items_makes_only_those_items()
    {
        var (_, indexed) = BothWays(GraphWalkTests.RandomLedger(3));
        var graph = new DependencyGraph(indexed);
        var ready = graph.Ready(Now);
        Assert.NotEmpty(ready);
        Assert.Equal(120, indexed.Count);
        Assert.Single(indexed.Errors);
        Assert.False(indexed.IsMapped);
        Assert.Same(ready[0], indexed.Get(ready[0].Id)); // the map made later holds the same items
    }

    [Fact]
    public void An_index_is_refused_for_other_bytes_and_when_damaged()
    {
        var bytes = GraphWalkTests.RandomLedger(5);
        var doc = LedgerDocument.ParseSummary(bytes);
        var index = LedgerIndex.Build(doc, new DependencyGraph(doc).Precompute(), bytes, LedgerIndex.Fingerprint(bytes))!;
        var fingerprint = LedgerIndex.Fingerprint(bytes);

        // Same length, one byte different: another ledger.
        var other = (byte[])bytes.Clone();
        other[^3] ^= 0x01;
        Assert.Null(LedgerIndex.Read(index, other, LedgerIndex.Fingerprint(other)));
        Assert.Null(LedgerIndex.Read(index, bytes.AsMemory(0, bytes.Length - 1), fingerprint));
        // Any damage to the index itself.
        for (var at = 0; at < index.Length; at += Math.Max(1, index.Length / 97))
        {
            var damaged = (byte[])index.Clone();
            damaged[at] ^= 0x40;
            Assert.Null(LedgerIndex.Read(damaged, bytes, fingerprint));
        }
        Assert.Null(LedgerIndex.Read(index[..(index.Length / 2)], bytes, fingerprint));
        Assert.Null(LedgerIndex.Read([], bytes, fingerprint));
        Assert.Null(LedgerIndex.Read("garbage"u8.ToArray(), bytes, fingerprint));
        Assert.NotNull(LedgerIndex.Read(index, bytes, fingerprint));
    }

    [Fact]
    public void A_ledger_with_an_id_twice_is_not_indexed()
    {
        var bytes = Encoding.UTF8.GetBytes(Item("hq-a") + "\n" + Item("hq-a", title: "again") + "\n");
        var doc = LedgerDocument.ParseSummary(bytes);
        Assert.Null(LedgerIndex.Build(doc, new DependencyGraph(doc).Precompute(), bytes, LedgerIndex.Fingerprint(bytes)));
    }

    [Fact]
    public void Changing_a_document_drops_its_precomputed_answers()
    {
        var (_, indexed) = BothWays(GraphWalkTests.RandomLedger(9));
        indexed.Put(new WorkItem { Id = "hq-new", Title = "new", Priority = 0, CreatedAt = "2026-01-01T00:00:00Z" });
        Assert.Null(indexed.Answers);
        Assert.Equal("hq-new", new DependencyGraph(indexed).Ready(Now)[0].Id);
    }
}
