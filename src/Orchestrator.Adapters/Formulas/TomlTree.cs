using Orchestrator.Core.Formulas;
using Tomlyn.Syntax;

namespace Orchestrator.Adapters.Formulas;

/// <summary>A TOML value with the line it was written on (from Tomlyn's syntax tree).</summary>
internal abstract class TomlNode(SourceLine at)
{
    public SourceLine At { get; set; } = at;

    public abstract string Kind { get; }
}

internal sealed class TomlScalar(object value, SourceLine at, string? raw) : TomlNode(at)
{
    public object Value { get; } = value;

    /// <summary>The string as written in the file, quotes included (to place a line inside it).</summary>
    public string? Raw { get; } = raw;

    public override string Kind => Value switch
    {
        string => "a string",
        bool => "a boolean",
        long => "an integer",
        double => "a number",
        _ => "a date",
    };
}

internal sealed class TomlList(List<TomlNode> items, SourceLine at) : TomlNode(at)
{
    public List<TomlNode> Items { get; } = items;

    public override string Kind => "an array";
}

internal sealed class TomlTableNode(SourceLine at) : TomlNode(at)
{
    public List<KeyValuePair<string, TomlNode>> Entries { get; } = [];

    public override string Kind => "a table";

    public TomlNode? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

    public void Set(string key, TomlNode value)
    {
        var i = Entries.FindIndex(e => e.Key == key);
        if (i >= 0) Entries[i] = new(key, value);
        else Entries.Add(new(key, value));
    }
}

/// <summary>
/// Folds Tomlyn's lossless syntax tree (<c>SyntaxParser</c>, no reflection, fine under NativeAOT)
/// into plain tables, arrays and scalars that keep their line numbers. The tree has already been
/// validated by Tomlyn (no key defined twice, no table reopened), so folding can trust its shape.
/// </summary>
internal static class TomlTree
{
    public static TomlTableNode Fold(DocumentSyntax doc, string file)
    {
        var root = new TomlTableNode(new SourceLine(file, 1));
        foreach (var kv in doc.KeyValues) Assign(root, kv, file);
        foreach (var table in doc.Tables)
        {
            var path = Parts(table.Name);
            var at = Line(table, file);
            TomlTableNode target;
            if (table is TableArraySyntax)
            {
                var parent = Navigate(root, path[..^1], at);
                if (parent[path[^1]] is not TomlList list) parent.Set(path[^1], list = new TomlList([], at));
                target = new TomlTableNode(at);
                list.Items.Add(target);
            }
            else
            {
                target = Navigate(root, path, at);
                target.At = at;
            }
            foreach (var kv in table.Items) Assign(target, kv, file);
        }
        return root;
    }

    private static void Assign(TomlTableNode table, KeyValueSyntax kv, string file)
    {
        var path = Parts(kv.Key);
        var at = Line(kv, file);
        var parent = Navigate(table, path[..^1], at);
        if (kv.Value is { } value) parent.Set(path[^1], Convert(value, file));
    }

    /// <summary>The table at <paramref name="path"/> under <paramref name="from"/>, made if missing; an array of tables means its last one.</summary>
    private static TomlTableNode Navigate(TomlTableNode from, IReadOnlyList<string> path, SourceLine at)
    {
        var current = from;
        foreach (var key in path)
        {
            switch (current[key])
            {
                case TomlTableNode t: current = t; break;
                case TomlList { Items.Count: > 0 } l when l.Items[^1] is TomlTableNode last: current = last; break;
                default:
                    var made = new TomlTableNode(at);
                    current.Set(key, made);
                    current = made;
                    break;
            }
        }
        return current;
    }

    private static TomlNode Convert(ValueSyntax value, string file)
    {
        var at = Line(value, file);
        switch (value)
        {
            case StringValueSyntax s: return new TomlScalar(s.Value ?? "", at, s.Token?.Text);
            case BooleanValueSyntax b: return new TomlScalar(b.Value, at, null);
            case IntegerValueSyntax i: return new TomlScalar(i.Value, at, null);
            case FloatValueSyntax f: return new TomlScalar(f.Value, at, null);
            case ArraySyntax a:
                var items = new List<TomlNode>();
                foreach (var item in a.Items)
                    if (item.Value is { } v) items.Add(Convert(v, file));
                return new TomlList(items, at);
            case InlineTableSyntax t:
                var table = new TomlTableNode(at);
                foreach (var item in t.Items)
                    if (item.KeyValue is { } kv) Assign(table, kv, file);
                return table;
            default: return new TomlScalar(value.ToString()?.Trim() ?? "", at, null);
        }
    }

    private static string[] Parts(KeySyntax? key)
    {
        if (key is null) return [""];
        var parts = new List<string> { Part(key.Key) };
        foreach (var d in key.DotKeys) parts.Add(Part(d.Key));
        return [.. parts];
    }

    private static string Part(SyntaxNode? node) => node switch
    {
        BareKeySyntax b => b.Key?.Text ?? "",
        StringValueSyntax s => s.Value ?? "",
        _ => node?.ToString()?.Trim() ?? "",
    };

    public static SourceLine Line(SyntaxNode node, string file) => new(file, node.Span.Start.Line + 1);
}
