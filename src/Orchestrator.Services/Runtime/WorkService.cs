using System.Text;
using Orchestrator.Adapters.Git;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Items;
using Orchestrator.Core.Knowledge;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>The verbs an agent uses from inside its window: prime, hook, done.</summary>
public sealed partial class WorkService(RuntimeContext runtime, LedgerService ledger, Mail.MailService mail, Formulas.FormulaService formulas)
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
        if (h.Role == Roles.Mayor) return PrimeMayor(h);
        if (h.Role == Roles.Reviewer) return PrimeReviewer(h);
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
        if (h.Role == Roles.Crew) CrewNotes(sb, h);
        sb.AppendLine();
        if (h.Item is null) PrimeIdleHandoff(sb, h);
        PrimeContinuity(sb, h);
        sb.AppendLine("## How to work");
        sb.AppendLine($"- Your worktree: {h.Worktree} (branch {h.Branch}). Work only there.");
        if (h.Item is not null)
        {
            sb.AppendLine($"- Commit your changes with the item id in the message, e.g. \"{h.Item}: what changed\".");
            sb.AppendLine("- Found more work? `orc item create \"TITLE\" --discovered-from " + h.Item + "`");
            sb.AppendLine("- When the work is committed, run `orc done` (add --note \"...\" for the reviewer). It refuses uncommitted work.");
            sb.AppendLine("- Nothing needs to change? `orc done --status no-changes --note \"why\"`. It has to wait? `orc done --status deferred --note \"why\"`.");
            sb.AppendLine("- Need a person's decision to go on? `orc done --status escalated --note \"the question\"`: the overseer is told and you wait.");
        }
        else sb.AppendLine("- Found work that needs doing? `orc item create \"TITLE\"`; wait for an item before you change code.");
        sb.AppendLine("- Stuck or need a decision? Say so plainly and wait, or mail the overseer: `orc mail send overseer \"SUBJECT\" --body \"...\"`.");
        sb.AppendLine("- Context getting full? `orc handoff --note \"where the work stands, what is next\"`: you are restarted fresh here and your next prime shows the note.");
        sb.AppendLine();
        PrimeMail(sb, h);
        PrimeLearnings(sb, h);
        return sb.ToString();
    }

    /// <summary>
    /// For a hook that has been worked on before: the note the last session handed over (in full),
    /// then the earlier sessions on this work, one line each (the last few; <c>orc history</c> has all).
    /// Nothing for a first session.
    /// </summary>
    private void PrimeContinuity(StringBuilder sb, Hook h)
    {
        var hooks = runtime.Hooks.All().Concat(runtime.HookArchive.All()).Where(x => x.Agent != h.Agent || x.CreatedAt != h.CreatedAt).Append(h);
        var sessions = h.Item is { } item ? HookSessions.ForItem(hooks, item) : HookSessions.Of(h);
        var earlier = sessions.Where(s => !(s.IsOpen && s.Agent == h.Agent)).ToList();
        if (earlier.Count == 0) return;
        var handoff = earlier.LastOrDefault(s => s.Ended == SessionEnds.Handoff && s.Agent == h.Agent);
        var note = handoff?.Notes.LastOrDefault(n => n.Kind == SessionEnds.Handoff);
        if (handoff is not null)
        {
            var previous = ReferenceEquals(handoff, earlier[^1]);
            sb.AppendLine($"## Handoff: {(previous ? "your previous session" : "an earlier session")} (session {handoff.Number}) handed this work over at {ShortTime(handoff.EndedAt)}");
            sb.AppendLine(note is null ? "It left no note: see what it committed (git log) and the history below." : "Its note:");
            if (note is not null) sb.AppendLine(TerminalText.Block(note.Text).TrimEnd());
            sb.AppendLine();
        }
        const int Shown = 8;
        sb.AppendLine(h.Item is null ? "## History of this hook" : $"## History of {h.Item}");
        if (earlier.Count > Shown) sb.AppendLine($"({earlier.Count - Shown} earlier session{(earlier.Count - Shown == 1 ? "" : "s")} not shown{(h.Item is null ? "" : $": `orc history {h.Item}`")})");
        foreach (var s in earlier.TakeLast(Shown))
        {
            sb.AppendLine($"- {s.Agent} session {s.Number}: {ShortTime(s.StartedAt)} to {ShortTime(s.EndedAt)}, {s.Ended}");
            foreach (var n in s.Notes.Where(n => !ReferenceEquals(n, note)))
                sb.AppendLine($"  {n.Kind}: {Clip(TerminalText.Line(n.Text), 200)}");
        }
        sb.AppendLine();
    }

    /// <summary>
    /// The learnings for this agent: the workspace's, its rig's and its role's, most relevant
    /// first, within the workspace's budget (<c>learnings: budget:</c>, characters); how many did
    /// not fit, and how to see them.
    /// </summary>
    private void PrimeLearnings(StringBuilder sb, Hook h)
    {
        sb.AppendLine("## Learnings");
        var doc = new Adapters.Storage.LearningFile(runtime.Workspace.Paths.LearningsFile).Load();
        var item = h.Item is { } id ? ledger.Read().Find(id) : null;
        // The mayor works for the whole workspace: the workspace's learnings and the mayor's, not one rig's.
        var rig = h.Role == Roles.Mayor ? null : h.Rig;
        var pick = LearningSelection.Select(doc.Learnings, LearningAudience.For(rig, h.Role, item), runtime.Workspace.Config.LearningsBudget);
        var scope = rig is null ? "" : $" --rig {rig}";
        if (pick.Relevant == 0) { sb.AppendLine($"None recorded {(rig is null ? "for the workspace" : $"for rig {rig}")} yet. Learnt something the next agent should know? `orc learn add \"TEXT\"{scope}`"); return; }
        foreach (var l in pick.Shown) sb.AppendLine(LearningSelection.Line(l));
        if (pick.LeftOut > 0)
            sb.AppendLine($"({pick.LeftOut} more relevant learning{(pick.LeftOut == 1 ? "" : "s")} left out to keep this short; see them: `orc learn list{(rig is null ? " --role mayor" : scope)}`)");
    }

    /// <summary>For an agent that holds no item (the mayor, a crew member between items): the note its previous session handed over.</summary>
    private static void PrimeIdleHandoff(StringBuilder sb, Hook h)
    {
        if (HookSessions.LastIdleHandoff(h) is not { } e) return;
        sb.AppendLine($"## Handoff: your previous session handed over at {ShortTime(e.At)}");
        sb.AppendLine(string.IsNullOrWhiteSpace(e.Note) ? "It left no note." : "Its note:");
        if (!string.IsNullOrWhiteSpace(e.Note)) sb.AppendLine(TerminalText.Block(e.Note).TrimEnd());
        sb.AppendLine();
    }

    private static string ShortTime(string? at) =>
        at is null ? "now" : Timestamps.TryParse(at, out var t) ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'",
            System.Globalization.CultureInfo.InvariantCulture) : TerminalText.Line(at);

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    /// <summary>What a crew member (a persistent worker) needs to know besides the item: its worktree stays, work comes one item at a time.</summary>
    private static void CrewNotes(StringBuilder sb, Hook h)
    {
        sb.AppendLine();
        sb.AppendLine("## You are crew");
        sb.AppendLine($"- You are a persistent worker of rig {h.Rig}: this worktree ({h.Worktree}) stays yours between items; the user may talk to you directly.");
        if (h.Item is null)
            sb.AppendLine($"- You hold no item now. Work for you arrives with its own prompt (the user runs `orc sling ITEM --crew {h.Agent}`); then run `orc prime` again.");
        else
            sb.AppendLine($"- Each item gets its own branch (now {h.Branch}, from the rig's main). After `orc done` and the landing, the next item reuses this worktree on a fresh branch.");
        sb.AppendLine("- Leave nothing uncommitted: new work is refused while the worktree has uncommitted changes.");
    }

    /// <summary>The part of the mayor's context that does not change: how to plan, launch and follow work, with the exact commands.</summary>
    private const string MayorPlaybook =
        """
        ## How to turn a request into work
        1. Understand the request. Ask the user when it is ambiguous. Read the rig's code to see which files each part touches.
        2. Split it into items one agent can finish alone: one concern each, a few files, a clear way to tell it is done.
           Create each in the rig it belongs to (its prefix picks the rig), with the files or folders (ending in /) it will change:
             orc item create "TITLE" --prefix PREFIX --description "what and why" --acceptance "how to tell it is done" --file PATH --file DIR/ --json
           The new id is the "id" of the JSON printed. An item that needs another's result first waits for it:
             orc item create "TITLE" --prefix PREFIX --deps ID1,ID2 --file PATH --json      (or later: orc item dep add ID DEPENDS_ON)
           Declare every file: the plan predicts conflicts from them, and items sharing a file run one after the other.
           Several parts of one feature: make an epic (`--type epic`) and its children (`--parent EPIC`).
        3. Bundle the items into a convoy, tracked and landed as one unit:
             orc convoy create NAME ID1 ID2 ID3 --title "what the user asked for"
        4. Check the plan before anything starts:
             orc plan NAME
           It shows the waves (what runs at once), each item's branch, files and dependencies, and the predicted conflicts.
           Fix what looks wrong (`orc item update ID --file PATH`, `orc item dep add ID DEPENDS_ON`, `orc convoy add|remove NAME ID`) and plan again.
        5. Launch it:
             orc convoy launch NAME --max 3
           It slings what the plan's first waves allow (never more than --max agents of the convoy at once) and returns at once;
           the deacon slings the next waves as slots free, until the convoy lands (`--wait` stays and follows it instead).
           Work lands only while the services run: `orc status` shows them, `orc up` starts them (the deacon among them).
           One item to a crew member instead of a polecat: orc sling ITEM --crew NAME
        6. Follow it: orc convoy show NAME, orc agents, orc peek AGENT, orc mq list, orc feed.
        7. When the convoy lands you get mail ("convoy NAME landed"): read `orc convoy report NAME` and tell the user what was done.

        ## When something needs you
        You get mail, as the user does, when a convoy lands, an agent is stuck, waits for an answer or loops, the witness gives up on one,
        work comes back with no worker, or two branches change the same files unplanned. Look (`orc peek AGENT`), answer (`orc nudge AGENT "..."`),
        sling the item again (`orc sling ITEM`), or ask the user: `orc mail send overseer "SUBJECT" --body "..."`.

        """;

    /// <summary>
    /// The mayor's context: it turns the user's request into work items with dependencies and
    /// owned files, bundles them into a convoy, checks the plan and launches it, with the exact
    /// commands; then its mail.
    /// </summary>
    private string PrimeMayor(Hook h)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# You are the mayor of this orc workspace");
        sb.AppendLine();
        PrimeIdleHandoff(sb, h);
        sb.AppendLine("The user talks to you. You do not change code yourself: you turn what the user asks for into work items,");
        sb.AppendLine("plan them, and launch agents (polecats) that do each item in a worktree of its own. The refinery of each rig");
        sb.AppendLine("merges the finished items into the rig's main, one commit per item. You use the same `orc` CLI as everyone;");
        sb.AppendLine($"you work in the workspace root ({h.Worktree}). Every command shows its options with `--help`.");
        sb.AppendLine();
        sb.AppendLine("## The rigs (repositories)");
        var rigs = runtime.Rigs.All();
        if (rigs.Count == 0) sb.AppendLine("No rigs yet: ask the user to add one (`orc rig add NAME PATH-OR-URL`).");
        var open = ledger.ReadSummary().Items.Where(i => !i.IsClosed).ToList();
        foreach (var r in rigs)
            sb.AppendLine($"- {r.Name}: item prefix `{r.Prefix}`, main branch {TerminalText.Line(r.DefaultBranch)}, code in rigs/{r.Name}/ (read it; never commit there), " +
                $"gate {(r.Gate.Length == 0 ? "none" : "`" + TerminalText.Line(r.Gate) + "`")}, {Plural(open.Count(i => i.Id.StartsWith(r.Prefix + "-", StringComparison.Ordinal)), "open item")}");
        var crew = runtime.Hooks.All().Where(x => x.Role == Roles.Crew && x.State != HookStates.Archived).ToList();
        if (crew.Count > 0) sb.AppendLine($"- crew (persistent workers): {string.Join(", ", crew.Select(c => $"{c.Agent} on {c.Rig}" + (c.Item is null ? "" : $" ({c.Item})")))}");
        sb.AppendLine();
        sb.Append(MayorPlaybook);
        sb.AppendLine();
        PrimeMail(sb, h);
        PrimeLearnings(sb, h);
        return sb.ToString();
    }

    /// <summary>The prime's mail section: the agent's unread messages (ten at most), safe to print.</summary>
    private void PrimeMail(StringBuilder sb, Hook h)
    {
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
    }

    private static string Plural(int n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";

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
    /// <summary>How an agent may end its work: submitted (the default), or with no branch to merge.</summary>
    public static readonly string[] DoneStatuses = ["submitted", "no-changes", "deferred", "escalated"];

    /// <summary>
    /// <c>orc done --status no-changes|deferred|escalated --note …</c>: ends the work without a
    /// submission. no-changes closes the item (nothing to change; refused when the branch has
    /// commits, which belong in the merge queue); deferred puts the item back as deferred, its
    /// branch kept; escalated blocks the item, suspends the hook until a person resumes it, and
    /// mails the overseer and the mayor. Uncommitted changes are refused, except for escalated
    /// (they stay in the worktree for the person).
    /// </summary>
    public string Finish(string? agent, string status, string? note)
    {
        var h = MyHook(agent);
        if (!DoneStatuses.Contains(status)) throw new OrcException($"--status: '{TerminalText.Line(status)}' is not one of {string.Join(", ", DoneStatuses)}",
            ExitCodes.Usage);
        if (!h.HoldsWork || h.Item is null) throw new OrcException($"agent {h.Agent} holds no work (its hook is {h.State})");
        var noteText = WorkItemRules.Text(note, "--note") ?? throw new OrcException($"--status {status} needs --note saying why", ExitCodes.Usage);
        var exists = Directory.Exists(h.Worktree);
        var dirty = exists ? RigRepository.Uncommitted(h.Worktree) : [];
        if (dirty.Count > 0 && status != "escalated")
            throw new OrcException($"not done: uncommitted changes in {string.Join(", ", dirty.Take(8).Select(TerminalText.Line))}; commit them (and submit with plain 'orc done') or remove them first");
        var commits = exists ? RigRepository.CommitsSince(h.Worktree, h.BaseCommit) : [];
        if (status == "no-changes" && commits.Count > 0)
            throw new OrcException($"not done: branch {h.Branch} has {Plural(commits.Count, "commit")}; submit them with plain 'orc done', or say why with --status deferred");
        var now = Timestamps.Format(runtime.Workspace.Now);
        var kept = commits.Count > 0 ? $" Its branch {h.Branch} keeps {Plural(commits.Count, "commit")}." : "";
        ledger.Transact("done " + status, t =>
        {
            var current = runtime.Hooks.Find(h.Agent) ?? h;
            switch (status)
            {
                case "no-changes":
                    t.Items.Close(h.Item, "no changes needed: " + noteText);
                    t.Touched(runtime.Hooks.Write(h.Agent, current.MoveTo(HookStates.Completed, now, "no changes needed", noteText) with { Note = noteText }),
                        h.Agent);
                    break;
                case "deferred":
                    t.Items.Update(h.Item, new UpdateItemRequest { Status = Statuses.Deferred, Assignee = "" });
                    t.Items.AddComment(h.Item, $"{h.Agent} deferred this: {noteText}.{kept}");
                    t.Touched(runtime.Hooks.Write(h.Agent, current.MoveTo(HookStates.Completed, now, "deferred", noteText) with { Note = noteText }), h.Agent);
                    break;
                default:
                    t.Items.Update(h.Item, new UpdateItemRequest { Status = Statuses.Blocked });
                    t.Items.AddComment(h.Item, $"{h.Agent} needs a person: {noteText}");
                    t.Touched(runtime.Hooks.Write(h.Agent, current.MoveTo(HookStates.Suspended, now, HookReasons.Escalated, noteText) with { Note = noteText }),
                        h.Agent);
                    break;
            }
            return 0;
        });
        runtime.Record(h.Agent, status == "escalated" ? Core.Events.EventKinds.Flagged : Core.Events.EventKinds.Submitted, h.Item,
            $"{h.Agent} ended {h.Item}: {status}: {TerminalText.Line(noteText)}");
        if (status == "escalated")
        {
            mail.Send(h.Agent, mail.Supervisors(), $"{h.Agent} needs a person on {h.Item}",
                $"{h.Agent} (rig {h.Rig}) stopped work on {h.Item} and asks for a person:\n\n{noteText}\n\nIts worktree {h.Worktree} is kept as it is.{kept}\n" +
                $"Look: orc peek {h.Agent}, orc attach {h.Agent}. When it can go on: orc item update {h.Item} --status hooked, then orc resume {h.Agent}.",
                    TimeSpan.Zero, item: h.Item);
            return $"escalated {h.Item}: the overseer{(mail.Supervisors().Contains("mayor") ? " and the mayor" : "")} were told; you are suspended until a person resumes you";
        }
        return status == "no-changes" ? $"closed {h.Item}: no changes needed" : $"deferred {h.Item}; it is back in the ledger as deferred{kept}";
    }

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
            var done = (runtime.Hooks.Find(h.Agent) ?? h).MoveTo(HookStates.Completed, now, "submitted", noteText) with { SubmittedCommit = head,
                Note = noteText };
            t.Touched(runtime.Hooks.Write(h.Agent, done), h.Agent);
            runtime.Record(h.Agent, Core.Events.EventKinds.Submitted, h.Item,
                $"{h.Agent} submitted {h.Item} to the merge queue of {h.Rig} ({commits.Count} commit{(commits.Count == 1 ? "" : "s")})");
            return submission;
        }).Value;
    }
}
