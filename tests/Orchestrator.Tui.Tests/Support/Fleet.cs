using Orchestrator.Core.Agents;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Rigs;
using Orchestrator.Services.Fleet;

namespace Orchestrator.Tui.Tests.Support;

/// <summary>Fixed snapshots for view tests: the view is a function of the snapshot, so these make screens repeatable.</summary>
internal static class Fleet
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static WorkItem Item(string id, string title, string status = Statuses.Open, int priority = 2, string? assignee = null, string[]? labels = null,
        string[]? dependsOn = null, string? parent = null, string type = IssueTypes.Task)
    {
        var item = new WorkItem { Id = id, Title = title, Status = status, Priority = priority, Assignee = assignee, IssueType = type,
            CreatedAt = "2026-11-20T10:00:00Z" };
        if (labels is not null) item.Labels = [.. labels];
        foreach (var d in dependsOn ?? []) item.Dependencies.Add(new Dependency { IssueId = id, DependsOnId = d, Type = DependencyTypes.Blocks });
        if (parent is not null) item.Dependencies.Add(new Dependency { IssueId = id, DependsOnId = parent, Type = DependencyTypes.ParentChild });
        return item;
    }

    public static Hook Hook(string agent, string rig, string item, string state = HookStates.Active, string role = Roles.Polecat) => new()
    {
        Agent = agent, Rig = rig, Item = item, Role = role, Branch = $"polecat/{agent}/{item}", Worktree = $"/ws/rigs/{rig}/.worktrees/{agent}",
        BaseCommit = "0123456789abcdef", Profile = "sim", State = state, CreatedAt = "2026-11-23T11:50:00Z",
    };

    public static Rig Rig(string name, string prefix) => new() { Name = name, Source = "/src/" + name, DefaultBranch = "main", Prefix = prefix };

    /// <summary>A small fleet: two rigs, an epic with dependent items, four agents in different states, a queue, mail, a convoy, events.</summary>
    public static FleetSnapshot Sample()
    {
        var items = new List<WorkItem>
        {
            Item("shop-1", "Checkout v2", Statuses.Open, 1, type: IssueTypes.Epic),
            Item("shop-2", "Cart model", Statuses.Closed, 1, parent: "shop-1"),
            Item("shop-3", "Payment API", Statuses.Hooked, 1, "ace", ["api"], ["shop-2"], "shop-1"),
            Item("shop-4", "Checkout page", Statuses.Open, 2, labels: ["ui"], dependsOn: ["shop-3"], parent: "shop-1"),
            Item("shop-5", "Receipt e-mails", Statuses.Hooked, 2, "bee", ["mail"], parent: "shop-1"),
            Item("docs-1", "Write the user guide", Statuses.Hooked, 3, "cat"),
            Item("docs-2", "Fix typos in README", Statuses.Open, 3),
            Item("hq-1", "Decide the release date", Statuses.InProgress, 0, "overseer"),
        };
        var ledger = new LedgerDocument(items);
        var agents = new List<FleetAgent>
        {
            new(Hook("ace", "shop", "shop-3"), AgentStates.Working, "%1", Now.ToUnixTimeSeconds() - 2, null),
            new(Hook("bee", "shop", "shop-5"), AgentStates.Waiting, "%2", Now.ToUnixTimeSeconds() - 30, null),
            new(Hook("cat", "docs", "docs-1"), WatchStates.Stuck, "%3", Now.ToUnixTimeSeconds() - 900, null),
            new(Hook("dog", "docs", "docs-2", HookStates.Active), AgentStates.Dead, "%4", null, 70),
        };
        var services = new List<ServiceStatus>
        {
            new("deacon", Roles.Deacon, null, true, "pass 12", "%10"),
            new("boot", "boot", null, true, null, "%11"),
            new("refinery@shop", Roles.Refinery, "shop", true, null, "%12"),
            new("witness@shop", Roles.Witness, "shop", true, null, "%13"),
            new("refinery@docs", Roles.Refinery, "docs", false, null, null, "crash-looping",
                "NullReferenceException: Object reference not set to an instance of an object.", 3, "refinery-docs"),
            new("witness@docs", Roles.Witness, "docs", true, null, "%14"),
        };
        var queue = new List<Submission>
        {
            new() { Item = "shop-2", Rig = "shop", Agent = "eel", Branch = "polecat/eel/shop-2", Commit = "c0ffee00", BaseCommit = "0123",
                SubmittedAt = "2026-11-23T11:40:00Z", State = SubmissionStates.Merged, Landed = "feedbeef12345678", FinishedAt = "2026-11-23T11:45:00Z" },
            new() { Item = "docs-9", Rig = "docs", Agent = "fox", Branch = "polecat/fox/docs-9", Commit = "abad1dea", BaseCommit = "0123",
                SubmittedAt = "2026-11-23T11:41:00Z", State = SubmissionStates.Rejected, Reason = "conflict in README.md",
                FinishedAt = "2026-11-23T11:46:00Z" },
        };
        var inbox = new List<Message>
        {
            new() { Id = "m-aaaaaa", From = "refinery@shop", To = "overseer", Box = "overseer", Subject = "landed shop-2: Cart model",
                SentAt = "2026-11-23T11:45:00Z", Thread = "m-aaaaaa", ReadAt = "2026-11-23T11:50:00Z" },
            new() { Id = "m-bbbbbb", From = "witness@shop", To = "overseer", Box = "overseer", Subject = "bee is waiting for an answer",
                Body = "should I keep the old API?", SentAt = "2026-11-23T11:58:00Z", Thread = "m-bbbbbb" },
        };
        var convoy = new Convoy { Name = "checkout", Title = "Checkout v2", Items = ["shop-2", "shop-3", "shop-4", "shop-5"],
            CreatedAt = "2026-11-23T11:00:00Z" };
        var rigs = new List<Rig> { Rig("shop", "shop"), Rig("docs", "docs") };
        var progress = ConvoyRules.Progress(convoy, ledger, i => i.Id.StartsWith("shop", StringComparison.Ordinal) ? "shop" : "docs");
        var events = new List<OrcEvent>
        {
            new() { At = "2026-11-23T11:40:00Z", Source = "sling", Kind = EventKinds.Slung, Subject = "shop-3", Text = "slung shop-3 to ace" },
            new() { At = "2026-11-23T11:45:00Z", Source = "refinery@shop", Kind = EventKinds.Merged, Subject = "shop-2", Text = "merged shop-2 as feedbeef" },
            new() { At = "2026-11-23T11:46:00Z", Source = "refinery@docs", Kind = EventKinds.Rejected, Subject = "docs-9",
                Text = "returned docs-9: conflict in README.md", Tag = "conflict" },
            new() { At = "2026-11-23T11:58:00Z", Source = "witness@shop", Kind = EventKinds.Waiting, Subject = "bee", Text = "bee is waiting for an answer" },
        };
        return new FleetSnapshot("/home/me/fleet", Now, rigs, agents, services, ledger, queue, inbox, [new FleetConvoy(convoy, progress)], events, true, []);
    }

    public static readonly IReadOnlyDictionary<string, string> Screens = new Dictionary<string, string>
    {
        ["%1"] = "sim: working on shop-3 (step 1 of 3)\nsim: working on shop-3 (step 2 of 3)\n",
        ["%2"] = "sim: question: should I keep the old API? (answer and press Enter)\n",
        ["%3"] = "running the tests\n",
    };
}
