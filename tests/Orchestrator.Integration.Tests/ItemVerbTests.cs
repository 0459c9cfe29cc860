using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

public class ItemVerbTests
{
    [Fact]
    public void Every_change_is_one_commit_naming_the_item_and_the_actor()
    {
        using var ws = new TempWorkspace();
        var before = ws.CommitCount();
        var r = ws.OrcAs("polecat-nux", "item", "create", "Fix the login page", "--json");
        Assert.Equal(0, r.ExitCode);
        var id = JsonDocument.Parse(r.Out).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(before + 1, ws.CommitCount());
        var head = ws.Head();
        Assert.Contains(id, head.MessageShort);
        Assert.Contains("Fix the login page", head.MessageShort);
        Assert.Contains("actor: polecat-nux", head.Message);
        Assert.Equal("polecat-nux", head.AuthorName);
        Assert.True(ws.IsClean());
        Assert.Equal(0, ws.OrcAs("polecat-nux", "item", "close", id, "--reason", "done").ExitCode);
        Assert.Equal(before + 2, ws.CommitCount());
        Assert.StartsWith($"orc: close {id}", ws.Head().MessageShort);
    }

    [Fact]
    public void Create_list_show_update_close_reopen_round_trip()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("Write the parser", "-p", "1", "-t", "feature", "-l", "core,parser", "-a", "alice", "-d", "Line one\nLine two");
        var list = JsonDocument.Parse(ws.Orc("item", "list", "--json").Out).RootElement;
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        var item = list.EnumerateArray().Single(e => e.GetProperty("id").GetString() == a);
        Assert.Equal("feature", item.GetProperty("issue_type").GetString());
        Assert.Equal(1, item.GetProperty("priority").GetInt32());
        Assert.Equal(["core", "parser"], item.GetProperty("labels").EnumerateArray().Select(x => x.GetString()));

        var shown = ws.Orc("item", "show", a);
        Assert.Contains("Write the parser", shown.Out);
        Assert.Contains("Line two", shown.Out);
        Assert.Contains("ready: yes", shown.Out);

        Assert.Equal(0, ws.Orc("item", "update", a, "--status", "in_progress", "--title", "Write the JSONL parser").ExitCode);
        var updated = JsonDocument.Parse(ws.Orc("item", "show", a, "--json").Out).RootElement[0];
        Assert.Equal("in_progress", updated.GetProperty("status").GetString());
        Assert.Equal("Write the JSONL parser", updated.GetProperty("title").GetString());

        Assert.Equal(0, ws.Orc("item", "close", a, "-r", "merged").ExitCode);
        var closed = JsonDocument.Parse(ws.Orc("item", "show", a, "--json").Out).RootElement[0];
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Equal("merged", closed.GetProperty("close_reason").GetString());
        Assert.True(closed.TryGetProperty("closed_at", out _));
        Assert.DoesNotContain(a, ws.Orc("item", "list").Out);
        Assert.Contains(a, ws.Orc("item", "list", "--all").Out);
        Assert.Contains("already closed", ws.Orc("item", "close", a).Out);

