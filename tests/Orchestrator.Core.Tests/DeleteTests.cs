using System.Text.Json.Nodes;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

/// <summary>Deleting an item as a tombstone (<c>orc item delete</c>), and the merge that must never bring it back.</summary>
public class DeleteTests
{
    private static ItemOperations Ops(LedgerDocument doc) => new(doc, Now, "tester", "hq");

    private static LedgerDocument Sample() => Doc(
        Item("hq-a"),
        Item("hq-b", deps: Dep("hq-a")),
        Item("hq-c", deps: Dep("hq-a", DependencyTypes.Related)),
        Item("hq-d", status: Statuses.Closed, deps: Dep("hq-a")),
        Item("hq-e", deps: Dep("hq-a", DependencyTypes.ParentChild)),
        Item("hq-f"));

    [Fact]
    public void An_item_nothing_waits_for_becomes_a_tombstone_with_bds_fields()
    {
        var doc = Sample();
        var ops = Ops(doc);

        var (deleted, unblocked) = ops.Delete("hq-f", "a duplicate", force: false);

        Assert.True(deleted);
        Assert.Empty(unblocked);
        var f = doc.Get("hq-f");
        Assert.Equal(Statuses.Tombstone, f.Status);
        Assert.True(f.IsClosed);
        var line = JsonNode.Parse(Write([f]))!.AsObject();
        Assert.Equal("tester", (string?)line["deleted_by"]);
        Assert.Equal("a duplicate", (string?)line["delete_reason"]);
        Assert.Equal("task", (string?)line["original_type"]);
        Assert.Equal(Timestamps.Format(Now), (string?)line["deleted_at"]);
        Assert.Equal(["hq-f"], ops.Changed);
    }

    [Fact]
    public void An_item_open_items_wait_for_is_refused_naming_them_and_nothing_changes()
    {
        var doc = Sample();
        var before = Write(doc);
        var ops = Ops(doc);

        var ex = Assert.Throws<OrcException>(() => ops.Delete("hq-a", null, force: false));

        // hq-b blocks on it and hq-e is its child; hq-c is only related and hq-d is closed.
        Assert.Contains("hq-b", ex.Message);
        Assert.Contains("hq-e", ex.Message);
        Assert.DoesNotContain("hq-c", ex.Message);
        Assert.DoesNotContain("hq-d", ex.Message);
        Assert.Contains("--force", ex.Message);
        Assert.Equal(before, Write(doc));
        Assert.Empty(ops.Changed);
    }

    [Fact]
    public void Forced_it_names_what_no_longer_waits_and_those_become_ready()
    {
        var doc = Sample();
        Assert.DoesNotContain("hq-b", Ids(new DependencyGraph(doc).Ready(Now)));

        var (deleted, unblocked) = Ops(doc).Delete("hq-a", "gone", force: true);

        Assert.True(deleted);
        Assert.Equal(["hq-b", "hq-e"], Ids(unblocked));
        Assert.Contains("hq-b", Ids(new DependencyGraph(doc).Ready(Now)));
    }

    [Fact]
    public void A_second_delete_changes_nothing_and_a_tombstone_cannot_be_updated_closed_or_reopened()
    {
        var doc = Sample();
        Ops(doc).Delete("hq-f", null, force: false);
        var before = Write(doc);
        var ops = Ops(doc);

        Assert.False(ops.Delete("hq-f", null, force: false).Deleted);
        Assert.Throws<OrcException>(() => ops.Update("hq-f", new UpdateItemRequest { Status = "open" }));
        Assert.Throws<OrcException>(() => ops.Close("hq-f", null));
        Assert.Throws<OrcException>(() => ops.Reopen("hq-f"));
        Assert.Equal(before, Write(doc));
    }

    [Fact]
    public void A_reason_with_quotes_and_escapes_is_kept_as_data_in_valid_json()
    {
        var doc = Sample();
        const string reason = "said \"no\" \\ then\ttab";
        Ops(doc).Delete("hq-f", reason, force: false);

        var reread = Parse(Write(doc));
        var line = JsonNode.Parse(Write([reread.Get("hq-f")]))!.AsObject();
        Assert.Equal(reason, (string?)line["delete_reason"]);
        Assert.Empty(reread.Errors);
    }

    /// <summary>What the other side did while one side deleted the item (later, earlier, or at the same instant).</summary>
    public static TheoryData<string, string> OtherSideEdits => new()
    {
        { """{"status":"in_progress","updated_at":"2026-05-01T00:00:00Z"}""", "a later claim" },
        { """{"status":"closed","closed_at":"2026-05-01T00:00:00Z","updated_at":"2026-05-01T00:00:00Z"}""", "a later close" },
        { """{"status":"open","updated_at":"2026-05-01T00:00:00Z","title":"renamed"}""", "a later rename that reopens" },
        { """{"status":"hooked","updated_at":"2026-01-15T00:00:00Z"}""", "an earlier hook" },
        { """{"status":"blocked","updated_at":"2026-02-01T00:00:00Z"}""", "the same instant" },
    };

