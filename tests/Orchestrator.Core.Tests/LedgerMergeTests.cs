using System.Text.Json.Nodes;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

public class LedgerMergeTests
{
    private const string T0 = "2026-01-01T00:00:00Z";
    private const string T1 = "2026-01-02T00:00:00Z";
    private const string T2 = "2026-01-03T00:00:00Z";

    /// <summary>A full item line built from a JSON object literal (id hq-a unless given).</summary>
    private static string Line(string fieldsJson)
    {
        var o = JsonNode.Parse(fieldsJson)!.AsObject();
        var line = new JsonObject
        {
            ["id"] = "hq-a",
            ["title"] = "base title",
            ["status"] = "open",
            ["priority"] = 2,
            ["issue_type"] = "task",
            ["created_at"] = T0,
            ["updated_at"] = T0,
        };
        foreach (var (k, v) in o) line[k] = v?.DeepClone();
        return line.ToJsonString();
    }

    private static WorkItem MergeOne(string? baseLine, string ours, string theirs)
    {
        var merged = LedgerMerge.Merge(baseLine is null ? null : Doc(baseLine), Doc(ours), Doc(theirs));
        return Assert.Single(merged.Items);
    }

    [Fact]
    public void A_field_changed_on_one_side_only_wins_even_if_that_side_is_older()
    {
        var b = Line("{}");
        var ours = Line($$"""{"title":"our title","updated_at":"{{T1}}"}""");
        var theirs = Line($$"""{"priority":0,"updated_at":"{{T2}}"}""");

        var item = MergeOne(b, ours, theirs);

        Assert.Equal("our title", item.Title);
        Assert.Equal(0, item.Priority);
        Assert.Equal(T2, item.UpdatedAt);
    }

    [Fact]
    public void A_field_changed_on_both_sides_takes_the_later_updated_at()
    {
        var b = Line("{}");
        var ours = Line($$"""{"title":"ours","updated_at":"{{T2}}"}""");
        var theirs = Line($$"""{"title":"theirs","updated_at":"{{T1}}"}""");

        Assert.Equal("ours", MergeOne(b, ours, theirs).Title);
        Assert.Equal("ours", MergeOne(b, theirs, ours).Title);
    }

    [Fact]
    public void Updated_at_is_compared_as_a_time_not_as_text()
    {
        var b = Line("{}");
        // 2026-01-02T23:00:00-05:00 is 2026-01-03T04:00Z: later than T2 though it sorts first as text.
        var ours = Line("""{"title":"ours","updated_at":"2026-01-02T23:00:00-05:00"}""");
        var theirs = Line($$"""{"title":"theirs","updated_at":"{{T2}}"}""");

        var item = MergeOne(b, ours, theirs);

        Assert.Equal("ours", item.Title);
        Assert.Equal("2026-01-02T23:00:00-05:00", item.UpdatedAt);
    }

    [Fact]
    public void A_field_cleared_on_one_side_stays_cleared()
    {
        var b = Line("""{"assignee":"ana"}""");
        var ours = Line($$"""{"updated_at":"{{T1}}"}""");
        var theirs = Line($$"""{"assignee":"ana","title":"theirs","updated_at":"{{T2}}"}""");

        var item = MergeOne(b, ours, theirs);

        Assert.Null(item.Assignee);
        Assert.Equal("theirs", item.Title);
    }

    [Fact]
    public void Labels_added_on_both_sides_are_unioned()
    {
        var b = Line("""{"labels":["a"]}""");
        var ours = Line($$"""{"labels":["a","b"],"updated_at":"{{T1}}"}""");
        var theirs = Line($$"""{"labels":["a","c"],"updated_at":"{{T2}}"}""");

        Assert.Equal(["a", "b", "c"], MergeOne(b, ours, theirs).Labels.Order());
    }

