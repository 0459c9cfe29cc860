using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Items;
using Orchestrator.Core.Text;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Cli.Commands;

/// <summary>Continuity between sessions: an agent's <c>orc handoff</c>, and <c>orc history ITEM</c>.</summary>
internal static class HandoffCommands
{
    public static IEnumerable<Command> Build(IServiceProvider services)
    {
        HandoffService Handoffs() => services.GetRequiredService<HandoffService>();

        var agent = new Option<string>("--agent") { Description = "Agent name (default: ORC_AGENT)" };
        var note = new Option<string>("--note") { Description = "What the next session needs to know: where the work stands, what is next, what to avoid ('-' reads it from standard input)" };
        var handoff = new Command("handoff", "For an agent whose context is filling up: write a handoff note to my hook, then be restarted fresh in the same worktree (the restart waits until this command has answered); the new session's 'orc prime' shows the note and the history of the work")
        { agent, note };
        handoff.SetAction(pr =>
        {
            var v = new Verb(services);
            var r = Handoffs().Handoff(pr.GetValue(agent), v.Env.TextOrStdin(pr.GetValue(note)));
            v.Out.WriteLine($"handoff of {r.Hook.Agent} recorded (session {r.Session}{(r.Note is null ? ", no note" : $", note of {r.Note.Length:N0} characters")}).");
            v.Out.WriteLine($"{r.Hook.Agent} restarts fresh in {r.Hook.Worktree} as soon as this command exits; its first 'orc prime' shows the note. Stop here.");
            return 0;
        });
        yield return handoff;

        var restartAgent = new Argument<string>("AGENT");
        var after = new Option<int>("--after") { Description = "Wait for this process to exit first", Required = true };
        var session = new Option<int>("--session") { Description = "The session the handoff ended", Required = true };
        var restart = new Command("handoff-restart", "Run by tmux for 'orc handoff': restart the agent once the handoff has answered") { restartAgent, after,
            session };
        restart.Hidden = true;
        restart.SetAction(pr =>
        {
            var v = new Verb(services);
            v.Out.WriteLine(Handoffs().Restart(pr.GetValue(restartAgent)!, pr.GetValue(after), pr.GetValue(session)));
            return 0;
        });
        yield return restart;

        var item = Options.ItemId("ITEM");
        var json = Options.Json();
        var history = new Command("history", "Every session that worked on an item (all agents, archived hooks too): agent, start and end, how it ended (done, handoff, crashed, killed…), and its notes and comments")
        { item, json };
        history.SetAction(pr =>
        {
            var v = new Verb(services);
            var h = Handoffs().History(pr.GetValue(item)!);
            if (pr.GetValue(json)) { JsonOut.Write(v.Env, HistoryJson.From(h), CliJsonContext.Default.HistoryJson); return 0; }
            var title = v.Ledger.Read().Find(h.Item)?.Title;
            v.Out.WriteLine($"history of {h.Item}{(title is null ? "" : "  " + TerminalText.Line(title))}: {h.Sessions.Count} session{(h.Sessions.Count == 1 ? "" : "s")}");
            if (h.Sessions.Count == 0) v.Out.WriteLine("  no agent has worked on it yet (orc sling ITEM)");
            var n = 0;
            foreach (var e in h.Sessions)
            {
                var s = e.Session;
                v.Out.WriteLine();
                v.Out.WriteLine($"{++n}. {s.Agent} (session {s.Number} of its hook; {s.Role} on rig {s.Rig}, profile {TerminalText.Line(s.Profile)})");
                v.Out.WriteLine($"   {Time(s.StartedAt)} to {(s.EndedAt is null ? "now" : Time(s.EndedAt))}: started {s.StartedBy}, {(s.IsOpen ? "still running" : "ended: " + s.Ended)}");
                foreach (var x in s.Notes) Block(v.Out, $"   {x.Kind} note: ", x.Text);
                foreach (var c in e.Comments) v.Out.WriteLine($"   comment by {TerminalText.Line(c.Author)} at {Time(c.CreatedAt)}: {FirstLine(c.Text)}");
            }
            if (h.Other.Count > 0)
            {
                v.Out.WriteLine();
                v.Out.WriteLine("comments outside any session:");
                foreach (var c in h.Other) v.Out.WriteLine($"   {TerminalText.Line(c.Author)} at {Time(c.CreatedAt)}: {FirstLine(c.Text)}");
            }
            return 0;
        });
        yield return history;
    }

    /// <summary>A note as an indented block: the first line after the label, the rest under it; control characters shown, never sent.</summary>
    private static void Block(TextWriter o, string label, string text)
    {
        var lines = TerminalText.Block(text).TrimEnd().Split('\n');
        o.WriteLine(label + lines[0]);
        foreach (var l in lines.Skip(1)) o.WriteLine("      " + l);
    }

    private static string FirstLine(string? text)
    {
        var lines = (text ?? "").Split('\n');
        var first = TerminalText.Line(lines[0].TrimEnd('\r'));
        if (first.Length > 160) first = first[..159] + "…";
        return lines.Length > 1 ? first + " (…)" : first;
    }

    private static string Time(string? at) =>
        Timestamps.TryParse(at, out var t) ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : TerminalText.Line(at ?? "-");
}
