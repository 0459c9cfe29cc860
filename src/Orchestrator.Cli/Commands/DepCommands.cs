using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc item dep add | remove | tree</c>.</summary>
internal static class DepCommands
{
    public static Command Build(IServiceProvider services)
    {
        var dep = new Command("dep", "Dependencies between work items (ID depends on OTHER: OTHER blocks ID)");
        dep.Add(Add(services));
        dep.Add(Remove(services));
        dep.Add(Tree(services));
        return dep;
    }

    private static Option<string> TypeOption(bool withDefault) => new("--type", "-t")
    {
        Description = $"Dependency type: {string.Join(", ", DependencyTypes.Known)}{(withDefault ? " (default blocks)" : " (default: all)")}",
    };

    private static Command Add(IServiceProvider services)
    {
        var id = Options.ItemId();
        var other = Options.ItemId("DEPENDS_ON");
        var type = TypeOption(true);
        var json = Options.Json();
        var cmd = new Command("add", "Make ID depend on DEPENDS_ON; a dependency that would close a cycle is refused and the cycle named") { id, other, type,
            json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var (a, b) = (pr.GetValue(id)!, pr.GetValue(other)!);
            var t = WorkItemRules.DependencyType(pr.GetValue(type) ?? DependencyTypes.Blocks);
            var result = v.Mutate("dep add", ops => (Added: ops.AddDependency(a, b, t), Item: ops.Ledger.Get(a)));
            if (pr.GetValue(json)) { JsonOut.Item(v.Env, result.Value.Item); return 0; }
            v.Out.WriteLine(result.Value.Added ? $"{a} now depends on {b} ({TerminalText.Line(t)})" : $"{a} already depends on {b} ({TerminalText.Line(t)})");
            return 0;
        });
        return cmd;
    }

    private static Command Remove(IServiceProvider services)
    {
        var id = Options.ItemId();
        var other = Options.ItemId("DEPENDS_ON");
        var type = TypeOption(false);
        var json = Options.Json();
        var cmd = new Command("remove", "Remove the dependency of ID on DEPENDS_ON") { id, other, type, json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var (a, b) = (pr.GetValue(id)!, pr.GetValue(other)!);
            var result = v.Mutate("dep remove", ops => (Removed: ops.RemoveDependency(a, b, pr.GetValue(type)), Item: ops.Ledger.Get(a)));
            if (pr.GetValue(json)) { JsonOut.Item(v.Env, result.Value.Item); return 0; }
            v.Out.WriteLine($"{a} no longer depends on {b}");
            return 0;
        });
        return cmd;
    }

    private static Command Tree(IServiceProvider services)
    {
        var id = Options.ItemId();
        var reverse = new Option<bool>("--reverse", "-r") { Description = "Show what depends on ID instead of what ID depends on" };
        var depth = new Option<int>("--depth") { Description = "How deep to go (default 10)", DefaultValueFactory = _ => 10 };
        var json = Options.Json();
        var cmd = new Command("tree", "Show the dependency tree of a work item") { id, reverse, depth, json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var ledger = v.Read();
            var root = ledger.Get(pr.GetValue(id)!);
            var rev = pr.GetValue(reverse);
            var max = Math.Clamp(pr.GetValue(depth), 1, 100);
            var edges = rev ? Reverse(ledger) : null;
            IEnumerable<(string Id, string Type)> Next(WorkItem i) =>
                rev ? edges!.GetValueOrDefault(i.Id, []) : i.Dependencies.Select(d => (d.DependsOnId, d.Type));

            if (pr.GetValue(json))
            {
                JsonOut.Write(v.Env, DepTreeJson.Of(ledger, root.Id, null, Next, [], max), CliJsonContext.Default.DepTreeJson);
                return 0;
            }
            v.Out.WriteLine($"{root.Id}  {TerminalText.Line(root.Title)} [{TerminalText.Line(root.Status)}]");
            WriteText(v.Out, ledger, root, "", Next, [root.Id], max);
            return 0;
        });
        return cmd;
    }

    private static Dictionary<string, List<(string, string)>> Reverse(LedgerDocument ledger)
    {
        var map = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        foreach (var i in ledger.Sorted())
            foreach (var d in i.Dependencies)
            {
                if (!map.TryGetValue(d.DependsOnId, out var list)) map[d.DependsOnId] = list = [];
                list.Add((i.Id, d.Type));
            }
        return map;
    }

    private static void WriteText(TextWriter o, LedgerDocument ledger, WorkItem node, string indent,
        Func<WorkItem, IEnumerable<(string Id, string Type)>> next, HashSet<string> path, int depth)
    {
        var children = next(node).ToList();
        for (var k = 0; k < children.Count; k++)
        {
            var (id, type) = children[k];
            var last = k == children.Count - 1;
            var target = ledger.Find(id);
            var label = target is null
                ? $"{TerminalText.Line(id)} (not in ledger)"
                : $"{id}  {ItemText.Clip(TerminalText.Line(target.Title), 60)} [{TerminalText.Line(target.Status)}]";
            var cycle = path.Contains(id) ? "  (cycle)" : "";
            o.WriteLine($"{indent}{(last ? "└── " : "├── ")}{TerminalText.Line(type)}: {label}{cycle}");
            if (target is null || cycle.Length > 0 || depth <= 1) continue;
            path.Add(id);
            WriteText(o, ledger, target, indent + (last ? "    " : "│   "), next, path, depth - 1);
            path.Remove(id);
        }
    }
}
