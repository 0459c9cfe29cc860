using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Mail;

/// <summary>What became of a message for one live recipient.</summary>
public static class DeliveryOutcomes
{
    /// <summary>The agent was idle at its prompt and was told to read its mail.</summary>
    public const string Nudged = "nudged";
    /// <summary>The agent was busy; the nudge waits until it is idle.</summary>
    public const string Queued = "queued";
    /// <summary>The agent is not running; it sees the mail in 'orc prime' when it starts.</summary>
    public const string NotRunning = "not running";
    /// <summary>A mailbox with no agent behind it (overseer, mayor, a service).</summary>
    public const string Stored = "stored";
}

public sealed record Delivery(string Box, string Outcome);

public sealed record SendResult(List<Message> Messages, List<Delivery> Deliveries);

/// <summary>
/// Mail between agents, services and the user. Each message is a file in its mailbox
/// (<c>mail/BOX/ID.json</c>), written and committed under the workspace write lock like the
/// ledger: acknowledged means on disk and in git. A live recipient idle at its prompt is told
/// to read its mail; a busy one is not interrupted (the nudge waits, or is queued for the witness).
/// </summary>
public sealed class MailService(RuntimeContext runtime, LedgerService ledger, AgentService agents, ILogger<MailService> logger)
{
    private readonly Random _random = new();

    private string MailDir => runtime.Workspace.Paths.MailDir;

    private RecordStore<Message> Inbox(string box) => new(Path.Combine(MailDir, box), OrcJsonContext.Default.Message);

    private RecordStore<Message> Archive(string box) => new(Path.Combine(MailDir, box, "archive"), OrcJsonContext.Default.Message);

    private RecordStore<PendingNudge> Pending => new(Path.Combine(runtime.Workspace.Paths.RunDir, "nudges"), OrcJsonContext.Default.PendingNudge);

    private string PendingLock => Path.Combine(runtime.Workspace.Paths.LocksDir, "nudges.lock");

    /// <summary>The mailbox this process acts as: <paramref name="asBox"/>, else its agent (ORC_AGENT), else the overseer.</summary>
    public string Me(string? asBox)
    {
        var box = asBox ?? (runtime.Workspace.Environment("ORC_AGENT") is { Length: > 0 } a ? a : MailRules.Overseer);
        if (!MailRules.IsBox(box)) throw new OrcException($"--as: '{TerminalText.Line(box)}' is not a mailbox ({MailRules.Usage.Replace(", all@RIG, polecats@RIG or crew@RIG", "")})", ExitCodes.Usage);
        return box;
    }

    /// <summary>
    /// Who is told about what needs a decision (a convoy landed, an agent stuck or given up on, work
    /// returned with no worker, an unplanned overlap): the overseer, and also the mayor while the
    /// workspace has one (see 'orc mayor start'). An address list for <see cref="Send"/>.
    /// </summary>
    public string Supervisors() =>
        runtime.Hooks.Find(MailRules.Mayor) is { Role: Roles.Mayor,
            State: not HookStates.Archived } ? $"{MailRules.Overseer},{MailRules.Mayor}" : MailRules.Overseer;

    /// <summary>The mailboxes an address list reaches, with the agent behind each (null for the overseer, mayor and services).</summary>
    public List<(string Box, Hook? Agent)> Resolve(string to)
    {
        var hooks = runtime.Hooks.All().Where(h => h.State != HookStates.Archived).ToList();
        var result = new List<(string, Hook?)>();
        void Add(string box, Hook? h) { if (!result.Any(r => r.Item1 == box)) result.Add((box, h)); }
        foreach (var a in MailRules.ParseList(to))
        {
            switch (a.Kind)
            {
                case AddressKind.Overseer:
                case AddressKind.Mayor:
                    Add(a.Name, hooks.FirstOrDefault(h => h.Agent == a.Name));
                    break;
                case AddressKind.Agent:
                    var h = hooks.FirstOrDefault(x => x.Agent == a.Name);
                    if (h is null)
                    {
                        var known = hooks.Select(x => x.Agent).Order(StringComparer.Ordinal).Take(10).ToList();
                        throw new OrcException($"mail: no agent '{a.Name}' (agents: {(known.Count == 0 ? "none" : string.Join(", ", known))}; or {MailRules.Usage})", ExitCodes.NotFound);
                    }
                    Add(h.Agent, h);
                    break;
                case AddressKind.Role:
                    runtime.Rigs.Get(a.Rig!);
                    Add(MailRules.BoxOf(a), null);
                    break;
                case AddressKind.Group:
                    var rig = runtime.Rigs.Get(a.Rig!);
                    var members = hooks.Where(x => x.Rig == rig.Name
                        && (a.Name == "all" || x.Role == (a.Name == "polecats" ? Roles.Polecat : Roles.Crew))).ToList();
                    if (members.Count == 0) throw new OrcException($"mail: {a} names nobody (rig {rig.Name} has no such agents now)", ExitCodes.NotFound);
                    foreach (var m in members) Add(m.Agent, m);
                    break;
            }
        }
        return result;
    }

