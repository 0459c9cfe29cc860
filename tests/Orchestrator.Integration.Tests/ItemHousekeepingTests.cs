using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>The ledger's housekeeping verbs: several ids at once, delete as a tombstone, search, labels with counts.</summary>
public class ItemHousekeepingTests
{
    private static JsonElement Json(CliResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonDocument.Parse(r.Out).RootElement;
    }

    [Fact]
    public void Update_of_several_ids_is_one_commit_and_an_unknown_id_among_them_changes_nothing()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("First");
        var b = ws.Create("Second");
        var c = ws.Create("Third");
        var before = ws.CommitCount();

        var updated = Json(ws.Orc("item", "update", a, b, c, "--priority", "0", "--assignee", "alice", "--json"));

        Assert.Equal(JsonValueKind.Array, updated.ValueKind);
        Assert.Equal([a, b, c], updated.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.All(updated.EnumerateArray(), e => Assert.Equal(0, e.GetProperty("priority").GetInt32()));
        Assert.Equal(before + 1, ws.CommitCount());
        Assert.Contains(a, ws.Head().Message);
        Assert.Contains(c, ws.Head().Message);

        var ledger = ws.LedgerBytes();
        var r = ws.Orc("item", "update", a, "hq-nope", c, "--priority", "4");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("hq-nope", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Equal(ledger, ws.LedgerBytes());
        Assert.Equal(before + 1, ws.CommitCount());

        // One id still prints the item itself, as before.
        Assert.Equal(JsonValueKind.Object, Json(ws.Orc("item", "update", a, "--priority", "1", "--json")).ValueKind);
    }

    [Fact]
    public void Parallel_updates_of_overlapping_ids_all_land_and_none_is_lost()
    {
        using var ws = new TempWorkspace();
        var ids = Enumerable.Range(0, 6).Select(n => ws.Create($"Item {n}")).ToList();
        var before = ws.CommitCount();

        // Eight callers at once, each labelling a pair of neighbours (every item is in two calls).
        var results = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
            .Select(n => ws.Orc("item", "update", ids[n % 6], ids[(n + 1) % 6], "--notes", $"writer {n}")).ToList();

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(before + 8, ws.CommitCount());
        var items = Json(ws.Orc(["item", "show", .. ids, "--json"])).EnumerateArray().ToList();
        Assert.All(items, i => Assert.StartsWith("writer ", i.GetProperty("notes").GetString()));
        Assert.True(ws.IsClean(), ws.Dirty());
    }

    [Fact]
    public void Delete_refuses_an_item_others_wait_for_then_force_names_them_and_the_tombstone_stays_findable()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("Foundation");
        var b = ws.Create("Built on it", "--deps", a);
        var epic = ws.Create("Epic", "-t", "epic");
        var child = ws.Create("Child", "--parent", epic);
        var ledger = ws.LedgerBytes();

        var refused = ws.Orc("item", "delete", a);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains(b, refused.Err);
        Assert.Contains("--force", refused.Err);
        Assert.Equal(ledger, ws.LedgerBytes());
        Assert.NotEqual(0, ws.Orc("item", "delete", epic).ExitCode);
        Assert.DoesNotContain(b, ws.Orc("ready").Out);

        var forced = ws.Orc("item", "delete", a, "--force", "--reason", "folded into another");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains($"deleted {a}", forced.Out);
        Assert.Contains($"{b} no longer waits for it", forced.Out);
        Assert.Contains(b, ws.Orc("ready").Out);
        Assert.DoesNotContain(a, ws.Orc("ready").Out);
        Assert.DoesNotContain(a, ws.Orc("item", "list", "--all").Out);
        Assert.Contains(a, ws.Orc("item", "list", "--status", "tombstone").Out);

        var shown = Json(ws.Orc("item", "show", a, "--json"))[0];
        Assert.Equal("tombstone", shown.GetProperty("status").GetString());
        Assert.Equal("folded into another", shown.GetProperty("delete_reason").GetString());
        Assert.Equal("task", shown.GetProperty("original_type").GetString());
        Assert.Contains($"{a} was already deleted", ws.Orc("item", "delete", a).Out);
        Assert.NotEqual(0, ws.Orc("item", "reopen", a).ExitCode);
        Assert.NotEqual(0, ws.Orc("item", "update", a, "--status", "open").ExitCode);

        // The export keeps the tombstone, as bd writes deletions.
        var export = Path.Combine(ws.Root, "out.jsonl");
        Assert.Equal(0, ws.Orc("export", export).ExitCode);
        Assert.Contains(File.ReadAllLines(export), l => l.Contains(a) && l.Contains("\"tombstone\""));
        File.Delete(export);
        Assert.Equal(0, ws.Orc("item", "delete", child).ExitCode);
        Assert.Equal(0, ws.Orc("item", "delete", epic).ExitCode);
    }

    [Fact]
    public void Search_finds_words_in_every_text_field_and_comments_and_leaves_closed_items_out_unless_all()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("Parser", "-d", "handles UTF-8 input");
        var b = ws.Create("Renderer", "--notes", "see the Parser too");
        var c = ws.Create("Cache");
        Assert.Equal(0, ws.Orc("item", "comment", c, "profiling shows the parser is slow").ExitCode);
        var d = ws.Create("Old parser");
        Assert.Equal(0, ws.Orc("item", "close", d).ExitCode);

