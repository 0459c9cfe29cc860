using System.Text;
using Orchestrator.Adapters.Git;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>The verbs an agent uses from inside its window: prime, hook, done.</summary>
public sealed class WorkService(RuntimeContext runtime, LedgerService ledger, Mail.MailService mail)
{
    /// <summary>The calling agent's hook (from <c>ORC_AGENT</c>, or the name given).</summary>
    public Hook MyHook(string? agent)
    {
        var name = agent ?? runtime.Workspace.Environment("ORC_AGENT");
        if (string.IsNullOrWhiteSpace(name)) throw new OrcException("who are you? run this inside an agent's window (ORC_AGENT is set there) or pass --agent NAME", ExitCodes.Usage);
        return runtime.Hooks.Find(Names.Validate(name, "agent")) ?? throw new OrcException($"agent {TerminalText.Line(name)} has no hook", ExitCodes.NotFound);
    }

    /// <summary>Everything an agent needs to start: role, hooked item, how to submit, mail, learnings.</summary>
    public string Prime(string? agent)
    {
        var h = MyHook(agent);
        var sb = new StringBuilder();
        sb.AppendLine($"# You are {h.Agent}, a {h.Role} on rig {h.Rig}");
        sb.AppendLine();
        if (h.Item is { } id && ledger.Read().Find(id) is { } item)
        {
            sb.AppendLine($"## Your work item: {item.Id}  {TerminalText.Line(item.Title)}");
            sb.AppendLine($"priority P{item.Priority}, type {TerminalText.Line(item.IssueType)}, status {TerminalText.Line(item.Status)}");
            if (item.Files.Count > 0) sb.AppendLine($"files you own: {TerminalText.Line(string.Join(", ", item.Files))}");
            Section(sb, "Description", item.Description);
            Section(sb, "Design", item.Design);
            Section(sb, "Acceptance criteria", item.AcceptanceCriteria);
            Section(sb, "Notes", item.Notes);
            foreach (var c in item.Comments) sb.AppendLine($"- comment by {TerminalText.Line(c.Author)}: {TerminalText.Line(c.Text)}");
        }
        else sb.AppendLine("## No work item is hooked to you.");
        sb.AppendLine();
        sb.AppendLine("## How to work");
        sb.AppendLine($"- Your worktree: {h.Worktree} (branch {h.Branch}). Work only there.");
        sb.AppendLine($"- Commit your changes with the item id in the message, e.g. \"{h.Item}: what changed\".");
        sb.AppendLine("- Found more work? `orc item create \"TITLE\" --discovered-from " + h.Item + "`");
        sb.AppendLine("- When the work is committed, run `orc done` (add --note \"...\" for the reviewer). It refuses uncommitted work.");
        sb.AppendLine("- Stuck or need a decision? Say so plainly and wait, or mail the overseer: `orc mail send overseer \"SUBJECT\" --body \"...\"`.");
        sb.AppendLine();
        sb.AppendLine("## Mail");
        var unread = mail.Unread(h.Agent);
        if (unread.Count == 0) sb.AppendLine("No unread mail.");
        else
        {
            sb.AppendLine($"{unread.Count} unread message{(unread.Count == 1 ? "" : "s")} (read one with `orc mail read ID`, answer with `orc mail reply ID --body \"...\"`):");
            foreach (var m in unread.Take(10))
                sb.AppendLine($"- {m.Id} from {TerminalText.Line(m.From)} at {m.SentAt}: {TerminalText.Line(m.Subject)}");
            if (unread.Count > 10) sb.AppendLine($"- and {unread.Count - 10} more: `orc mail inbox`");
        }
        sb.AppendLine();
        sb.AppendLine("## Learnings");
        sb.AppendLine("None recorded for this rig yet.");
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        sb.AppendLine().AppendLine($"### {name}").AppendLine(TerminalText.Block(text).TrimEnd());
    }

    /// <summary>
    /// Submits the agent's branch to its rig's merge queue, after checking the work is committed
    /// and new. The hook completes (and the worktree may be cleaned up) only once the submission
    /// is recorded and committed.
    /// </summary>
    public Submission Done(string? agent, string? note)
    {
        var h = MyHook(agent);
        if (h.State == HookStates.Completed) throw new OrcException($"{h.Item} is already submitted (commit {h.SubmittedCommit?[..Math.Min(12, h.SubmittedCommit.Length)]})");
        if (!h.HoldsWork || h.Item is null) throw new OrcException($"agent {h.Agent} holds no work (its hook is {h.State})");
        if (!Directory.Exists(h.Worktree)) throw new OrcException($"the worktree {h.Worktree} is gone; nothing to submit");
        var dirty = RigRepository.Uncommitted(h.Worktree);
        if (dirty.Count > 0)
            throw new OrcException($"not submitted: uncommitted changes in {string.Join(", ", dirty.Take(8).Select(TerminalText.Line))}{(dirty.Count > 8 ? $" and {dirty.Count - 8} more" : "")}; commit them (or remove them) first");
        var commits = RigRepository.CommitsSince(h.Worktree, h.BaseCommit);
        if (commits.Count == 0) throw new OrcException($"not submitted: branch {h.Branch} has no commit since it was slung; commit your work first");
        var noteText = WorkItemRules.Text(note, "--note");
        var head = RigRepository.HeadOf(h.Worktree);
        var now = Timestamps.Format(runtime.Workspace.Now);
        return ledger.Transact("done", t =>
        {
            var item = t.Items.Ledger.Get(h.Item);
            var submission = new Submission
            {
                Item = h.Item, Rig = h.Rig, Agent = h.Agent, Branch = h.Branch, Commit = head, BaseCommit = h.BaseCommit,
                SubmittedAt = now, Priority = item.Priority, Note = noteText, Commits = commits.Select(c => c.Sha).ToList(),
            };
            var queue = runtime.Queue(h.Rig);
            t.Touched(queue.Write(h.Item, submission), h.Agent);
            t.Items.Update(h.Item, new UpdateItemRequest { Status = Statuses.InProgress });
            t.Items.AddComment(h.Item, $"submitted to the merge queue of {h.Rig}: branch {h.Branch} at {head[..12]} ({commits.Count} commit{(commits.Count == 1 ? "" : "s")}){(noteText is null ? "" : "\n" + noteText)}");
            var done = (runtime.Hooks.Find(h.Agent) ?? h).MoveTo(HookStates.Completed, now, "submitted", noteText) with { SubmittedCommit = head, Note = noteText };
            t.Touched(runtime.Hooks.Write(h.Agent, done), h.Agent);
            runtime.Record(h.Agent, Core.Events.EventKinds.Submitted, h.Item, $"{h.Agent} submitted {h.Item} to the merge queue of {h.Rig} ({commits.Count} commit{(commits.Count == 1 ? "" : "s")})");
            return submission;
        }).Value;
    }
}