    /// <summary>
    /// Sends a message: one copy per mailbox, all committed in one change. Then each live agent
    /// among the recipients is told, if idle; a busy one gets the nudge once it is idle (waiting
    /// up to <paramref name="wait"/>, then queued).
    /// </summary>
    /// <param name="notify">False when the caller tells the agent itself (the refinery's nudge carries the reason).</param>
    public SendResult Send(string from, string to, string subject, string? body, TimeSpan wait, string? replyTo = null, string? thread = null,
        string? item = null, bool notify = true)
    {
        if (!MailRules.IsBox(from)) throw new OrcException($"mail: '{TerminalText.Line(from)}' cannot send mail (not a mailbox)", ExitCodes.Usage);
        var subj = MailRules.Subject(subject);
        var text = MailRules.Body(body);
        var recipients = Resolve(to);
        var now = Timestamps.Format(runtime.Workspace.Now);
        var messages = ledger.Transact("mail", t =>
        {
            var list = new List<Message>();
            foreach (var (box, _) in recipients)
            {
                var id = NewId();
                var m = new Message
                {
                    Id = id, From = from, To = to.Trim(), Box = box, Subject = subj, Body = text, SentAt = now,
                    ReplyTo = replyTo, Thread = thread ?? (list.Count > 0 ? list[0].Thread : id), Item = item,
                };
                t.Touched(Inbox(box).Write(id, m), box);
                list.Add(m);
            }
            runtime.Record(from, EventKinds.Mail, string.Join(' ', list.Select(m => m.Box)),
                $"{from} → {TerminalText.Line(to.Trim())}: {TerminalText.Line(subj)}");
            return list;
        }).Value;
        var deliveries = new List<Delivery>();
        foreach (var (box, hook) in recipients)
            deliveries.Add(new Delivery(box, hook is null || !notify ? DeliveryOutcomes.Stored : Notify(hook, messages.First(m => m.Box == box).Id, wait)));
        return new SendResult(messages, deliveries);
    }

    /// <summary>A message id not used in any mailbox.</summary>
    private string NewId()
    {
        for (var i = 0; i < 100; i++)
        {
            var id = MailRules.NewId(_random);
            if (!Directory.Exists(MailDir) || !Directory.EnumerateFiles(MailDir, id + ".json", SearchOption.AllDirectories).Any()) return id;
        }
        throw new OrcException("mail: could not find an unused message id");
    }

    /// <summary>Messages in a mailbox, newest first: unread and read, or the archived ones.</summary>
    public List<Message> List(string box, bool archived = false, bool unreadOnly = false) =>
        (archived ? Archive(box) : Inbox(box)).All()
            .Where(m => !unreadOnly || !m.IsRead)
            .OrderByDescending(m => m.SentAt, StringComparer.Ordinal).ThenByDescending(m => m.Id, StringComparer.Ordinal)
            .ToList();

    /// <summary>Unread messages of a mailbox, oldest first (for <c>orc prime</c>).</summary>
    public List<Message> Unread(string box) => List(box, unreadOnly: true).AsEnumerable().Reverse().ToList();

