using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Text;
using Orchestrator.Services.Mail;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc mail</c>: send, inbox, read, reply, archive, deliver.</summary>
internal static class MailCommands
{
    public static Command Build(IServiceProvider services)
    {
        MailService Mail() => services.GetRequiredService<MailService>();
        var mail = new Command("mail", "Mail between agents, the services and you (the overseer), kept in git: send, inbox, read, reply, archive");

        Option<string> As() => new("--as") { Description = "The mailbox to act as (default: your agent's, from ORC_AGENT, else overseer)" };
        Option<double> Wait() => new("--wait") { Description = "Seconds to wait for a busy agent to be idle before queueing its nudge (default 2)",
            DefaultValueFactory = _ => 2 };
        Option<string> BodyOpt() => new("--body", "-b") { Description = "The message text ('-' reads it from standard input)" };
        Argument<string?> BodyArg() => new("BODY") { Description = "The message text, or '-' to read it from standard input", Arity = ArgumentArity.ZeroOrOne };

        // ---- send ----
        var to = new Argument<string>("TO") { Description = $"Who: {MailRules.Usage} (several: comma-separated)" };
        var subject = new Argument<string>("SUBJECT") { Description = "One line" };
        var sendBodyArg = BodyArg();
        var sendBody = BodyOpt();
        var sendAs = As();
        var sendWait = Wait();
        var item = new Option<string>("--item") { Description = "The work item the message is about" };
        var sendJson = Options.Json();
        var send = new Command("send", "Send a message; a live recipient idle at its prompt is told to read it, a busy one is not interrupted")
        { to, subject, sendBodyArg, sendBody, sendAs, sendWait, item, sendJson };
        send.SetAction(pr =>
        {
            var v = new Verb(services);
            var svc = Mail();
            var body = Body(v, pr.GetValue(sendBodyArg), pr.GetValue(sendBody));
            string? itemId = null;
            if (pr.GetValue(item) is { } i) itemId = v.Ledger.Read().Get(i).Id;
            var r = svc.Send(svc.Me(pr.GetValue(sendAs)), pr.GetValue(to)!, pr.GetValue(subject)!, body, WaitFor(pr.GetValue(sendWait)), item: itemId);
            Print(v, r, pr.GetValue(sendJson));
            return 0;
        });
        mail.Add(send);

        // ---- inbox ----
        var inboxAs = As();
        var unread = new Option<bool>("--unread", "-u") { Description = "Only unread messages" };
        var archived = new Option<bool>("--archived") { Description = "The archived messages instead" };
        var inboxJson = Options.Json();
        var inbox = new Command("inbox", "Your messages, newest first (* marks unread)") { inboxAs, unread, archived, inboxJson };
        inbox.SetAction(pr =>
        {
            var v = new Verb(services);
            var svc = Mail();
            var box = svc.Me(pr.GetValue(inboxAs));
            var list = svc.List(box, pr.GetValue(archived), pr.GetValue(unread));
            if (pr.GetValue(inboxJson)) { JsonOut.Write(v.Env, list.Select(m => MessageJson.From(m)).ToList(),
                CliJsonContext.Default.ListMessageJson); return 0; }
            if (list.Count == 0) { v.Out.WriteLine($"{box}: no {(pr.GetValue(archived) ? "archived" : pr.GetValue(unread) ? "unread" : "")} messages".Replace("  ", " ")); return 0; }
            var count = list.Count(m => !m.IsRead);
            v.Out.WriteLine($"{box}: {list.Count} message{(list.Count == 1 ? "" : "s")}, {count} unread");
            foreach (var m in list)
                v.Out.WriteLine($"{(m.IsRead ? " " : "*")} {m.Id}  {Clip(TerminalText.Line(m.From), 16),-16} {m.SentAt}  {TerminalText.Line(m.Subject)}");
            return 0;
        });
        mail.Add(inbox);

        // ---- read ----
        var readId = new Argument<string>("ID") { Description = "A message id, e.g. m-3k9x2a" };
        var readAs = As();
        var readJson = Options.Json();
        var read = new Command("read", "Show a message and mark it read") { readId, readAs, readJson };
        read.SetAction(pr =>
        {
            var v = new Verb(services);
            var svc = Mail();
            var m = svc.Read(svc.Me(pr.GetValue(readAs)), pr.GetValue(readId)!);
            if (pr.GetValue(readJson)) { JsonOut.Write(v.Env, MessageJson.From(m), CliJsonContext.Default.MessageJson); return 0; }
            v.Out.WriteLine($"{m.Id}  {TerminalText.Line(m.Subject)}");
            v.Out.WriteLine($"from {TerminalText.Line(m.From)} to {TerminalText.Line(m.To)} at {m.SentAt}{(m.Item is { } it ? $" (about {it})" : "")}{(m.ReplyTo is { } r ? $", in reply to {r}" : "")}");
            if (m.Body is { } body) { v.Out.WriteLine(); v.Out.WriteLine(TerminalText.Block(body).TrimEnd()); }
            return 0;
        });
        mail.Add(read);

        // ---- reply ----
        var replyId = new Argument<string>("ID") { Description = "The message to answer" };
        var replyBodyArg = BodyArg();
        var replyBody = BodyOpt();
        var replySubject = new Option<string>("--subject") { Description = "Default: Re: and the original subject" };
        var replyAs = As();
        var replyWait = Wait();
        var replyJson = Options.Json();
        var reply = new Command("reply", "Answer a message (to its sender, in the same thread)") { replyId, replyBodyArg, replyBody, replySubject, replyAs,
            replyWait, replyJson };
        reply.SetAction(pr =>
        {
            var v = new Verb(services);
            var svc = Mail();
            var r = svc.Reply(svc.Me(pr.GetValue(replyAs)), pr.GetValue(replyId)!, Body(v, pr.GetValue(replyBodyArg), pr.GetValue(replyBody)),
                pr.GetValue(replySubject), WaitFor(pr.GetValue(replyWait)));
            Print(v, r, pr.GetValue(replyJson));
            return 0;
        });
        mail.Add(reply);

        // ---- archive ----
        var archiveIds = new Argument<string[]>("ID") { Description = "One or more message ids", Arity = ArgumentArity.OneOrMore };
        var archiveAs = As();
        var archive = new Command("archive", "Move messages out of the inbox (kept in the mailbox's archive)") { archiveIds, archiveAs };
        archive.SetAction(pr =>
        {
            var v = new Verb(services);
            var svc = Mail();
            var box = svc.Me(pr.GetValue(archiveAs));
            foreach (var id in pr.GetValue(archiveIds)!) { svc.ArchiveMessage(box, id); v.Out.WriteLine($"archived {id}"); }
            return 0;
        });
        mail.Add(archive);

        // ---- deliver ----
        var deliver = new Command("deliver", "Tell agents that are idle now about mail that came while they were busy (the witness does this on every pass)");
        deliver.SetAction(pr =>
        {
            var v = new Verb(services);
            var done = Mail().DeliverPending();
            var left = Mail().PendingNudges();
            v.Out.WriteLine(done.Count == 0 ? "no agent was told" : "told " + string.Join(", ", done));
            if (left.Count > 0) v.Out.WriteLine("still busy: " + string.Join(", ", left.Select(p => p.Agent)));
            return 0;
        });
        mail.Add(deliver);
        return mail;
    }

