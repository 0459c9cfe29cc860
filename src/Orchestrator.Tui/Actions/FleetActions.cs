using Orchestrator.Core;
using Orchestrator.Core.Items;
using Orchestrator.Services.Convoys;
using Orchestrator.Services.Fleet;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Mail;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Tui.Actions;

/// <summary>
/// What the TUI's one-letter verbs do, through the same services as the CLI (so the same
/// validation, locks and commits). Each returns the sentence the status line shows, or throws
/// <see cref="OrcException"/> with the reason it could not.
/// </summary>
internal sealed class FleetActions(LedgerService ledger, SlingService sling, AgentService agents, MailService mail, ConvoyService convoys)
{
    public const string Me = FleetReader.Overseer;
    private static readonly TimeSpan MailWait = TimeSpan.FromSeconds(2);

    public string Sling(string item, string? rig)
    {
        var h = sling.Sling(new SlingService.Request(item, Blank(rig), null, null));
        return $"slung {h.Item} to {h.Agent} on {h.Rig} (branch {h.Branch})";
    }

    public string Nudge(string agent, string text) =>
        agents.Nudge(agent, text) ? $"nudged {agent}" : $"could not type into {agent}'s window (is it running?)";

    public string Kill(string agent)
    {
        var h = agents.Kill(agent);
        return $"stopped {h.Agent}; its hook is {h.State} (R resumes it)";
    }

    public string Resume(string agent)
    {
        var h = agents.Resume(agent);
        return $"resumed {h.Agent} in {h.Worktree}";
    }

    public string Create(IReadOnlyDictionary<string, string> f)
    {
        var title = f.GetValueOrDefault("title", "").Trim();
        if (title.Length == 0) throw new OrcException("new item: the title is empty", ExitCodes.Usage);
        var request = new CreateItemRequest
        {
            Title = title,
            Type = Blank(f.GetValueOrDefault("type")),
            Priority = Blank(f.GetValueOrDefault("priority")),
            Labels = List(f.GetValueOrDefault("labels")),
            Description = Blank(f.GetValueOrDefault("description")),
            ParentId = Blank(f.GetValueOrDefault("parent")),
            BlockedBy = List(f.GetValueOrDefault("depends")),
            Files = List(f.GetValueOrDefault("files")),
            Prefix = Blank(f.GetValueOrDefault("prefix")),
        };
        WorkItemRules.Check(request, DateTimeOffset.UtcNow); // before the lock, as the CLI does
        var created = ledger.Mutate("create", ops => ops.Create(request)).Value;
        return $"created {created.Id}: {created.Title}";
    }

    public string Edit(string id, IReadOnlyDictionary<string, string> f)
    {
        var before = ledger.Read().Get(id);
        var request = new UpdateItemRequest
        {
            Title = Changed(before.Title, f.GetValueOrDefault("title")),
            Priority = Changed("P" + before.Priority, f.GetValueOrDefault("priority")) is { } p ? p : null,
            Status = Changed(before.Status, f.GetValueOrDefault("status")),
            Assignee = Changed(before.Assignee ?? "", f.GetValueOrDefault("assignee")),
            Description = Changed(before.Description ?? "", f.GetValueOrDefault("description")),
        };
        var labels = f.TryGetValue("labels", out var l) ? List(l) : before.Labels;
        WorkItemRules.Check(request, DateTimeOffset.UtcNow);
        if (f.ContainsKey("labels")) WorkItemRules.LabelsToFind(labels);
        var add = labels.Except(before.Labels).ToList();
        var remove = before.Labels.Except(labels).ToList();
        if (request.IsEmpty && add.Count == 0 && remove.Count == 0) return $"{id}: nothing changed";
        ledger.Mutate("update", ops =>
        {
            if (!request.IsEmpty) ops.Update(id, request);
            if (add.Count > 0) ops.AddLabels(id, add);
            if (remove.Count > 0) ops.RemoveLabels(id, remove);
            return true;
        });
        var landed = request.Status == Statuses.Closed ? LandConvoys() : "";
        return $"updated {id}{landed}";
    }

    public string Comment(string id, string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new OrcException("comment: the text is empty", ExitCodes.Usage);
        ledger.Mutate("comment", ops => ops.AddComment(id, text));
        return $"commented on {id}";
    }

    public string Close(string id, string? reason)
    {
        var changed = ledger.Mutate("close", ops => ops.Close(id, Blank(reason))).Value;
        return (changed ? $"closed {id}" : $"{id} was already closed") + LandConvoys();
    }

    public string Reopen(string id)
    {
        var changed = ledger.Mutate("reopen", ops => ops.Reopen(id)).Value;
        return changed ? $"reopened {id}" : $"{id} is not closed";
    }

    private string LandConvoys()
    {
        var landed = convoys.CheckLanded();
        return landed.Count == 0 ? "" : $"; convoy {string.Join(", ", landed.Select(c => c.Name))} landed";
    }

    public Core.Mail.Message Read(string id) => mail.Read(Me, id);

    public string Reply(string id, string body)
    {
        var r = mail.Reply(Me, id, body, null, MailWait);
        return $"replied to {string.Join(", ", r.Messages.Select(m => m.To).Distinct())}";
    }

    public string Archive(string id)
    {
        mail.ArchiveMessage(Me, id);
        return $"archived {id}";
    }

    public string Send(string to, string subject, string body)
    {
        var r = mail.Send(Me, to.Trim(), subject.Trim(), Blank(body), MailWait);
        var outcomes = string.Join(", ", r.Deliveries.Select(d => $"{d.Box} {d.Outcome}"));
        return $"sent to {to.Trim()}" + (outcomes.Length > 0 ? $" ({outcomes})" : "");
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string? Changed(string before, string? after) => after is null || after.Trim() == before ? null : after.Trim();

    private static List<string> List(string? s) =>
        (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
