using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Text;
using Orchestrator.Services.Refinery;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orc review list | show | approve | reject</c>: the person's side of a rig with <c>land: review</c>;
/// <c>assist</c> and <c>note</c>: the assistive reviewer agent's (rig setting <c>review_agent</c>).
/// </summary>
internal static class ReviewCommands
{
    public static Command Build(IServiceProvider services)
    {
        var review = new Command("review", "Green work waiting for a person on rigs with 'land: review': look at it, approve it (it lands) or return it");
        ReviewService Reviews() => services.GetRequiredService<ReviewService>();
        RefineryService Refinery() => services.GetRequiredService<RefineryService>();
        ReviewerService Reviewers() => services.GetRequiredService<ReviewerService>();

        var listJson = Options.Json();
        var noHeaders = Options.NoHeaders();
        var list = new Command("list",
            "Submissions waiting for review: what unblocks the most open items first, then the convoy nearest to landing, then the longest waiting") { listJson,
            noHeaders };
        list.SetAction(pr =>
        {
            var v = new Verb(services);
            var entries = Reviews().List();
            if (pr.GetValue(listJson)) { JsonOut.Write(v.Env, entries.Select(ReviewJson.From).ToList(), CliJsonContext.Default.ListReviewJson); return 0; }
            if (entries.Count == 0) { v.Out.WriteLine("nothing waits for review"); return 0; }
            var table = new Table(new("ITEM"), new("RIG"), new("AGENT"), new("WAITED"), new("UNBLOCKS"), new("CONVOY"), new("REVIEWER"), new("TITLE",
                Text: true));
            foreach (var e in entries)
                table.Add(e.Submission.Item, e.Submission.Rig, e.Submission.Agent, ReviewOrder.Waited(e.Waited),
                    e.Unblocks.ToString(CultureInfo.InvariantCulture),
                    e.Convoy is { } convoy ? $"{convoy} ({e.ConvoyLeft} left)" : "-", ReviewerColumn(e.Submission), TerminalText.Line(e.Title));
            v.Print(table, pr.GetValue(noHeaders));
            return 0;
        });
        review.Add(list);

        var showItem = Options.ItemId("ITEM");
        var showJson = Options.Json();
        var show = new Command("show",
            "One submission waiting for review: the item, the gate, the diff against the main it was built on, declared against touched files") { showItem,
            showJson };
        show.SetAction(pr =>
        {
            var v = new Verb(services);
            var d = Reviews().Show(pr.GetValue(showItem)!);
            var s = d.Entry.Submission;
            if (pr.GetValue(showJson)) { JsonOut.Write(v.Env, ReviewDetailJson.From(d), CliJsonContext.Default.ReviewDetailJson); return 0; }
            var o = v.Out;
            o.WriteLine($"{s.Item}: {TerminalText.Line(d.Entry.Title)}");
            o.WriteLine($"  rig {s.Rig}, by {s.Agent}, waiting {ReviewOrder.Waited(d.Entry.Waited)} (since {s.ReviewSince}), unblocks {d.Entry.Unblocks}");
            o.WriteLine($"  candidate {s.Candidate![..12]} built on {s.Onto![..12]}; gate: {TerminalText.Line(s.GateVerdict ?? "green")}");
            if (ReviewerLine(s) is { } reviewer) o.WriteLine(reviewer);
            if (d.Item?.Description is { Length: > 0 } description) { o.WriteLine("description:"); o.WriteLine(Indent(description)); }
            if (d.Item?.AcceptanceCriteria is { Length: > 0 } acceptance) { o.WriteLine("acceptance criteria:"); o.WriteLine(Indent(acceptance)); }
            if (s.GateTail is { Length: > 0 } tail) { o.WriteLine("gate output (tail):"); o.WriteLine(Indent(tail)); }
            o.WriteLine($"files declared: {(d.Declared.Count == 0 ? "none" : string.Join(", ", d.Declared.Select(TerminalText.Line)))}");
            if (d.Undeclared.Count > 0) o.WriteLine($"touched but not declared: {string.Join(", ", d.Undeclared.Select(TerminalText.Line))}");
            if (d.Untouched.Count > 0) o.WriteLine($"declared but not touched: {string.Join(", ", d.Untouched.Select(TerminalText.Line))}");
            o.WriteLine($"diff stat: {d.Changes.Files.Count} file{(d.Changes.Files.Count == 1 ? "" : "s")} changed, {d.Changes.Added} insertion{(d.Changes.Added == 1 ? "" : "s")}(+), {d.Changes.Removed} deletion{(d.Changes.Removed == 1 ? "" : "s")}(-)");
            foreach (var f in d.Changes.Files)
                o.WriteLine($"  {TerminalText.Line(f.Path)}{(f.OldPath is { } old ? " (from " + TerminalText.Line(old) + ")" : "")} | {(f.Binary ? "binary" : $"+{f.Added} -{f.Removed}")}");
            o.WriteLine();
            o.Write(TerminalText.Block(d.Changes.Patch));
            return 0;
        });
        review.Add(show);

        var approveItem = Options.ItemId("ITEM");
        var approve = new Command("approve",
            "Say yes: the refinery lands it on its next pass (rebuilt on main and gated again if main moved since)") { approveItem };
        approve.SetAction(pr =>
        {
            var v = new Verb(services);
            var s = Refinery().Approve(pr.GetValue(approveItem)!);
            v.Out.WriteLine($"approved {s.Item}: the refinery of {s.Rig} lands it on its next pass");
            return 0;
        });
        review.Add(approve);

        var rejectItem = Options.ItemId("ITEM");
        var reason = new Option<string>("--reason") { Description = "Why (goes on the item and to the worker)", Required = true };
        var reject = new Command("reject", "Say no: the work goes back to its worker with the reason, as a red gate returns it") { rejectItem, reason };
        reject.SetAction(pr =>
        {
            var v = new Verb(services);
            var s = Refinery().RejectReview(pr.GetValue(rejectItem)!, pr.GetValue(reason)!);
            v.Out.WriteLine($"returned {s.Item}: {TerminalText.Line(s.Reason ?? "")}");
            return 0;
        });
        review.Add(reject);

        var assistItem = Options.ItemId("ITEM");
        var assist = new Command("assist", "Start the assistive reviewer (rig setting review_agent) on a candidate now; again after a pass that did not finish (the deacon starts one for every candidate by itself)") { assistItem };
        assist.SetAction(pr =>
        {
            var v = new Verb(services);
            v.Out.WriteLine(Reviewers().Assist(pr.GetValue(assistItem)!));
            return 0;
        });
        review.Add(assist);

        var noteItem = Options.ItemId("ITEM");
        var verdict = new Option<string>("--verdict") { Description = "approve (it can land as it is) or changes (it must be fixed first); advice only",
            Required = true };
        verdict.AcceptOnlyFromAmong([.. Core.Merging.ReviewerVerdicts.All]);
        var noteText = new Option<string>("--text") { Description = "What you found, in a few lines ('-' reads standard input); goes on the item",
            Required = true };
        var note = new Command("note", "The reviewer agent's verdict on the candidate it read (run in its window): recorded and put on the item; it never approves or lands anything") { noteItem, verdict, noteText };
        note.SetAction(pr =>
        {
            var v = new Verb(services);
            var s = Reviewers().Note(pr.GetValue(noteItem)!, pr.GetValue(verdict)!, v.Env.TextOrStdin(pr.GetValue(noteText)));
            v.Out.WriteLine($"noted {s.Reviewer!.Verdict} on {s.Item}: a person decides ('orc review approve' or 'reject')");
            return 0;
        });
        review.Add(note);
        return review;
    }

