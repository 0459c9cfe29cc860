using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

public class LedgerCodecTests
{
    // A line as Beads writes it: field order, empty description and fields orc does not know.
    private const string BeadsLine =
        """{"id":"bd-a1b2","title":"Fix the parser","description":"","status":"open","priority":1,"issue_type":"bug","assignee":"ana","estimated_minutes":30,"created_at":"2026-01-02T03:04:05.123456789+02:00","updated_at":"2026-01-03T00:00:00Z","external_ref":null,"labels":["parser","p1"],"source_repo":".","compaction_level":0,"metadata":{"k":[1,2,{"deep":null}],"s":"x"}}""";

    private const string BeadsLineWithNested =
        """{"id":"bd-c3","title":"Child","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[{"issue_id":"bd-c3","depends_on_id":"bd-a1b2","type":"blocks","created_at":"2026-01-01T00:00:00Z","created_by":"ana","metadata":{"why":"order"},"weight":3}],"comments":[{"id":7,"issue_id":"bd-c3","author":"bo","text":"hi","created_at":"2026-01-01T00:00:00Z","reactions":["+1"],"edited":{"at":"2026-01-02T00:00:00Z"}}]}""";

    [Fact]
    public void A_Beads_line_with_unknown_fields_is_written_back_byte_for_byte()
    {
        var input = BeadsLine + "\n" + BeadsLineWithNested + "\n";

        var doc = Parse(input);

        Assert.Empty(doc.Errors);
        Assert.Equal(input, Write(doc));
    }

    [Fact]
    public void Unknown_fields_are_kept_raw_in_file_order()
    {
        var item = Assert.Single(Doc(BeadsLine).Items);

        Assert.Equal(
            ["estimated_minutes", "source_repo", "compaction_level", "metadata"],
            item.Extra.Select(e => e.Key));
        Assert.Equal("30", item.Extra[0].Value);
        Assert.Equal("""{"k":[1,2,{"deep":null}],"s":"x"}""", item.Extra[3].Value);
    }

    [Fact]
    public void A_line_of_fifty_thousand_unknown_fields_keeps_them_all_and_a_repeated_one_is_still_an_error()
    {
        // Read under the workspace lock on every change: the repeat check must stay linear.
        var fields = string.Concat(Enumerable.Range(0, 50_000).Select(i => $",\"x{i}\":{i}"));
        var line = "{\"id\":\"hq-a\",\"title\":\"t\"" + fields + "}";

        var item = Assert.Single(Doc(line).Items);
        Assert.Equal(50_000, item.Extra.Count);
        Assert.Equal(("x49999", "49999"), (item.Extra[^1].Key, item.Extra[^1].Value));

        foreach (var repeated in new[] { "x3", "x40000" })
        {
            var error = Assert.Single(Parse(line[..^1] + $",\"{repeated}\":0}}\n").Errors);
            Assert.Contains($"field '{repeated}' appears twice", error.Message);
        }
    }

    [Fact]
    public void Known_fields_of_a_Beads_line_are_read()
    {
        var item = Assert.Single(Doc(BeadsLine).Items);

        Assert.Equal("bd-a1b2", item.Id);
        Assert.Equal("Fix the parser", item.Title);
        Assert.Equal("", item.Description);
        Assert.Equal(1, item.Priority);
        Assert.Equal("bug", item.IssueType);
        Assert.Equal("ana", item.Assignee);
        Assert.Null(item.ExternalRef);
        Assert.Equal(["parser", "p1"], item.Labels);
        Assert.Equal("2026-01-02T03:04:05.123456789+02:00", item.CreatedAt);
    }