        var found = Json(ws.Orc("item", "search", "parser", "--json")).EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(new[] { a, b, c }.Order(), found.Order());
        Assert.Contains(d, Json(ws.Orc("item", "search", "PARSER", "--all", "--json")).EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal([a], Json(ws.Orc("item", "search", "parser", "utf-8", "--json")).EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Contains("no work items mention that", ws.Orc("item", "search", "nothing-like-this").Out);

        var hostile = ws.Orc("item", "search", "\u001b[31m$(rm -rf ~)");
        Assert.Equal(1, hostile.ExitCode);
        Assert.Single(hostile.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Label_list_counts_open_items_most_used_first_and_all_counts_closed_ones()
    {
        using var ws = new TempWorkspace();
        ws.Create("A", "-l", "ui,bug");
        ws.Create("B", "-l", "ui");
        var c = ws.Create("C", "-l", "backend,ui");
        Assert.Equal(0, ws.Orc("item", "close", c).ExitCode);

        var counts = Json(ws.Orc("item", "label", "list", "--json")).EnumerateArray()
            .Select(e => (e.GetProperty("label").GetString(), e.GetProperty("count").GetInt32())).ToList();
        Assert.Equal([("ui", 2), ("bug", 1)], counts);
        var all = Json(ws.Orc("item", "label", "list", "--all", "--json")).EnumerateArray()
            .Select(e => (e.GetProperty("label").GetString(), e.GetProperty("count").GetInt32())).ToList();
        Assert.Equal([("ui", 3), ("backend", 1), ("bug", 1)], all);
        var text = ws.Orc("item", "label", "list").Out;
        Assert.Contains("2  ui", text);
        using var empty = new TempWorkspace();
        Assert.Contains("no labels in use", empty.Orc("item", "label", "list").Out);
    }
}

/// <summary>Epics close themselves, through the verbs people and agents run.</summary>
public class EpicCloseVerbTests
{
    [Fact]
    public void Closing_an_epics_last_child_closes_the_epic_in_the_same_commit_and_close_eligible_does_the_older_ones()
    {
        using var ws = new TempWorkspace();
        var epic = ws.Create("Checkout", "-t", "epic");
        var a = ws.Create("Cart", "--parent", epic);
        var b = ws.Create("Pay", "--parent", epic);
        Assert.Equal(0, ws.Orc("item", "close", a).ExitCode);
        Assert.Contains(epic, ws.Orc("ready").Out);
        var before = ws.CommitCount();

        var r = ws.Orc("item", "close", b, "--reason", "done");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"closed {epic}: Checkout (all its children are closed)", r.Out);
        Assert.Equal(before + 1, ws.CommitCount());
        Assert.DoesNotContain(epic, ws.Orc("ready").Out);

        // An epic reopened after its children closed (or finished before epics closed themselves) is closed by close-eligible.
        var old = epic;
        Assert.Equal(0, ws.Orc("item", "reopen", old).ExitCode);
        Assert.Contains($"would close {old}", ws.Orc("item", "close-eligible", "--dry-run").Out);
        Assert.Contains(old, ws.Orc("ready").Out);
        var closed = JsonDocument.Parse(ws.Orc("item", "close-eligible", "--json").Out).RootElement;
        Assert.Equal([old], closed.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Contains("no open epic", ws.Orc("item", "close-eligible").Out);
    }
}

/// <summary>Duplicates and superseded items: closed with a link, as bd marks them.</summary>
public class DuplicateVerbTests
{
    [Fact]
    public void Duplicate_and_supersede_close_with_a_link_that_blocks_nothing_and_bad_links_change_nothing()
    {
        using var ws = new TempWorkspace();
        var canonical = ws.Create("Login fails on Safari");
        var dup = ws.Create("Safari login broken");
        var waiting = ws.Create("Release notes", "--deps", dup);
        var old = ws.Create("Old design");
        var replacement = ws.Create("New design");

        var r = ws.Orc("item", "duplicate", dup, "--of", canonical);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"closed {dup}: duplicate of {canonical}", r.Out);
        var shown = JsonDocument.Parse(ws.Orc("item", "show", dup, "--json").Out).RootElement[0];
        Assert.Equal("closed", shown.GetProperty("status").GetString());
        Assert.Contains(shown.GetProperty("dependencies").EnumerateArray(),
            d => d.GetProperty("type").GetString() == "duplicates" && d.GetProperty("depends_on_id").GetString() == canonical);
        Assert.Contains(waiting, ws.Orc("ready").Out);
        Assert.Contains(canonical, ws.Orc("ready").Out);

        var s = JsonDocument.Parse(ws.Orc("item", "supersede", old, "--by", replacement, "--json").Out).RootElement;
        Assert.Equal("superseded by " + replacement, s.GetProperty("close_reason").GetString());

        var ledger = ws.LedgerBytes();
        Assert.Equal(1, ws.Orc("item", "duplicate", canonical, "--of", canonical).ExitCode);
        Assert.Equal(3, ws.Orc("item", "duplicate", canonical, "--of", "hq-nope").ExitCode); // not found
        Assert.Equal(2, ws.Orc("item", "duplicate", canonical).ExitCode);
        Assert.Equal(0, ws.Orc("item", "delete", replacement).ExitCode);
        ledger = ws.LedgerBytes();
        var toDeleted = ws.Orc("item", "supersede", canonical, "--by", replacement);
        Assert.Equal(1, toDeleted.ExitCode);
        Assert.Contains("deleted", toDeleted.Err);
        Assert.Equal(ledger, ws.LedgerBytes());
    }
}