    /// <summary>The REVIEWER column: the reviewer agent's verdict on this candidate, or where its pass is.</summary>
    private static string ReviewerColumn(Core.Merging.Submission s) => s.CurrentReview switch
    {
        null => "-",
        { State: Core.Merging.AgentReviewStates.Done } r => r.Verdict ?? "done",
        { State: Core.Merging.AgentReviewStates.Running } => "reading",
        { State: Core.Merging.AgentReviewStates.Failed } => "did not run",
        var r => r.State,
    };

    /// <summary>The reviewer agent's pass as <c>review show</c> says it, or null when it has none.</summary>
    private static string? ReviewerLine(Core.Merging.Submission s) => s.CurrentReview switch
    {
        null => null,
        { State: Core.Merging.AgentReviewStates.Done } r
            => $"  reviewer {r.Agent} ({TerminalText.Line(r.Profile)}) says {r.Verdict}: {TerminalText.Line(r.Notes ?? "")} (advice: you decide)",
        { State: Core.Merging.AgentReviewStates.Running } r
            => $"  reviewer {r.Agent} ({TerminalText.Line(r.Profile)}) is reading it since {r.StartedAt} ('orc peek {r.Agent}')",
        var r => $"  the assistive review did not run{(r.State == Core.Merging.AgentReviewStates.Stopped ? " to the end" : "")}: {TerminalText.Line(r.Notes ?? r.State)} ('orc review assist {s.Item}' tries again)",
    };

    private static string Indent(string text) =>
        string.Join('\n', TerminalText.Block(text).TrimEnd().Split('\n').Select(l => "  " + l));
}
