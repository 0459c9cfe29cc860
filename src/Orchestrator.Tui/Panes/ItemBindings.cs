using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>The keys of panes that show work items (the list, the details).</summary>
internal static class ItemBindings
{
    private const string Needs = "select an item";

    public static readonly IReadOnlyList<PaneBinding> All =
    [
        PaneBinding.Always("n", "new", v =>
            v.Form("new item", [new FormField("title", "title"), new FormField("type", "type", "task"), new FormField("priority", "priority", "2"),
                new FormField("labels", "labels"), new FormField("depends", "depends on"), new FormField("files", "owns files"),
                new FormField("parent", "parent"), new FormField("description", "description")],
                f => v.Actions.Create(f))),
        PaneBinding.On<ItemSelection>("e", "edit", (v, s) =>
        {
            if (v.Snapshot?.Ledger.Find(s.Id) is not { } it) { v.Say($"{s.Id} is not in the ledger", error: true); return; }
            v.Form($"edit {it.Id}", [new FormField("title", "title", it.Title), new FormField("status", "status", it.Status),
                new FormField("priority", "priority", "P" + it.Priority), new FormField("assignee", "assignee", it.Assignee ?? ""),
                new FormField("labels", "labels", string.Join(", ", it.Labels)), new FormField("description", "description",
                    (it.Description ?? "").Replace("\n", " "))],
                f => v.Actions.Edit(it.Id, f));
        }, Needs),
        PaneBinding.On<ItemSelection>("c", "comment", (v, s) => v.Form($"comment on {s.Id}", [new FormField("text", "comment")], f => v.Actions.Comment(s.Id,
            f["text"])), Needs),
        PaneBinding.On<ItemSelection>("x", "close", (v, s) => v.Confirm($"Close {s.Id}?", () => v.Do("closing", () => v.Actions.Close(s.Id,
            "closed from the TUI"))), Needs),
        PaneBinding.On<ItemSelection>("s", "sling", (v, s) => v.Form($"sling {s.Id}", [new FormField("rig", "rig (empty: from the id)")],
            f => v.Actions.Sling(s.Id, f["rig"])), Needs),
        PaneBinding.On<ItemSelection>("o", "reopen", (v, s) => v.Do("reopening", () => v.Actions.Reopen(s.Id)), Needs) with { InStatusBar = false },
    ];
}
