using System.Text;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

/// <summary>A deferred read (what writers load) is a full read whose long fields wait in the line until used.</summary>
public class DeferredReadTests
{
    private const string Rich =
        """{"id":"hq-rich","title":"Rich","description":"line one\nline \"two\" — naïve","design":"d","acceptance_criteria":"a","notes":"n","status":"open","priority":1,"issue_type":"bug","assignee":"ana","owner":"bob","created_at":"2026-01-01T00:00:00Z","created_by":"carol","updated_at":"2026-01-02T00:00:00Z","closed_at":null,"close_reason":"r","defer_until":"2026-05-01T00:00:00Z","external_ref":"gh-1","labels":["x","y"],"files":["src/a.cs"],"dependencies":[{"issue_id":"hq-rich","depends_on_id":"hq-b","type":"blocks","created_at":"2026-01-01T00:00:00Z","created_by":"carol","weight":3}],"comments":[{"id":1,"issue_id":"hq-rich","author":"ana","text":"hi","created_at":"2026-01-03T00:00:00Z","mood":"ok"}],"x_custom":{"a":[1,2]},"y_more":true}""";

    private static string Fields(WorkItem i) => string.Join("|",
        i.Id, i.Title, i.Description, i.Design, i.AcceptanceCriteria, i.Notes, i.Status, i.Priority, i.IssueType, i.Assignee, i.Owner,
        i.CreatedAt, i.CreatedBy, i.UpdatedAt, i.ClosedAt, i.CloseReason, i.DeferUntil, i.ExternalRef,
        string.Join(",", i.Labels), string.Join(",", i.Files),
        string.Join(",", i.DependencyList.Select(d => $"{d.IssueId}>{d.DependsOnId}:{d.Type}@{d.CreatedAt}/{d.CreatedBy}/{string.Join(";", d.Extra)}")),
        string.Join(",", i.Comments.Select(c => $"{c.Id}:{c.IssueId}:{c.Author}:{c.Text}:{c.CreatedAt}:{string.Join(";", c.Extra)}")),
        string.Join(",", i.Extra));

    [Fact]
    public void Every_field_reads_as_a_full_read_reads_it()
    {
        var bytes = Encoding.UTF8.GetBytes(Rich + "\n" + Item("hq-b") + "\n");
        var full = LedgerDocument.Parse(bytes);
        var deferred = LedgerDocument.ParseDeferred(bytes);
        Assert.True(deferred.Get("hq-rich").IsDeferred);
        Assert.Equal("Rich", deferred.Get("hq-rich").Title); // the summary fields need no read
        Assert.True(deferred.Get("hq-rich").IsDeferred);
        foreach (var item in full.Items) Assert.Equal(Fields(item), Fields(deferred.Get(item.Id)));
        Assert.False(deferred.Get("hq-rich").IsDeferred);
    }

    [Fact]
    public void An_unchanged_item_is_written_back_as_its_line_without_being_read()
    {
        var text = Item("hq-b") + "\n" + Rich + "\n";
        var doc = LedgerDocument.ParseDeferred(Encoding.UTF8.GetBytes(text));
        doc.Add(new WorkItem { Id = "hq-zz", Title = "new" }); // sorts last
        var written = Write(doc);
        Assert.StartsWith(text, written);
        Assert.True(doc.Get("hq-rich").IsDeferred);
    }

    [Fact]
    public void A_change_reads_the_deferred_fields_first_and_keeps_them()
    {
        var doc = LedgerDocument.ParseDeferred(Encoding.UTF8.GetBytes(Rich + "\n" + Item("hq-b") + "\n"));
        var ops = new ItemOperations(doc, Now, "tester", "hq");
        ops.Update("hq-rich", new UpdateItemRequest { Notes = "changed" });
        var item = doc.Get("hq-rich");
        Assert.False(item.HasRawLine);
        var again = LedgerDocument.Parse(Encoding.UTF8.GetBytes(Write(doc))).Get("hq-rich");
        Assert.Equal("changed", again.Notes);
        Assert.Equal("line one\nline \"two\" — naïve", again.Description);
        Assert.Equal(Fields(LedgerDocument.Parse(Encoding.UTF8.GetBytes(Rich)).Get("hq-rich")).Replace("|n|", "|changed|").Replace("2026-01-02T00:00:00Z",
            again.UpdatedAt), Fields(again));
    }

    [Fact]
    public void A_field_set_before_the_others_are_read_is_not_lost()
    {
        var item = LedgerDocument.ParseDeferred(Encoding.UTF8.GetBytes(Rich)).Get("hq-rich");
        item.Notes = "set first";
        Assert.Equal("line one\nline \"two\" — naïve", item.Description);
        Assert.Equal("set first", item.Notes);
    }

    [Theory]
    [InlineData("""{"id":"hq-x","description":5}""")]
    [InlineData("""{"id":"hq-x","notes":["a"]}""")]
    [InlineData("""{"id":"hq-x","closed_at":{}}""")]
    [InlineData("""{"id":"hq-x","files":"a"}""")]
    [InlineData("""{"id":"hq-x","files":["a",1]}""")]
    [InlineData("""{"id":"hq-x","comments":[{"id":"one"}]}""")]
    [InlineData("""{"id":"hq-x","comments":{}}""")]
    [InlineData("""{"id":"hq-x","x":1,"x":2}""")]
    [InlineData("""{"id":"hq-x","design":"a","design":"b"}""")]
    [InlineData("""{"id":"hq-x","description":"\ud800"}""")]
    [InlineData("""{"id":"hq-x","owner":"a"} trailing""")]
    [InlineData("""{"id":"hq-x","dependencies":[{"type":"blocks"}]}""")]
    public void A_line_a_full_read_refuses_is_refused_with_the_same_words(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(Item("hq-a") + "\n" + line + "\n");
        var full = LedgerDocument.Parse(bytes);
        var deferred = LedgerDocument.ParseDeferred(bytes);
        Assert.Single(full.Errors);
        Assert.Equal(full.Errors.Select(e => (e.LineNumber, e.Message)), deferred.Errors.Select(e => (e.LineNumber, e.Message)));
        Assert.Equal(["hq-a"], deferred.Ids);
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_in_a_deferred_field_are_refused_as_a_full_read_refuses_them()
    {
        foreach (var field in new[] { "description", "notes", "close_reason" })
        {
            var bytes = Encoding.UTF8.GetBytes(Item("hq-a")
                + "\n").Concat(Encoding.UTF8.GetBytes($"{{\"id\":\"hq-x\",\"{field}\":\"ab")).Concat(new byte[] { 0xC3,
                0x28 }).Concat("\"}\n"u8.ToArray()).ToArray();
            var full = LedgerDocument.Parse(bytes);
            var deferred = LedgerDocument.ParseDeferred(bytes);
            Assert.Single(full.Errors);
            Assert.Equal(full.Errors.Select(e => e.Message), deferred.Errors.Select(e => e.Message));
        }
    }

    [Fact]
    public void Items_read_their_deferred_fields_once_when_several_threads_ask()
    {
        var lines = Enumerable.Range(0, 200).Select(i => Rich.Replace("hq-rich", $"hq-r{i}"));
        var doc = LedgerDocument.ParseDeferred(Encoding.UTF8.GetBytes(string.Join("\n", lines)));
        var expected = Fields(LedgerDocument.Parse(Encoding.UTF8.GetBytes(Rich)).Get("hq-rich")).Replace("hq-rich", "ID");
        Parallel.For(0, 8, _ =>
        {
            foreach (var item in doc.Items) Assert.Equal(expected, Fields(item).Replace(item.Id, "ID"));
        });
    }
}