        Assert.Equal(0, ws.Orc("item", "reopen", a).ExitCode);
        var reopened = JsonDocument.Parse(ws.Orc("item", "show", a, "--json").Out).RootElement[0];
        Assert.Equal("open", reopened.GetProperty("status").GetString());
        Assert.False(reopened.TryGetProperty("closed_at", out _));
    }

    [Fact]
    public void List_filters_by_status_type_assignee_label_priority_and_text()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("alpha bug", "-t", "bug", "-a", "ann", "-l", "ui", "-p", "0");
        var b = ws.Create("beta feature", "-t", "feature", "-l", "ui,api", "-p", "3");
        var c = ws.Create("gamma chore", "-t", "chore", "-d", "mentions Needle here");
        ws.Orc("item", "update", c, "--status", "blocked");
        string[] Ids(params string[] filter) =>
            JsonDocument.Parse(ws.Orc(["item", "list", "--json",
                .. filter]).Out).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();
        Assert.Equal([a], Ids("--type", "bug"));
        Assert.Equal([a], Ids("--assignee", "ann"));
        Assert.Equal(new[] { b, c }.Order(), Ids("--assignee", "none").Order());
        Assert.Equal(new[] { a, b }.Order(), Ids("--label", "ui").Order());
        Assert.Equal([b], Ids("--label", "ui", "--label", "api"));
        Assert.Equal([a], Ids("--priority", "P0"));
        Assert.Equal([c], Ids("--status", "blocked"));
        Assert.Equal([c], Ids("--text", "needle"));
        Assert.Single(Ids("--limit", "1"));
        // The same filter as the TUI's: names and labels in any case, text in assignee and labels too.
        Assert.Equal([a], Ids("--assignee", "ANN"));
        Assert.Equal(new[] { a, b }.Order(), Ids("--label", "UI").Order());
        Assert.Equal([b], Ids("--text", "API"));
        Assert.Equal([a], JsonDocument.Parse(ws.Orc("ready", "--json", "--assignee",
            "Ann").Out).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
    }

    [Fact]
    public void Comments_labels_and_the_dependency_tree()
    {
        using var ws = new TempWorkspace();
        var epic = ws.Create("Epic", "-t", "epic");
        var child = ws.Create("Child", "--parent", epic);
        Assert.Equal(epic + ".1", child);
        var dep = ws.Create("Foundation");
        Assert.Equal(0, ws.Orc("item", "dep", "add", child, dep).ExitCode);
        Assert.Equal(0, ws.OrcAs("crew-max", "item", "comment", child, "looks good").ExitCode);
        Assert.Equal(0, ws.Orc("item", "label", "add", child, "x", "y").ExitCode);
        Assert.Equal(0, ws.Orc("item", "label", "remove", child, "x").ExitCode);
        var item = JsonDocument.Parse(ws.Orc("item", "show", child, "--json").Out).RootElement[0];
        Assert.Equal(["y"], item.GetProperty("labels").EnumerateArray().Select(x => x.GetString()));
        var comment = item.GetProperty("comments")[0];
        Assert.Equal("crew-max", comment.GetProperty("author").GetString());
        Assert.Equal("looks good", comment.GetProperty("text").GetString());

        var tree = ws.Orc("item", "dep", "tree", child);
        Assert.Contains("parent-child: " + epic, tree.Out);
        Assert.Contains("blocks: " + dep, tree.Out);
        var reverse = ws.Orc("item", "dep", "tree", dep, "--reverse");
        Assert.Contains(child, reverse.Out);
        var json = JsonDocument.Parse(ws.Orc("item", "dep", "tree", child, "--json").Out).RootElement;
        Assert.Equal(2, json.GetProperty("children").GetArrayLength());

        Assert.Equal(0, ws.Orc("item", "dep", "remove", child, dep).ExitCode);
        Assert.DoesNotContain(dep, ws.Orc("item", "dep", "tree", child).Out);
    }

    [Fact]
    public void Ready_and_blocked_follow_dependencies_and_epics()
    {
        using var ws = new TempWorkspace();
        var gate = ws.Create("Gate", "-p", "3");
        var epic = ws.Create("Epic", "-t", "epic", "--deps", gate);
        var child = ws.Create("Child of a blocked epic", "--parent", epic, "-p", "0");
        var free = ws.Create("Free", "-p", "1");
        var later = ws.Create("Later", "--defer-until", "+3d");
        string[] Ready() => JsonDocument.Parse(ws.Orc("ready",
            "--json").Out).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();
        Assert.Equal([free, gate], Ready());
        var blocked = JsonDocument.Parse(ws.Orc("blocked", "--json").Out).RootElement.EnumerateArray().ToList();
        Assert.Equal(new[] { child, epic }.Order(), blocked.Select(e => e.GetProperty("id").GetString()).Order());
        var childEntry = blocked.Single(e => e.GetProperty("id").GetString() == child);
        Assert.Equal([gate], childEntry.GetProperty("blocked_by").EnumerateArray().Select(x => x.GetString()));
        Assert.Contains("via " + epic, ws.Orc("blocked").Out);

        ws.Orc("item", "close", gate);
        Assert.Equal([child, free, epic], Ready());
        Assert.DoesNotContain(later, Ready());
        var stats = JsonDocument.Parse(ws.Orc("stats", "--json").Out).RootElement;
        Assert.Equal(5, stats.GetProperty("total").GetInt32());
        Assert.Equal(3, stats.GetProperty("ready").GetInt32());
        Assert.Equal(1, stats.GetProperty("by_status").GetProperty("closed").GetInt32());
    }

    [Fact]
    public void A_dependency_cycle_is_refused_and_named()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("A");
        var b = ws.Create("B", "--deps", a);
        var c = ws.Create("C", "--deps", b);
        var before = ws.LedgerBytes();
        var r = ws.Orc("item", "dep", "add", a, c);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"dependency cycle: {a} → {c} → {b} → {a}", r.Err);
        Assert.Equal(before, ws.LedgerBytes());
    }

    [Fact]
    public void Text_can_come_from_standard_input()
    {
        using var ws = new TempWorkspace();
        var r = ws.OrcWithInput("from\nstdin\n", "item", "create", "piped", "-d", "-", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("from\nstdin\n", JsonDocument.Parse(r.Out).RootElement.GetProperty("description").GetString());
    }

    [Fact]
    public void An_unknown_id_is_not_found_with_a_suggestion()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("A");
        var r = ws.Orc("item", "show", a[..^1]);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("no work item", r.Err);
        Assert.Contains(a, r.Err);
    }
}