    private static TimeSpan WaitFor(double seconds) =>
        seconds is >= 0 and <= 600 ? TimeSpan.FromSeconds(seconds) : throw new OrcException($"--wait must be between 0 and 600 seconds, got {seconds}",
            ExitCodes.Usage);

    private static string? Body(Verb v, string? arg, string? opt)
    {
        if (arg is not null && opt is not null) throw new OrcException("mail: give the body once (as BODY or --body)", ExitCodes.Usage);
        var b = arg ?? opt;
        return v.Env.TextOrStdin(b);
    }

    private static void Print(Verb v, SendResult r, bool json)
    {
        if (json)
        {
            JsonOut.Write(v.Env, r.Messages.Select(m => MessageJson.From(m, r.Deliveries.FirstOrDefault(d => d.Box == m.Box)?.Outcome)).ToList(),
                CliJsonContext.Default.ListMessageJson);
            return;
        }
        foreach (var m in r.Messages)
        {
            var outcome = r.Deliveries.FirstOrDefault(d => d.Box == m.Box)?.Outcome;
            var how = outcome switch
            {
                DeliveryOutcomes.Nudged => " (it was idle: told to read it)",
                DeliveryOutcomes.Queued => " (it is busy: it will be told when idle)",
                DeliveryOutcomes.NotRunning => " (not running: it sees it when it starts)",
                _ => "",
            };
            v.Out.WriteLine($"sent {m.Id} to {m.Box}{how}");
        }
    }

    private static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