    [Fact]
    public void A_modified_item_is_rewritten_from_its_fields_and_keeps_its_unknown_fields()
    {
        var doc = Doc(BeadsLine);
        var item = Assert.Single(doc.Items);
        item.Title = "Fix the parser properly";
        item.Touch("2026-02-01T00:00:00.0000000Z");

        var written = Write(doc);

        Assert.NotEqual(BeadsLine + "\n", written);
        var node = JsonNode.Parse(written)!.AsObject();
        Assert.Equal("Fix the parser properly", (string?)node["title"]);
        Assert.Equal("2026-02-01T00:00:00.0000000Z", (string?)node["updated_at"]);
        Assert.Equal(30, (int?)node["estimated_minutes"]);
        Assert.Equal(".", (string?)node["source_repo"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"k":[1,2,{"deep":null}],"s":"x"}"""), node["metadata"]));
        Assert.Equal("2026-01-02T03:04:05.123456789+02:00", (string?)node["created_at"]);
    }

    [Fact]
    public void Unknown_fields_nested_in_dependencies_and_comments_are_kept()
    {
        var item = Assert.Single(Doc(BeadsLineWithNested).Items);
        var dep = Assert.Single(item.Dependencies);
        var comment = Assert.Single(item.Comments);

        Assert.Equal("bd-a1b2", dep.DependsOnId);
        Assert.Equal(DependencyTypes.Blocks, dep.Type);
        Assert.Equal([new("metadata", """{"why":"order"}"""), new("weight", "3")], dep.Extra);
        Assert.Equal(7, comment.Id);
        Assert.Equal("hi", comment.Text);
        Assert.Equal([new("reactions", """["+1"]"""), new("edited", """{"at":"2026-01-02T00:00:00Z"}""")], comment.Extra);

        item.MarkDirty();
        var node = JsonNode.Parse(LedgerCodec.ToJsonLine(item))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(BeadsLineWithNested), node));
    }

    [Fact]
    public void Unmodified_lines_keep_their_exact_bytes_next_to_a_rewritten_one()
    {
        var odd = """{ "id" : "hq-a",  "title":"spaced\u0041", "status":"open" }""";
        var other = Item("hq-b");
        var doc = Doc(odd, other);
        doc.Get("hq-b").Touch("2026-02-01T00:00:00Z");

        var lines = Write(doc).Split('\n');

        Assert.Equal(odd, lines[0]);
        Assert.NotEqual(other, lines[1]);
        Assert.Equal("2026-02-01T00:00:00Z", (string?)JsonNode.Parse(lines[1])!["updated_at"]);
        Assert.Equal("", lines[2]);
        Assert.Equal("spacedA", doc.Get("hq-a").Title);
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_a_line_error_with_its_line_number_and_the_rest_loads()
    {
        var bad = """{"id":"hq-b","title":"x","priority":"high"}""";
        var doc = Doc(Item("hq-a"), bad, Item("hq-c"));

        var error = Assert.Single(doc.Errors);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal(bad, error.RawText);
        Assert.Contains("priority", error.Message);
        Assert.Equal(["hq-a", "hq-c"], Ids(doc.Sorted()));
    }

    [Theory]
    [InlineData("""{"id":"hq-x","title":5}""", "title")]
    [InlineData("""{"id":"hq-x","priority":1.5}""", "priority")]
    [InlineData("""{"id":"hq-x","labels":"a,b"}""", "labels")]
    [InlineData("""{"id":"hq-x","labels":["a",1]}""", "labels")]
    [InlineData("""{"id":"hq-x","files":[true]}""", "files")]
    [InlineData("""{"id":"hq-x","dependencies":{"depends_on_id":"hq-y"}}""", "dependencies")]
    [InlineData("""{"id":"hq-x","dependencies":["hq-y"]}""", "dependencies")]
    [InlineData("""{"id":"hq-x","dependencies":[{"issue_id":"hq-x","type":"blocks"}]}""", "depends_on_id")]
    [InlineData("""{"id":"hq-x","dependencies":[{"depends_on_id":7}]}""", "dependencies.depends_on_id")]
    [InlineData("""{"id":"hq-x","comments":[{"id":"1","text":"t"}]}""", "comments.id")]
    [InlineData("""{"id":"hq-x","comments":[{"id":1,"text":false}]}""", "comments.text")]
    [InlineData("""{"id":5}""", "id")]
    [InlineData("""{"id":null}""", "id")]
    [InlineData("""{"title":"no id"}""", "id")]
    [InlineData("""{"id":""}""", "id")]
    [InlineData("""{"id":"hq-x","title":"a","title":"b"}""", "title")]
    [InlineData("""{"id":"hq-x","status":["open"]}""", "status")]
    public void A_malformed_item_line_is_an_error_naming_the_field(string line, string field)
    {
        var doc = Doc(Item("hq-a"), line);

        var error = Assert.Single(doc.Errors);
        Assert.Equal(2, error.LineNumber);
        Assert.Contains(field, error.Message);
        Assert.Equal("hq-a", Assert.Single(doc.Items).Id);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"just a string\"")]
    [InlineData("""{"id":"hq-x"} {"id":"hq-y"}""")]
    [InlineData("""{"id":"hq-x",}""")]
    [InlineData("""{"id":"hq-x"} // comment""")]
    [InlineData("not json at all")]
    public void A_line_that_is_not_one_JSON_object_is_an_error(string line)
    {
        var doc = Doc(line, Item("hq-a"));

        var error = Assert.Single(doc.Errors);
        Assert.Equal(1, error.LineNumber);
        Assert.Equal(line, error.RawText);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Single(doc.Items);
    }

    [Fact]
    public void Git_conflict_markers_are_line_errors_and_the_items_between_them_load()
    {
        var doc = Doc(
            Item("hq-a"),
            "<<<<<<< HEAD",
            Item("hq-b", title: "ours"),
            "=======",
            Item("hq-c", title: "theirs"),
            ">>>>>>> feature");

        Assert.Equal([2, 4, 6], doc.Errors.Select(e => e.LineNumber));
        Assert.Equal(["<<<<<<< HEAD", "=======", ">>>>>>> feature"], doc.Errors.Select(e => e.RawText));
        Assert.Equal(["hq-a", "hq-b", "hq-c"], Ids(doc.Sorted()));
    }

    [Fact]
    public void A_truncated_last_line_is_an_error_and_the_lines_before_it_load()
    {
        var full = Item("hq-b");
        var truncated = full[..(full.Length / 2)];

        var doc = Doc(Item("hq-a"), truncated);

        var error = Assert.Single(doc.Errors);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal(truncated, error.RawText);
        Assert.StartsWith("invalid JSON", error.Message);
        Assert.Equal("hq-a", Assert.Single(doc.Items).Id);
    }

    [Fact]
    public void Duplicate_ids_are_merged_into_one_item_and_reported()
    {
        var older = """{"id":"hq-a","title":"old title","status":"open","priority":2,"issue_type":"task","updated_at":"2026-01-01T00:00:00Z","labels":["x"]}""";
        var newer = """{"id":"hq-a","title":"new title","status":"open","priority":2,"issue_type":"task","updated_at":"2026-01-05T00:00:00Z","labels":["y"]}""";

        var doc = Doc(older, Item("hq-b"), newer);

        Assert.Equal(2, doc.Count);
        Assert.Equal(["hq-a"], doc.DuplicateIds);
        var merged = doc.Get("hq-a");
        Assert.Equal("new title", merged.Title);
        Assert.Equal("2026-01-05T00:00:00Z", merged.UpdatedAt);
        Assert.Equal(["x", "y"], merged.Labels.Order());
        Assert.False(merged.HasRawLine);
        Assert.Single(Write(doc).Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("\"hq-a\""));
    }

    [Fact]
    public void Blank_and_whitespace_lines_are_skipped_but_still_counted_for_line_numbers()
    {
        var doc = Parse("\n" + Item("hq-a") + "\n   \n\t\n\n{oops}\n\n");

        Assert.Equal("hq-a", Assert.Single(doc.Items).Id);
        var error = Assert.Single(doc.Errors);
        Assert.Equal(6, error.LineNumber);
        Assert.Equal(Item("hq-a") + "\n", Write(doc));
    }

    [Fact]
    public void An_empty_file_has_no_items_and_writes_nothing()
    {
        var doc = Parse("");

        Assert.Equal(0, doc.Count);
        Assert.Empty(doc.Errors);
        Assert.Empty(WriteBytes(doc.Items));
    }

    [Fact]
    public void CRLF_line_endings_are_read_without_the_carriage_return()
    {
        var a = Item("hq-a");
        var b = Item("hq-b");
        var doc = Parse(a + "\r\n\r\n{bad\r\n" + b + "\r\n");

        Assert.Equal(["hq-a", "hq-b"], Ids(doc.Sorted()));
        Assert.Equal(3, Assert.Single(doc.Errors).LineNumber);
        Assert.Equal("{bad", doc.Errors[0].RawText);
        Assert.Equal(a, Encoding.UTF8.GetString(doc.Get("hq-a").RawLine.Span));
        Assert.Equal(a + "\n" + b + "\n", Write(doc));
    }

    [Fact]
    public void A_last_line_without_a_newline_is_read()
    {
        var doc = Parse(Item("hq-a") + "\n" + Item("hq-b"));

        Assert.Equal(2, doc.Count);
        Assert.Empty(doc.Errors);
        Assert.EndsWith("\n", Write(doc));
    }

    [Fact]
    public void Items_are_written_sorted_by_id()
    {
        var doc = Doc(Item("hq-b"), Item("hq-a.10"), Item("gt-z"), Item("hq-a.2"), Item("hq-a"));

        var ids = Write(doc).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => (string?)JsonNode.Parse(l)!["id"]);

        Assert.Equal(["gt-z", "hq-a", "hq-a.2", "hq-a.10", "hq-b"], ids);
    }

    [Fact]
    public void Null_values_for_optional_fields_and_lists_are_accepted()
    {
        var doc = Doc("""{"id":"hq-a","title":null,"status":null,"priority":null,"issue_type":null,"assignee":null,"labels":null,"files":null,"dependencies":null,"comments":null}""");

        Assert.Empty(doc.Errors);
        var item = doc.Get("hq-a");
        Assert.Equal("", item.Title);
        Assert.Equal(Statuses.Open, item.Status);
        Assert.Equal(2, item.Priority);
        Assert.Equal(IssueTypes.Task, item.IssueType);
        Assert.Null(item.Assignee);
        Assert.Empty(item.Labels);
        Assert.Empty(item.Dependencies);
        Assert.Empty(item.Comments);
    }

    [Fact]
    public void A_new_item_is_written_compactly_without_empty_optional_fields()
    {
        var item = new WorkItem { Id = "hq-a", Title = "T", Description = "", Assignee = null };

        Assert.Equal("""{"id":"hq-a","title":"T","status":"open","priority":2,"issue_type":"task"}""", LedgerCodec.ToJsonLine(item));
    }

    [Fact]
    public void Quotes_backslashes_non_ASCII_and_control_characters_survive_a_write_and_read()
    {
        var title = "say \"hi\" \\ café 日本 🎉 \u001b[31m\ttab";
        var item = new WorkItem { Id = "hq-a", Title = title, Description = "line 1\nline 2", Labels = ["ü"] };

        var line = LedgerCodec.ToJsonLine(item);
        var back = LedgerCodec.ParseItem(line);

        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\u001b', line);
        Assert.Contains("café 日本", line); // BMP text is written unescaped
        Assert.Equal(title, back.Title);
        Assert.Equal("line 1\nline 2", back.Description);
        Assert.Equal(["ü"], back.Labels);
    }

    [Fact]
    public void ParseItem_rejects_invalid_JSON_with_a_format_exception()
    {
        var ex = Assert.Throws<LedgerFormatException>(() => LedgerCodec.ParseItem("{\"id\":"));
        Assert.StartsWith("invalid JSON", ex.Message);
        Assert.Throws<LedgerFormatException>(() => LedgerCodec.ParseItem("{}"));
    }

    [Fact]
    public void ToJsonLine_of_an_unmodified_item_is_its_raw_line()
    {
        var item = Assert.Single(Doc(BeadsLine).Items);

        Assert.True(item.HasRawLine);
        Assert.Equal(BeadsLine, LedgerCodec.ToJsonLine(item));
    }

    [Fact]
    public void Touch_and_MarkDirty_drop_the_raw_line()
    {
        var doc = Doc(Item("hq-a"), Item("hq-b"));
        var a = doc.Get("hq-a");
        var b = doc.Get("hq-b");

        a.Touch("2026-02-02T00:00:00Z");
        b.MarkDirty();

        Assert.False(a.HasRawLine);
        Assert.False(b.HasRawLine);
        Assert.Equal("2026-02-02T00:00:00Z", a.UpdatedAt);
        Assert.Equal("2026-01-01T00:00:00Z", b.UpdatedAt);
        // b was not changed: re-serialising it from fields gives the same JSON as before.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Item("hq-b")), JsonNode.Parse(LedgerCodec.ToJsonLine(b))));
    }

    [Fact]
    public void WriteLedger_mixes_raw_and_rewritten_items_as_separate_lines()
    {
        var doc = Doc(Item("hq-a"), Item("hq-b"), Item("hq-c"), Item("hq-d"));
        doc.Get("hq-a").MarkDirty();
        doc.Get("hq-c").MarkDirty();
        doc.Get("hq-d").MarkDirty();

        var lines = Write(doc).Split('\n');

        Assert.Equal(5, lines.Length);
        Assert.Equal("", lines[4]);
        foreach (var (line, id) in lines.Take(4).Zip(["hq-a", "hq-b", "hq-c", "hq-d"]))
        {
            Assert.StartsWith("{", line);
            Assert.Equal(id, (string?)JsonNode.Parse(line)!["id"]);
        }
    }
}