    /// <summary>A message of <paramref name="box"/> (inbox or archive), or a not-found error naming the mailbox.</summary>
    public Message Get(string box, string id)
    {
        if (!MailRules.IsId(id)) throw new OrcException($"mail: '{TerminalText.Line(id)}' is not a message id (they look like m-3k9x2a)", ExitCodes.Usage);
        return Inbox(box).Find(id) ?? Archive(box).Find(id)
            ?? throw new OrcException($"mail: no message {id} in {box}'s mailbox{(OtherBox(id) is { } other ? $" (it is in {other}'s; use --as {other})" : "")}", ExitCodes.NotFound);
    }

    private string? OtherBox(string id)
    {
        if (!Directory.Exists(MailDir)) return null;
        var f = Directory.EnumerateFiles(MailDir, id + ".json", SearchOption.AllDirectories).FirstOrDefault();
        if (f is null) return null;
        var dir = Path.GetDirectoryName(f)!;
        if (Path.GetFileName(dir) == "archive") dir = Path.GetDirectoryName(dir)!;
        return Path.GetFileName(dir);
    }

    /// <summary>The message, marked read (committed) if it was not.</summary>
    public Message Read(string box, string id)
    {
        var m = Get(box, id);
        if (m.IsRead) return m;
        return ledger.Transact("mail read", t =>
        {
            var current = Get(box, id);
            if (current.IsRead) return current;
            var read = current with { ReadAt = Timestamps.Format(runtime.Workspace.Now) };
            t.Touched(current.ArchivedAt is null ? Inbox(box).Write(id, read) : Archive(box).Write(id, read), box);
            return read;
        }).Value;
    }

    /// <summary>Answers a message to its sender, in the same thread.</summary>
    public SendResult Reply(string box, string id, string? body, string? subject, TimeSpan wait)
    {
        var m = Get(box, id);
        if (!MailRules.IsBox(m.From)) throw new OrcException($"mail: {id} came from '{TerminalText.Line(m.From)}', which has no mailbox to reply to");
        return Send(box, m.From, subject ?? MailRules.ReplySubject(m.Subject), body, wait, replyTo: m.Id, thread: m.Thread, item: m.Item);
    }

    /// <summary>Moves a message to the mailbox's archive (read, kept, out of the inbox).</summary>
    public Message ArchiveMessage(string box, string id)
    {
        Get(box, id);
        return ledger.Transact("mail archive", t =>
        {
            var current = Inbox(box).Find(id);
            if (current is null) return Get(box, id); // already archived
            var now = Timestamps.Format(runtime.Workspace.Now);
            var archived = current with { ArchivedAt = now, ReadAt = current.ReadAt ?? now };
            t.Touched(Archive(box).Write(id, archived), box);
            t.Touched(Inbox(box).Delete(id), box);
            return archived;
        }).Value;
    }

    // ---- telling live agents ----

    /// <summary>Tells a live agent it has mail when it is idle; waits up to <paramref name="wait"/>, then queues the nudge.</summary>
    private string Notify(Hook hook, string messageId, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var state = StateOf(hook);
            if (state is null) return DeliveryOutcomes.NotRunning;
            if (state == AgentStates.Idle && TryNudge(hook)) return DeliveryOutcomes.Nudged;
            if (DateTime.UtcNow >= deadline) break;
            Thread.Sleep(250);
        }
        using (FileLock.Acquire(PendingLock, TimeSpan.FromSeconds(30), "queue a mail nudge"))
        {
            var p = Pending.Find(hook.Agent) ?? new PendingNudge { Agent = hook.Agent, Since = Timestamps.Format(runtime.Workspace.Now) };
            if (!p.Messages.Contains(messageId)) p = p with { Messages = [.. p.Messages, messageId] };
            Pending.Write(hook.Agent, p);
        }
        return DeliveryOutcomes.Queued;
    }

    /// <summary>The agent's state from its pane, or null when it has no live window.</summary>
    private string? StateOf(Hook hook)
    {
        try
        {
            if (runtime.Tmux.FindWindow(hook.Rig, hook.Agent) is not { PaneDead: false }) return null;
            return runtime.Profiles.Get(hook.Profile).Classify(runtime.Tmux.CapturePane(hook.Rig, hook.Agent, AgentProfile.ScreenLines));
        }
        catch (OrcException) { return null; }
    }

    private bool TryNudge(Hook hook)
    {
        var unread = Inbox(hook.Agent).All().Count(m => !m.IsRead);
        try
        {
            return agents.Nudge(hook.Agent, $"You have new mail ({unread} unread). Run `orc mail inbox` to read it.");
        }
        catch (OrcException ex)
        {
            logger.LogInformation("mail: nudge of {Agent} failed: {Message}", hook.Agent, ex.Message);
            return false;
        }
    }

    /// <summary>Agents with a queued mail nudge.</summary>
    public List<PendingNudge> PendingNudges() => Pending.All();

    /// <summary>
    /// Types the queued nudges of agents that are now idle (of one rig, or all); drops those of
    /// agents that are gone. Returns the agents nudged.
    /// </summary>
    public List<string> DeliverPending(string? rig = null)
    {
        var delivered = new List<string>();
        foreach (var p in Pending.All())
        {
            var hook = runtime.Hooks.Find(p.Agent);
            if (hook is null || hook.State == HookStates.Archived) { Drop(p.Agent); continue; }
            if (rig is not null && hook.Rig != rig) continue;
            if (Inbox(p.Agent).All().All(m => m.IsRead)) { Drop(p.Agent); continue; } // read meanwhile
            if (StateOf(hook) != AgentStates.Idle || !TryNudge(hook)) continue;
            Drop(p.Agent);
            delivered.Add(p.Agent);
            runtime.Record("mail", EventKinds.Nudged, p.Agent,
                $"{p.Agent} is idle now; told it about {(p.Messages.Count == 1 ? "its queued message" : $"its {p.Messages.Count} queued messages")}");
        }
        return delivered;
    }

    private void Drop(string agent)
    {
        using (FileLock.Acquire(PendingLock, TimeSpan.FromSeconds(30), "drop a mail nudge")) Pending.Delete(agent);
    }
}
