using System.Text.RegularExpressions;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

public class ItemOperationsTests
{
    private const string NowText = "2026-03-01T12:00:00.0000000Z";

    private static LedgerDocument Sample() => Doc(
        Item("hq-p1"),
        Item("hq-p2", status: Statuses.Closed),
        """{"id":"hq-l","title":"labelled","status":"open","priority":2,"issue_type":"task","labels":["keep","old"],"x_beads":{"n":1},"updated_at":"2026-01-01T00:00:00Z"}""");

    private static ItemOperations Ops(LedgerDocument doc) => new(doc, Now, "tester", "hq");

    private static CreateItemRequest New(string title = "A task") => new() { Title = title };

    /// <summary>Runs a call that must fail and checks that the ledger is byte-for-byte what it was.</summary>
    private static OrcException FailsWithoutChange(Action<ItemOperations> call)
    {
        var doc = Sample();
        var before = Write(doc);
        var ops = Ops(doc);

        var ex = Assert.Throws<OrcException>(() => call(ops));

        Assert.Equal(before, Write(doc));
        Assert.Empty(ops.Changed);
        return ex;
    }

    public static TheoryData<string, CreateItemRequest, string> BadCreates => new()
    {
        { "empty title", New(""), "title" },
        { "blank title", New("   "), "title" },
        { "1 MB title", New(new string('x', 1024 * 1024)), "title" },
        { "ESC in title", New("red \u001b[31m title"), "title" },
        { "newline in title", New("two\nlines"), "title" },
        { "C1 control in title", New("a\u009bb"), "title" },
        { "lone surrogate in title", New("a\ud800b"), "title" },
        { "ESC in description", New() with { Description = "x\u001b]52;c;ZXZpbA==\u0007" }, "description" },
        { "huge notes", New() with { Notes = new string('n', ItemLimits.TextLength + 1) }, "notes" },
        { "priority 5", New() with { Priority = "5" }, "priority" },
        { "priority -1", New() with { Priority = "-1" }, "priority" },
        { "priority P9", New() with { Priority = "P9" }, "priority" },
        { "priority word", New() with { Priority = "high" }, "priority" },
        { "type with !", New() with { Type = "bug!" }, "type" },
        { "type with space", New() with { Type = "big bug" }, "type" },
        { "type non-ASCII", New() with { Type = "tâche" }, "type" },
        { "101 labels", New() with { Labels = Enumerable.Range(0, 101).Select(i => $"l{i}").ToList() }, "label" },
        { "label with space", New() with { Labels = ["ok", "not ok"] }, "label" },
        { "label with comma", New() with { Labels = ["a,b"] }, "label" },
        { "empty label", New() with { Labels = [""] }, "label" },
        { "assignee with ESC", New() with { Assignee = "\u001b[2Jmallory" }, "assignee" },
        { "owner with spaces around", New() with { Owner = " ana " }, "owner" },
        { "empty file", New() with { Files = ["src/a", " "] }, "file" },
        { "bad defer", New() with { DeferUntil = "soonish" }, "defer-until" },
        { "bad prefix", New() with { Prefix = "Bad-Prefix" }, "prefix" },
        { "missing parent", New() with { ParentId = "hq-nope" }, "hq-nope" },
        { "missing dep", New() with { BlockedBy = ["hq-p1", "hq-nope"] }, "hq-nope" },
        { "missing discovered-from", New() with { DiscoveredFrom = "hq-nope" }, "hq-nope" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public void Create_rejects_bad_input_and_leaves_the_ledger_unchanged(string why, CreateItemRequest request, string named)
    {
        var ex = FailsWithoutChange(ops => ops.Create(request));

        Assert.Contains(named, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.DoesNotContain('\u001b', ex.Message);
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void Create_adds_an_item_with_defaults_and_the_fixed_time()
    {
        var doc = Sample();
        var ops = Ops(doc);

        var item = ops.Create(New("Write tests"));

        Assert.Matches("^hq-[0-9a-z]{4}$", item.Id);
        Assert.Same(item, doc.Get(item.Id));
        Assert.Equal("Write tests", item.Title);
        Assert.Equal(Statuses.Open, item.Status);
        Assert.Equal(2, item.Priority);
        Assert.Equal(IssueTypes.Task, item.IssueType);
        Assert.Equal("tester", item.CreatedBy);
        Assert.Equal(NowText, item.CreatedAt);
        Assert.Equal(NowText, item.UpdatedAt);
        Assert.Equal([item.Id], ops.Changed);
        Assert.Equal(4, doc.Count);
    }

    [Fact]
    public void Create_applies_every_field_given()
    {
        var doc = Sample();
        var item = Ops(doc).Create(new CreateItemRequest
        {
            Title = "Full",
            Description = "line 1\nline 2\ttabbed",
            Design = "d",
            AcceptanceCriteria = "a",
            Notes = "n",
            Type = " Feature ",
            Priority = "P1",
            Assignee = "ana",
            Owner = "bo",
            Labels = ["x", "y", "x"],
            Files = ["src\\a.cs", "src/a.cs", "docs/"],
            DeferUntil = "+3d",
            ExternalRef = "gh-12",
            BlockedBy = ["hq-p1", "hq-p1"],
            DiscoveredFrom = "hq-p2",
            Prefix = "gt",
        });

        Assert.StartsWith("gt-", item.Id);
        Assert.Equal("line 1\nline 2\ttabbed", item.Description);
        Assert.Equal("feature", item.IssueType);
        Assert.Equal(1, item.Priority);
        Assert.Equal(["x", "y"], item.Labels);
        Assert.Equal(["src/a.cs", "docs/"], item.Files);
        Assert.Equal("2026-03-04T12:00:00.0000000Z", item.DeferUntil);
        Assert.Equal("gh-12", item.ExternalRef);
        Assert.Equal(
            [("hq-p1", DependencyTypes.Blocks), ("hq-p2", DependencyTypes.DiscoveredFrom)],
            item.Dependencies.Select(d => (d.DependsOnId, d.Type)));
        Assert.All(item.Dependencies, d =>
        {
            Assert.Equal(item.Id, d.IssueId);
            Assert.Equal(NowText, d.CreatedAt);
            Assert.Equal("tester", d.CreatedBy);
        });
    }

    [Fact]
    public void Create_with_a_parent_gives_numbered_child_ids()
    {
        var doc = Sample();
        var ops = Ops(doc);

        var first = ops.Create(New("one") with { ParentId = "hq-p1" });
        var second = ops.Create(New("two") with { ParentId = "hq-p1" });
        var grandchild = ops.Create(New("three") with { ParentId = first.Id });

        Assert.Equal("hq-p1.1", first.Id);
        Assert.Equal("hq-p1.2", second.Id);
        Assert.Equal("hq-p1.1.1", grandchild.Id);
        Assert.Equal("hq-p1", first.ParentId);
        var dep = Assert.Single(second.Dependencies);
        Assert.Equal(DependencyTypes.ParentChild, dep.Type);
        Assert.Equal(["hq-p1.1", "hq-p1.2"], Ids(doc.ChildrenOf("hq-p1").OrderBy(i => i.Id, IdComparer.Instance)));
    }

    [Fact]
    public void Create_writes_a_line_that_reads_back_the_same()
    {
        var doc = Sample();
        var item = Ops(doc).Create(New("Round trip") with { Labels = ["a"], BlockedBy = ["hq-p1"] });

        var reread = Parse(Write(doc));

        Assert.Empty(reread.Errors);
        Assert.Equal(LedgerCodec.ToJsonLine(item), LedgerCodec.ToJsonLine(reread.Get(item.Id)));
    }

    [Fact]
    public void Update_with_an_empty_request_is_a_usage_error()
    {
        var ex = FailsWithoutChange(ops => ops.Update("hq-p1", new UpdateItemRequest()));

        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        Assert.Contains("nothing to update", ex.Message);
    }

    [Fact]
    public void Update_of_a_missing_item_is_not_found()
    {
        var ex = FailsWithoutChange(ops => ops.Update("hq-nope", new UpdateItemRequest { Title = "x" }));

        Assert.Equal(ExitCodes.NotFound, ex.ExitCode);
        Assert.Contains("hq-nope", ex.Message);
    }

    [Theory]
    [InlineData("title", "")]
    [InlineData("title", "a\u0007b")]
    [InlineData("status", "done")]
    [InlineData("type", "no way")]
    [InlineData("priority", "7")]
    [InlineData("assignee", "a\nb")]
    [InlineData("defer-until", "later")]
    [InlineData("file", "\u001b")]
    public void Update_rejects_a_bad_field_without_changing_any_other(string field, string value)
    {
        var request = field switch
        {
            "title" => new UpdateItemRequest { Title = value },
            "status" => new UpdateItemRequest { Status = value },
            "type" => new UpdateItemRequest { Type = value },
            "priority" => new UpdateItemRequest { Priority = value },
            "assignee" => new UpdateItemRequest { Assignee = value },
            "defer-until" => new UpdateItemRequest { DeferUntil = value },
            _ => new UpdateItemRequest { Files = ["ok", value] },
        };
        // A valid change in the same request must not be applied either.
        request = request with { Notes = "valid notes" };

        var ex = FailsWithoutChange(ops => ops.Update("hq-l", request));

        Assert.StartsWith(field + ":", ex.Message);
    }

    [Fact]
    public void Update_changes_the_given_fields_and_touches_the_item()
    {
        var doc = Sample();
        var ops = Ops(doc);

        var item = ops.Update("hq-l", new UpdateItemRequest { Title = "renamed", Priority = "p0", Status = "In-Progress", Assignee = "ana" });

        Assert.Equal("renamed", item.Title);
        Assert.Equal(0, item.Priority);
        Assert.Equal(Statuses.InProgress, item.Status);
        Assert.Equal("ana", item.Assignee);
        Assert.Equal(["keep", "old"], item.Labels);
        Assert.Equal(NowText, item.UpdatedAt);
        Assert.False(item.HasRawLine);
        Assert.Equal(["hq-l"], ops.Changed);
        Assert.Contains("\"x_beads\":{\"n\":1}", Write(doc));
    }

    [Fact]
    public void Update_with_empty_strings_clears_optional_fields()
    {
        var doc = Sample();
        var ops = Ops(doc);
        ops.Update("hq-p1", new UpdateItemRequest { Description = "d", Assignee = "ana", DeferUntil = "2026-12-01", ExternalRef = "x-1" });

        var item = ops.Update("hq-p1", new UpdateItemRequest { Description = "", Assignee = "", DeferUntil = "", ExternalRef = "", Files = [] });

        Assert.Null(item.Description);
        Assert.Null(item.Assignee);
        Assert.Null(item.DeferUntil);
        Assert.Null(item.ExternalRef);
        Assert.Empty(item.Files);
        Assert.DoesNotContain("description", LedgerCodec.ToJsonLine(item));
    }

    [Fact]
    public void Setting_status_closed_through_update_sets_closed_at()
    {
        var doc = Sample();

        var item = Ops(doc).Update("hq-p1", new UpdateItemRequest { Status = "closed" });

        Assert.Equal(Statuses.Closed, item.Status);
        Assert.Equal(NowText, item.ClosedAt);
        Assert.Null(item.CloseReason);
    }

    [Fact]
    public void Setting_an_open_status_through_update_clears_closed_at()
    {
        var doc = Sample();
        var ops = Ops(doc);
        ops.Close("hq-p1", "done");

        var item = ops.Update("hq-p1", new UpdateItemRequest { Status = "open" });

        Assert.Null(item.ClosedAt);
        Assert.Null(item.CloseReason);
    }

    [Fact]
    public void Close_sets_status_closed_at_and_reason()
    {
        var doc = Sample();
        var ops = Ops(doc);

        Assert.True(ops.Close("hq-p1", "fixed in abc123"));

        var item = doc.Get("hq-p1");
        Assert.Equal(Statuses.Closed, item.Status);
        Assert.Equal(NowText, item.ClosedAt);
        Assert.Equal("fixed in abc123", item.CloseReason);
        Assert.Equal(NowText, item.UpdatedAt);
        Assert.Equal(["hq-p1"], ops.Changed);
    }

    [Fact]
    public void Closing_twice_returns_false_the_second_time_and_changes_nothing()
    {
        var doc = Sample();
        var ops = Ops(doc);
        Assert.True(ops.Close("hq-p1", "first"));
        var afterFirst = Write(doc);

        Assert.False(ops.Close("hq-p1", "second"));

        Assert.Equal(afterFirst, Write(doc));
        Assert.Equal("first", doc.Get("hq-p1").CloseReason);
    }

    [Fact]
    public void Closing_an_already_closed_item_read_from_the_file_keeps_its_line()
    {
        var doc = Sample();
        var before = Write(doc);
        var ops = Ops(doc);

        Assert.False(ops.Close("hq-p2", null));

        Assert.Equal(before, Write(doc));
        Assert.Empty(ops.Changed);
    }

    [Fact]
    public void Close_rejects_a_reason_with_control_characters()
    {
        var ex = FailsWithoutChange(ops => ops.Close("hq-p1", "done\u001b[8m"));

        Assert.StartsWith("reason:", ex.Message);
    }

    [Fact]
    public void Reopen_clears_closed_at_and_close_reason()
    {
        var doc = Sample();
        var ops = Ops(doc);
        ops.Close("hq-p1", "done");

        Assert.True(ops.Reopen("hq-p1"));

        var item = doc.Get("hq-p1");
        Assert.Equal(Statuses.Open, item.Status);
        Assert.Null(item.ClosedAt);
        Assert.Null(item.CloseReason);
        Assert.DoesNotContain("closed_at", LedgerCodec.ToJsonLine(item));
    }

    [Fact]
    public void Reopening_an_item_that_is_not_closed_returns_false()
    {
        var doc = Sample();
        var before = Write(doc);
        var ops = Ops(doc);

        Assert.False(ops.Reopen("hq-p1"));
        Assert.Equal(before, Write(doc));
    }

    [Fact]
    public void Comment_ids_increase_from_the_highest_existing_one()
    {
        var doc = Doc("""{"id":"hq-c","title":"t","comments":[{"id":7,"issue_id":"hq-c","author":"x","text":"old"},{"id":3,"issue_id":"hq-c","author":"x","text":"older"}]}""", Item("hq-p1"));
        var ops = Ops(doc);

        var a = ops.AddComment("hq-c", "new one");
        var b = ops.AddComment("hq-c", "and another\nwith two lines");
        var first = ops.AddComment("hq-p1", "first");

        Assert.Equal(8, a.Id);
        Assert.Equal(9, b.Id);
        Assert.Equal(1, first.Id);
        Assert.Equal("tester", a.Author);
        Assert.Equal("hq-c", a.IssueId);
        Assert.Equal(NowText, a.CreatedAt);
        Assert.Equal(4, doc.Get("hq-c").Comments.Count);
        Assert.Equal(NowText, doc.Get("hq-c").UpdatedAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n ")]
    [InlineData("bell\u0007")]
    public void A_bad_comment_is_rejected_without_change(string text)
    {
        var ex = FailsWithoutChange(ops => ops.AddComment("hq-p1", text));

        Assert.StartsWith("comment:", ex.Message);
    }

    [Fact]
    public void AddLabels_returns_only_the_new_labels_and_dedupes()
    {
        var doc = Sample();
        var ops = Ops(doc);

        var added = ops.AddLabels("hq-l", ["keep", "new", "new", "other"]);

        Assert.Equal(["new", "other"], added);
        Assert.Equal(["keep", "old", "new", "other"], doc.Get("hq-l").Labels);
        Assert.Equal(["hq-l"], ops.Changed);
    }

    [Fact]
    public void AddLabels_with_nothing_new_changes_nothing()
    {
        var doc = Sample();
        var before = Write(doc);
        var ops = Ops(doc);

        Assert.Empty(ops.AddLabels("hq-l", ["keep", "old"]));

        Assert.Equal(before, Write(doc));
        Assert.Empty(ops.Changed);
    }

    [Fact]
    public void AddLabels_refuses_to_go_past_the_limit()
    {
        // hq-l has two labels already: 99 more would make 101.
        var ex = FailsWithoutChange(ops => ops.AddLabels("hq-l", Enumerable.Range(0, 99).Select(i => $"n{i}")));

        Assert.Contains("101", ex.Message);
        Assert.Contains("100", ex.Message);
    }

    [Fact]
    public void AddLabels_rejects_a_bad_label_without_adding_the_good_ones()
    {
        var ex = FailsWithoutChange(ops => ops.AddLabels("hq-l", ["good", "bad label"]));

        Assert.StartsWith("label:", ex.Message);
    }

    [Fact]
    public void RemoveLabels_returns_those_that_were_there()
    {
        var doc = Sample();
        var ops = Ops(doc);

        var removed = ops.RemoveLabels("hq-l", ["old", "absent", "old"]);

        Assert.Equal(["old"], removed);
        Assert.Equal(["keep"], doc.Get("hq-l").Labels);
    }

    [Fact]
    public void RemoveLabels_of_absent_labels_changes_nothing()
    {
        var doc = Sample();
        var before = Write(doc);
        var ops = Ops(doc);

        Assert.Empty(ops.RemoveLabels("hq-l", ["absent"]));
        Assert.Equal(before, Write(doc));
    }

    [Fact]
    public void AddDependency_adds_an_edge_once()
    {
        var doc = Sample();
        var ops = Ops(doc);

        Assert.True(ops.AddDependency("hq-l", "hq-p1"));
        Assert.False(ops.AddDependency("hq-l", "hq-p1"));
        Assert.True(ops.AddDependency("hq-l", "hq-p1", "Related"));

        var deps = doc.Get("hq-l").Dependencies;
        Assert.Equal([("hq-p1", "blocks"), ("hq-p1", "related")], deps.Select(d => (d.DependsOnId, d.Type)));
        Assert.All(deps, d => Assert.Equal("hq-l", d.IssueId));
    }

    [Fact]
    public void AddDependency_rejects_an_unknown_type_or_missing_items()
    {
        Assert.Contains("--type", FailsWithoutChange(ops => ops.AddDependency("hq-l", "hq-p1", "needs")).Message);
        Assert.Contains("hq-nope", FailsWithoutChange(ops => ops.AddDependency("hq-l", "hq-nope")).Message);
        Assert.Contains("hq-nope", FailsWithoutChange(ops => ops.AddDependency("hq-nope", "hq-l")).Message);
    }

    [Fact]
    public void An_item_cannot_get_a_second_parent()
    {
        var doc = Sample();
        var ops = Ops(doc);
        ops.AddDependency("hq-l", "hq-p1", DependencyTypes.ParentChild);
        var before = Write(doc);

        var ex = Assert.Throws<OrcException>(() => ops.AddDependency("hq-l", "hq-p2", DependencyTypes.ParentChild));

        Assert.Contains("already has a parent (hq-p1)", ex.Message);
        Assert.Equal(before, Write(doc));
    }

    [Fact]
    public void RemoveDependency_removes_the_edges_of_one_type_or_all()
    {
        var doc = Sample();
        var ops = Ops(doc);
        ops.AddDependency("hq-l", "hq-p1");
        ops.AddDependency("hq-l", "hq-p1", DependencyTypes.Related);
        ops.AddDependency("hq-l", "hq-p2", DependencyTypes.WaitsFor);

        Assert.Equal(1, ops.RemoveDependency("hq-l", "hq-p1", "related"));
        Assert.Equal([("hq-p1", "blocks"), ("hq-p2", "waits-for")], doc.Get("hq-l").Dependencies.Select(d => (d.DependsOnId, d.Type)));

        ops.AddDependency("hq-l", "hq-p1", DependencyTypes.Related);
        Assert.Equal(2, ops.RemoveDependency("hq-l", "hq-p1", null));

        Assert.Equal("hq-p2", Assert.Single(doc.Get("hq-l").Dependencies).DependsOnId);
    }

    [Fact]
    public void RemoveDependency_of_a_missing_edge_throws_not_found()
    {
        var ex = FailsWithoutChange(ops => ops.RemoveDependency("hq-l", "hq-p1", null));

        Assert.Equal(ExitCodes.NotFound, ex.ExitCode);
        Assert.Contains("hq-l has no dependency on hq-p1", ex.Message);
    }

    [Fact]
    public void RemoveDependency_of_another_type_than_the_edge_throws()
    {
        var doc = Sample();
        var ops = Ops(doc);
        ops.AddDependency("hq-l", "hq-p1");
        var before = Write(doc);

        var ex = Assert.Throws<OrcException>(() => ops.RemoveDependency("hq-l", "hq-p1", "related"));

        Assert.Contains("no related dependency", ex.Message);
        Assert.Equal(before, Write(doc));
    }

    [Fact]
    public void Import_adds_new_items_merges_known_ones_by_updated_at_and_counts_unchanged()
    {
        var doc = Doc(
            Item("hq-same"),
            Item("hq-older", title: "ours", updated: "2026-01-05T00:00:00Z"),
            Item("hq-newer", title: "ours", updated: "2026-01-01T00:00:00Z"));
        var incoming = Doc(
            Item("hq-same"),
            Item("hq-older", title: "theirs", updated: "2026-01-02T00:00:00Z"),
            Item("hq-newer", title: "theirs", updated: "2026-01-09T00:00:00Z"),
            Item("bd-new"));
        var ops = Ops(doc);

        var summary = ops.Import(incoming);

        Assert.Equal(new ImportSummary(Added: 1, Updated: 1, Unchanged: 2), summary);
        Assert.Equal("ours", doc.Get("hq-older").Title);
        Assert.Equal("theirs", doc.Get("hq-newer").Title);
        Assert.True(doc.Contains("bd-new"));
        Assert.Equal(["bd-new", "hq-newer"], ops.Changed.Order());
        Assert.True(doc.Get("hq-same").HasRawLine);
    }

    [Fact]
    public void Import_unions_labels_of_a_known_item()
    {
        var doc = Doc("""{"id":"hq-a","title":"t","labels":["a"],"updated_at":"2026-01-01T00:00:00Z"}""");
        var incoming = Doc("""{"id":"hq-a","title":"t","labels":["b"],"updated_at":"2026-01-01T00:00:00Z"}""");

        var summary = Ops(doc).Import(incoming);

        Assert.Equal(1, summary.Updated);
        Assert.Equal(["a", "b"], doc.Get("hq-a").Labels.Order());
    }

    [Fact]
    public void Importing_the_same_ledger_twice_adds_nothing_the_second_time()
    {
        var doc = Doc(Item("hq-a"));
        var incoming = Doc(Item("bd-1"), Item("bd-2", deps: Dep("bd-1")));
        var ops = Ops(doc);
        Assert.Equal(new ImportSummary(2, 0, 0), ops.Import(incoming));
        var afterFirst = Write(doc);

        var again = ops.Import(Doc(Item("bd-1"), Item("bd-2", deps: Dep("bd-1"))));

        Assert.Equal(new ImportSummary(0, 0, 2), again);
        Assert.Equal(afterFirst, Write(doc));
    }
}
