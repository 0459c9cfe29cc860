using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Text;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc ready</c>, <c>orc blocked</c>, <c>orc stats</c>: what can be worked on, what waits, how much.</summary>
internal static class QueryCommands
{
    public static IEnumerable<Command> Build(IServiceProvider services)
    {
        yield return Ready(services);
        yield return Blocked(services);
        yield return Stats(services);
    }

    private static Command Ready(IServiceProvider services)
    {
        var json = Options.Json();
        var limit = new Option<int?>("--limit", "-n") { Description = "At most this many" };
        var assignee = new Option<string>("--assignee", "-a") { Description = "Only items assigned to this name ('none' for unassigned)" };
        var labels = Options.Labels();
        labels.Description = "Only items with this label (repeat: all must match)";
        var type = new Option<string>("--type", "-t") { Description = "Only this type" };
        var cmd = new Command("ready", "Work items ready to start: open, nothing blocking them (nor their epic), not deferred; most urgent first, then oldest")
        {
            json, limit, assignee, labels, type,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var ledger = v.ReadSummary();
            var query = new ItemQuery { Assignee = pr.GetValue(assignee), Labels = Options.SplitList(pr.GetValue(labels)), Type = pr.GetValue(type),
                Ready = true };
            var graph = new DependencyGraph(ledger);
            v.WarnAboutCycles(graph);
            var ready = graph.Ready(v.Context.Now).Where(i => query.Matches(i, isReady: true, isBlocked: false, rig: null));
            if (pr.GetValue(limit) is { } n) ready = ready.Take(Math.Max(0, n));
            var list = ready.ToList();
            if (pr.GetValue(json)) JsonOut.Items(v.Env, list);
            else ItemText.List(v.Out, list, "nothing is ready");
            return 0;
        });
        return cmd;
    }

    private static Command Blocked(IServiceProvider services)
    {
        var json = Options.Json();
        var cmd = new Command("blocked", "Work items waiting on others (or marked blocked), with what blocks each") { json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var ledger = v.ReadSummary();
            var graph = new DependencyGraph(ledger);
            v.WarnAboutCycles(graph);
            var blocked = graph.Blocked();
            if (pr.GetValue(json))
            {
                var byId = blocked.ToDictionary(b => b.Item.Id, b => b.Blockers);
                JsonOut.Items(v.Env, blocked.Select(b => b.Item).ToList(), (w, item) =>
                {
                    var blockers = byId[item.Id];
                    w.WriteNumber("blocked_by_count", blockers.Count);
                    w.WriteStartArray("blocked_by");
                    foreach (var b in blockers) w.WriteStringValue(b.Item.Id);
                    w.WriteEndArray();
                });
                return 0;
            }
            if (blocked.Count == 0) { v.Out.WriteLine("nothing is blocked"); return 0; }
            foreach (var (item, blockers) in blocked)
            {
                v.Out.WriteLine(ItemText.Line(item));
                var why = blockers.Count == 0
                    ? "marked blocked"
                    : string.Join(", ", blockers.Select(b => $"{b.Item.Id} [{TerminalText.Line(b.Item.Status)}]{(b.Via is null ? "" : $" via {b.Via}")}"));
                v.Out.WriteLine($"    waiting on: {why}");
            }
            return 0;
        });
        return cmd;
    }

    private static Command Stats(IServiceProvider services)
    {
        var json = Options.Json();
        var cmd = new Command("stats", "Counts of work items by status, type and priority, and how many are ready or blocked") { json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var ledger = v.ReadSummary();
            var graph = new DependencyGraph(ledger);
            var ready = graph.Ready(v.Context.Now).Count;
            var blocked = graph.Blocked().Count;
            var byStatus = Count(ledger.Items.Select(i => i.Status), Statuses.All);
            var byType = Count(ledger.Items.Select(i => i.IssueType), IssueTypes.Known);
            var byPriority = Count(ledger.Items.Select(i => "P" + i.Priority), ["P0", "P1", "P2", "P3", "P4"]);
            if (pr.GetValue(json))
            {
                static Dictionary<string, int> Map(List<(string, int)> counts) => counts.ToDictionary(c => c.Item1, c => c.Item2);
                JsonOut.Write(v.Env, new StatsJson(ledger.Count, ready, blocked, ledger.Errors.Count, Map(byStatus), Map(byType), Map(byPriority)),
                    CliJsonContext.Default.StatsJson);
                return 0;
            }
            v.Out.WriteLine($"{ledger.Count} work items: {ready} ready, {blocked} blocked");
            v.Out.WriteLine("  status:   " + Join(byStatus));
            v.Out.WriteLine("  type:     " + Join(byType));
            v.Out.WriteLine("  priority: " + Join(byPriority));
            if (ledger.Errors.Count > 0) v.Out.WriteLine($"  unreadable lines: {ledger.Errors.Count}");
            return 0;
        });
        return cmd;
    }

    private static List<(string, int)> Count(IEnumerable<string> values, IReadOnlyList<string> known)
    {
        var counts = values.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        var list = known.Where(counts.ContainsKey).Select(k => (k, counts[k])).ToList();
        list.AddRange(counts.Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).Select(k => (k, counts[k])));
        return list;
    }

    private static string Join(List<(string Name, int Count)> counts) =>
        counts.Count == 0 ? "-" : string.Join("  ", counts.Select(c => $"{TerminalText.Line(c.Name)} {c.Count}"));
}