    [Theory]
    [MemberData(nameof(OtherSideEdits))]
    public void A_merge_keeps_the_deletion_whichever_side_and_whatever_the_other_did(string otherFields, string what)
    {
        var baseLine = Item("hq-x", updated: "2026-01-01T00:00:00Z");
        var baseDoc = Doc(baseLine);
        var deletedDoc = Doc(baseLine);
        new ItemOperations(deletedDoc, new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), "tester", "hq").Delete("hq-x", "dup", force: false);
        var edited = JsonNode.Parse(baseLine)!.AsObject();
        foreach (var (k, v) in JsonNode.Parse(otherFields)!.AsObject()) edited[k] = v?.DeepClone();
        var editedDoc = Doc(edited.ToJsonString());

        foreach (var (ours, theirs) in new[] { (deletedDoc, editedDoc), (editedDoc, deletedDoc) })
        {
            var merged = Assert.Single(LedgerMerge.Merge(baseDoc, ours, theirs).Items);
            Assert.True(merged.Status == Statuses.Tombstone, $"{what}: the merge brought the item back as {merged.Status}");
            Assert.Contains(merged.Extra, e => e.Key == "deleted_at");
        }
    }
}

/// <summary>Epics that close themselves when their last child closes, and <c>orc item close-eligible</c>.</summary>
public class EpicCloseTests
{
    private static string Epic(string id, string? parent = null, string status = Statuses.Open, string? label = null)
    {
        var o = JsonNode.Parse(parent is null ? Item(id, status: status) : Item(id, status: status, deps: Dep(parent, DependencyTypes.ParentChild)))!.AsObject();
        o["issue_type"] = "epic";
        if (label is not null) o["labels"] = new JsonArray(label);
        return o.ToJsonString();
    }

    private static string Child(string id, string parent, string status = Statuses.Open) => Item(id, status: status, deps: Dep(parent, DependencyTypes.ParentChild));

    [Fact]
    public void Closing_the_last_open_child_closes_the_epic_and_its_finished_parents_innermost_first()
    {
        var doc = Doc(Epic("hq-top"), Epic("hq-mid", "hq-top"), Child("hq-mid.1", "hq-mid"), Child("hq-mid.2", "hq-mid"), Child("hq-top.9", "hq-top", Statuses.Closed));
        var ops = new ItemOperations(doc, Now, "tester", "hq");

        ops.Close("hq-mid.1", null);
        Assert.Empty(ops.EpicsClosed);
        Assert.Equal(Statuses.Open, doc.Get("hq-mid").Status);

        ops.Close("hq-mid.2", "done");
        Assert.Equal(["hq-mid", "hq-top"], Ids(ops.EpicsClosed));
        Assert.Equal(ItemOperations.AllChildrenClosed, doc.Get("hq-top").CloseReason);
        Assert.Contains("hq-top", ops.Changed);
    }

    [Theory]
    [InlineData(Statuses.InProgress, "an epic someone works on")]
    [InlineData(Statuses.Hooked, "an epic an agent holds")]
    [InlineData(Statuses.Closed, "an epic already closed")]
    public void An_epic_that_is_not_simply_open_is_left_as_it_is(string status, string what)
    {
        var doc = Doc(Epic("hq-e", status: status), Child("hq-e.1", "hq-e"));
        var before = doc.Get("hq-e").CloseReason;
        var ops = new ItemOperations(doc, Now, "tester", "hq");
        ops.Close("hq-e.1", null);
        Assert.True(ops.EpicsClosed.Count == 0, what);
        Assert.Equal(status, doc.Get("hq-e").Status);
        Assert.Equal(before, doc.Get("hq-e").CloseReason);
    }

    [Fact]
    public void A_molecules_epic_is_the_molecules_to_close_and_a_task_parent_never_closes_itself()
    {
        var task = JsonNode.Parse(Item("hq-t"))!.ToJsonString();
        var doc = Doc(Epic("hq-m", label: "molecule"), Child("hq-m.1", "hq-m"), task, Child("hq-t.1", "hq-t"));
        var ops = new ItemOperations(doc, Now, "tester", "hq");
        ops.Close("hq-m.1", null);
        ops.Close("hq-t.1", null);
        Assert.Empty(ops.EpicsClosed);
        Assert.Empty(ops.CloseEligible());
    }

    [Fact]
    public void Deleting_the_last_open_child_closes_the_epic_and_close_eligible_finds_older_ones()
    {
        var doc = Doc(Epic("hq-a"), Child("hq-a.1", "hq-a", Statuses.Closed), Child("hq-a.2", "hq-a"),
            Epic("hq-old"), Child("hq-old.1", "hq-old", Statuses.Closed), Epic("hq-empty"));
        var ops = new ItemOperations(doc, Now, "tester", "hq");

        Assert.Equal(["hq-old"], Ids(ops.CloseEligible())); // an epic with no children is not finished
        ops.Delete("hq-a.2", null, force: false);
        Assert.Equal(["hq-a"], Ids(ops.EpicsClosed));

        var closed = new ItemOperations(doc, Now, "tester", "hq").CloseEligibleEpics();
        Assert.Equal(["hq-old"], Ids(closed));
        Assert.Equal(Statuses.Closed, doc.Get("hq-old").Status);
        Assert.Equal(Statuses.Open, doc.Get("hq-empty").Status);
    }
}
