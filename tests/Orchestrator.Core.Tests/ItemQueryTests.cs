using Orchestrator.Core.Items;

namespace Orchestrator.Core.Tests;

public sealed class ItemQueryTests
{
    private static WorkItem Item(string id, string title, string status = Statuses.Open, string? assignee = null, params string[] labels) =>
        new() { Id = id, Title = title, Status = status, Assignee = assignee, Labels = [.. labels] };

    [Fact]
    public void An_empty_query_shows_everything_but_closed_items()
    {
        var q = ItemQuery.Parse("");
        Assert.True(q.Matches(Item("a-1", "x"), false, false, null));
        Assert.False(q.Matches(Item("a-2", "x", Statuses.Closed), false, false, null));
        Assert.True(ItemQuery.Parse("all").Matches(Item("a-2", "x", Statuses.Closed), false, false, null));
    }

    [Fact]
    public void Words_of_every_kind_must_all_hold()
    {
        var q = ItemQuery.Parse("status:open,blocked rig:app @bob #ui type:task p:1 login");
        var item = Item("app-7", "Fix the login form", Statuses.Blocked, "bob", "ui", "bug");
        item.Priority = 1;
        Assert.True(q.Matches(item, false, true, "app"));
        Assert.False(q.Matches(item, false, true, "web"));
        item.Assignee = "eve";
        Assert.False(q.Matches(item, false, true, "app"));
    }

    [Fact]
    public void Ready_and_blocked_use_what_the_graph_says()
    {
        var item = Item("a-1", "x");
        Assert.True(ItemQuery.Parse("ready").Matches(item, isReady: true, isBlocked: false, null));
        Assert.False(ItemQuery.Parse("ready").Matches(item, isReady: false, isBlocked: true, null));
        Assert.True(ItemQuery.Parse("blocked").Matches(item, isReady: false, isBlocked: true, null));
    }

    [Fact]
    public void Text_matches_id_title_assignee_and_labels_ignoring_case()
    {
        var item = Item("app-12", "Payment API", Statuses.Open, "Carol", "backend");
        foreach (var word in new[] { "APP-12", "payment", "carol", "BACK" })
            Assert.True(ItemQuery.Parse(word).Matches(item, false, false, null), word);
        Assert.False(ItemQuery.Parse("frontend").Matches(item, false, false, null));
    }

    [Fact]
    public void Hostile_text_in_a_query_is_only_text()
    {
        var q = ItemQuery.Parse("$(rm -rf ~) status: #");
        Assert.Equal(["$(rm", "-rf", "~)", "status:", "#"], q.Words);
        Assert.False(q.Matches(Item("a-1", "x"), false, false, null));
    }

    [Fact]
    public void Text_also_matches_description_and_notes_of_full_items_but_not_of_summaries()
    {
        var item = Item("app-3", "Cache", Statuses.Open);
        item.Description = "Evict on SIGHUP";
        item.Notes = "see the Redis docs";
        Assert.True(ItemQuery.Parse("sighup").Matches(item, false, false, null));
        Assert.True(ItemQuery.Parse("redis").Matches(item, false, false, null));
        var summary = Orchestrator.Core.Ledger.LedgerDocument.ParseSummary(
            System.Text.Encoding.UTF8.GetBytes("{\"id\":\"app-3\",\"title\":\"Cache\",\"status\":\"open\",\"description\":\"Evict on SIGHUP\"}\n")).Items.Single();
        Assert.False(ItemQuery.Parse("sighup").Matches(summary, false, false, null));
        Assert.True(ItemQuery.Parse("cache").Matches(summary, false, false, null));
    }

    [Fact]
    public void Assignee_none_means_unassigned_and_names_ignore_case()
    {
        Assert.True(ItemQuery.Parse("@none").Matches(Item("a-1", "x"), false, false, null));
        Assert.False(ItemQuery.Parse("@none").Matches(Item("a-1", "x", Statuses.Open, "bob"), false, false, null));
        Assert.True(new ItemQuery { Assignee = "BOB", Labels = ["UI"] }.Matches(Item("a-1", "x", Statuses.Open, "bob", "ui"), false, false, null));
    }

    [Fact]
    public void Closed_and_tombstoned_items_show_only_when_asked_for()
    {
        var tomb = Item("a-9", "gone", Statuses.Tombstone);
        Assert.False(new ItemQuery().Matches(tomb, false, false, null));
        Assert.False(new ItemQuery { All = true }.Matches(tomb, false, false, null)); // deleted: only by its status
        Assert.True(new ItemQuery { All = true }.Matches(Item("a-8", "done", Statuses.Closed), false, false, null));
        Assert.True(new ItemQuery { Statuses = [Statuses.Tombstone] }.Matches(tomb, false, false, null));
    }
}