    [Fact]
    public void A_label_removed_on_one_side_since_the_base_stays_removed()
    {
        var b = Line("""{"labels":["a","b"]}""");
        var ours = Line($$"""{"labels":["a"],"updated_at":"{{T1}}"}""");
        var theirs = Line($$"""{"labels":["a","b","c"],"updated_at":"{{T2}}"}""");

        Assert.Equal(["a", "c"], MergeOne(b, ours, theirs).Labels.Order());
        Assert.Equal(["a", "c"], MergeOne(b, theirs, ours).Labels.Order());
    }

    [Fact]
    public void Removing_every_label_on_one_side_removes_them_from_the_result()
    {
        var b = Line("""{"labels":["a","b"]}""");
        var ours = Line($$"""{"updated_at":"{{T1}}"}""");
        var theirs = Line($$"""{"labels":["a","b"],"title":"theirs","updated_at":"{{T2}}"}""");

        var item = MergeOne(b, ours, theirs);

        Assert.Empty(item.Labels);
        Assert.Equal("theirs", item.Title);
    }

    [Fact]
    public void Files_are_set_merged_like_labels()
    {
        var b = Line("""{"files":["src/a","src/b"]}""");
        var ours = Line($$"""{"files":["src/a","src/b","src/c"],"updated_at":"{{T1}}"}""");
        var theirs = Line($$"""{"files":["src/b"],"updated_at":"{{T2}}"}""");

        Assert.Equal(["src/b", "src/c"], MergeOne(b, ours, theirs).Files.Order());
    }

    [Fact]
    public void Dependencies_are_unioned_and_one_removed_since_the_base_stays_removed()
    {
        var b = Line("""{"dependencies":[{"issue_id":"hq-a","depends_on_id":"hq-x","type":"blocks"}]}""");
        var ours = Line($$"""{"updated_at":"{{T1}}","dependencies":[{"issue_id":"hq-a","depends_on_id":"hq-x","type":"blocks"},{"issue_id":"hq-a","depends_on_id":"hq-y","type":"blocks"}]}""");
        var theirs = Line($$"""{"updated_at":"{{T2}}","dependencies":[{"issue_id":"hq-a","depends_on_id":"hq-z","type":"related"}]}""");

        var deps = MergeOne(b, ours, theirs).Dependencies.Select(d => (d.DependsOnId, d.Type)).Order();

        Assert.Equal([("hq-y", "blocks"), ("hq-z", "related")], deps);
    }

    [Fact]
    public void Dependencies_of_different_types_on_one_target_are_distinct()
    {
        var b = Line("{}");
        var ours = Line($$"""{"updated_at":"{{T1}}","dependencies":[{"issue_id":"hq-a","depends_on_id":"hq-x","type":"blocks"}]}""");
        var theirs = Line($$"""{"updated_at":"{{T2}}","dependencies":[{"issue_id":"hq-a","depends_on_id":"hq-x","type":"related"}]}""");

        Assert.Equal(2, MergeOne(b, ours, theirs).Dependencies.Count);
    }

    [Fact]
    public void Comments_from_both_sides_are_kept_and_colliding_ids_renumbered()
    {
        var c1 = $$"""{"id":1,"issue_id":"hq-a","author":"ana","text":"first","created_at":"{{T0}}"}""";
        var b = Line($$"""{"comments":[{{c1}}]}""");
        var ours = Line($$"""{"updated_at":"{{T1}}","comments":[{{c1}},{"id":2,"issue_id":"hq-a","author":"ana","text":"ours","created_at":"{{T1}}"}]}""");
        var theirs = Line($$"""{"updated_at":"{{T2}}","comments":[{{c1}},{"id":2,"issue_id":"hq-a","author":"bo","text":"theirs","created_at":"{{T2}}"}]}""");

        var comments = MergeOne(b, ours, theirs).Comments;

        Assert.Equal(["first", "ours", "theirs"], comments.Select(c => c.Text));
        Assert.Equal([1L, 2L, 3L], comments.Select(c => c.Id));
        Assert.Equal(comments.Count, comments.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public void Twenty_thousand_comments_on_both_sides_merge_each_once()
    {
        // An import merges under the workspace lock: the merge of long lists must stay linear.
        string Comment(string who, int id, string text, string at) =>
            $$"""{"id":{{id}},"issue_id":"hq-a","author":"{{who}}","text":"{{text}}","created_at":"{{at}}"}""";
        var shared = string.Join(',', Enumerable.Range(0, 20_000).Select(i => Comment("ana", i + 1, "c" + i, T0)));
        var b = Line("{\"comments\":[" + shared + "]}");
        var ours = Line($"{{\"updated_at\":\"{T1}\",\"comments\":[{shared},{Comment("ours", 20_001, "o", T1)}]}}");
        var theirs = Line($"{{\"updated_at\":\"{T2}\",\"comments\":[{shared},{Comment("theirs", 20_001, "t", T2)}]}}");

        var comments = MergeOne(b, ours, theirs).Comments;

        Assert.Equal(20_002, comments.Count);
        Assert.Equal(comments.Count, comments.Select(c => c.Id).Distinct().Count());
        Assert.Equal(["o", "t"], comments.TakeLast(2).Select(c => c.Text));
    }

    [Fact]
    public void An_item_added_on_one_side_is_kept()
    {
        var b = Doc(Item("hq-a"));
        var ours = Doc(Item("hq-a"), Item("hq-new"));
        var theirs = Doc(Item("hq-a"), Item("hq-other"));

        var merged = LedgerMerge.Merge(b, ours, theirs);

        Assert.Equal(["hq-a", "hq-new", "hq-other"], Ids(merged.Sorted()));
    }

    [Fact]
    public void An_item_deleted_on_one_side_and_untouched_on_the_other_stays_deleted()
    {
        var b = Doc(Item("hq-a"), Item("hq-b"));
        var ours = Doc(Item("hq-a"));
        var theirs = Doc(Item("hq-a"), Item("hq-b"));

        Assert.Equal(["hq-a"], Ids(LedgerMerge.Merge(b, ours, theirs).Items));
        Assert.Equal(["hq-a"], Ids(LedgerMerge.Merge(b, theirs, ours).Items));
    }

    [Fact]
    public void An_item_deleted_on_one_side_but_changed_on_the_other_is_kept_with_the_change()
    {
        var b = Doc(Item("hq-a"), Item("hq-b"));
        var ours = Doc(Item("hq-a"));
        var theirs = Doc(Item("hq-a"), Item("hq-b", title: "edited", updated: T1));

        var merged = LedgerMerge.Merge(b, ours, theirs);

        Assert.Equal("edited", merged.Get("hq-b").Title);
    }

    [Fact]
    public void An_item_unchanged_but_reformatted_on_one_side_and_deleted_on_the_other_stays_deleted()
    {
        var baseLine = Item("hq-b");
        var reordered = JsonNode.Parse(baseLine)!.AsObject();
        var same = new JsonObject();
        foreach (var (k, v) in reordered.Reverse()) same[k] = v?.DeepClone();
        var b = Doc(Item("hq-a"), baseLine);
        var ours = Doc(Item("hq-a"));
        var theirs = Doc(Item("hq-a"), same.ToJsonString());

        Assert.Equal(["hq-a"], Ids(LedgerMerge.Merge(b, ours, theirs).Items));
    }

    [Fact]
    public void Unknown_fields_are_merged_per_field()
    {
        var b = Line("""{"x_one":1,"x_two":{"a":1},"x_three":"keep"}""");
        var ours = Line($$"""{"x_one":2,"x_two":{"a":1},"x_three":"keep","updated_at":"{{T1}}"}""");
        var theirs = Line($$"""{"x_one":1,"x_two":{"a":[1,2]},"x_three":"keep","x_new":true,"updated_at":"{{T2}}"}""");

        var item = MergeOne(b, ours, theirs);
        var extra = item.Extra.ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal("2", extra["x_one"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":[1,2]}"""), JsonNode.Parse(extra["x_two"])));
        Assert.Equal("\"keep\"", extra["x_three"]);
        Assert.Equal("true", extra["x_new"]);
    }

    [Fact]
    public void Unknown_fields_changed_on_both_sides_take_the_later_side()
    {
        var b = Line("""{"x_one":1}""");
        var ours = Line($$"""{"x_one":2,"updated_at":"{{T2}}"}""");
        var theirs = Line($$"""{"x_one":3,"updated_at":"{{T1}}"}""");

        Assert.Equal("2", Assert.Single(MergeOne(b, ours, theirs).Extra).Value);
    }

    [Fact]
    public void The_merged_ledger_is_written_sorted_by_id()
    {
        var b = Doc(Item("hq-m"));
        var ours = Doc(Item("hq-z"), Item("hq-m", title: "ours", updated: T1), Item("hq-a.10"));
        var theirs = Doc(Item("hq-a.2"), Item("hq-m"), Item("gt-b"));

        var ids = Write(LedgerMerge.Merge(b, ours, theirs)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => (string?)JsonNode.Parse(l)!["id"]);

        Assert.Equal(["gt-b", "hq-a.2", "hq-a.10", "hq-m", "hq-z"], ids);
    }

    [Fact]
    public void Merging_identical_ledgers_gives_the_same_bytes()
    {
        var text = """{"id":"hq-a", "title":"odd spacing","x_unknown":[1, 2]}""" + "\n" + Item("hq-b", deps: Dep("hq-a")) + "\n";

        var merged = LedgerMerge.Merge(Parse(text), Parse(text), Parse(text));

        Assert.Equal(text, Write(merged));
    }

    [Fact]
    public void Unchanged_items_keep_their_bytes_when_other_items_merge()
    {
        var odd = """{"id":"hq-a",  "title":"odd"}""";
        var b = Doc(odd, Line("""{"id":"hq-b"}"""));
        var ours = Doc(odd, Line($$"""{"id":"hq-b","title":"ours","updated_at":"{{T1}}"}"""));
        var theirs = Doc(odd, Line($$"""{"id":"hq-b","priority":1,"updated_at":"{{T2}}"}"""));

        var lines = Write(LedgerMerge.Merge(b, ours, theirs)).Split('\n');

        Assert.Equal(odd, lines[0]);
        var merged = JsonNode.Parse(lines[1])!;
        Assert.Equal("ours", (string?)merged["title"]);
        Assert.Equal(1, (int?)merged["priority"]);
    }

    [Fact]
    public void Without_a_base_both_sides_items_and_labels_are_kept()
    {
        var ours = Doc(Line($$"""{"labels":["a"],"title":"ours","updated_at":"{{T1}}"}"""));
        var theirs = Doc(Line($$"""{"labels":["b"],"title":"theirs","updated_at":"{{T2}}"}"""), Item("hq-b"));

        var merged = LedgerMerge.Merge(null, ours, theirs);

        Assert.Equal(["hq-a", "hq-b"], Ids(merged.Sorted()));
        Assert.Equal(["a", "b"], merged.Get("hq-a").Labels.Order());
        Assert.Equal("theirs", merged.Get("hq-a").Title);
    }

    [Fact]
    public void Line_errors_of_both_sides_are_carried_into_the_result()
    {
        var merged = LedgerMerge.Merge(null, Doc(Item("hq-a"), "{bad ours"), Doc("{bad theirs", Item("hq-a")));

        Assert.Equal(["{bad ours", "{bad theirs"], merged.Errors.Select(e => e.RawText));
    }

    [Fact]
    public void A_merged_item_is_written_from_its_fields()
    {
        var b = Line("{}");
        var item = MergeOne(b, Line($$"""{"title":"x","updated_at":"{{T1}}"}"""), Line($$"""{"priority":4,"updated_at":"{{T2}}"}"""));

        Assert.False(item.HasRawLine);
        Assert.Equal(4, item.Priority);
        Assert.Equal("x", item.Title);
    }
}
