using System.Text;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Adapters.Workspace;

/// <summary>
/// Reads and changes one dotted key (<c>notify.desktop</c>) in a configuration file's text. A change
/// replaces only the value's characters (or adds one line), so comments and the rest of the file are
/// kept as they were; when the file's shape does not allow that (an unusual layout), the file is
/// written again from its parsed form and its comments are lost.
/// </summary>
public static class ConfigEditor
{
    /// <summary>The node under a dotted key, or null when the file does not set it.</summary>
    public static YamlNode? Find(string text, string path, string key)
    {
        var root = Root(text, path);
        YamlNode? node = root;
        foreach (var part in key.Split('.'))
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(part), out node)) return null;
        }
        return node is YamlScalarNode { Value: null or "" } && node.Tag.IsEmpty && !IsQuoted(node) ? null : node;
    }

    private static bool IsQuoted(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted };

    /// <summary>The text of <paramref name="text"/> with <paramref name="key"/> set to <paramref name="yamlValue"/> (already YAML: a scalar or a flow
    /// list).</summary>
    public static string Set(string text, string path, string key, string yamlValue)
    {
        var spliced = TrySplice(text, path, key, yamlValue);
        if (spliced is not null && Same(spliced, path, key, yamlValue)) return spliced;
        return Rewrite(text, path, key, yamlValue);
    }

    private static string? TrySplice(string text, string path, string key, string value)
    {
        var parts = key.Split('.');
        var root = Root(text, path);
        if (root.Style == MappingStyle.Flow) return null;
        YamlMappingNode map = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            if (map.Children.TryGetValue(new YamlScalarNode(parts[i]), out var node))
            {
                if (last)
                {
                    if (node is YamlScalarNode { Value: null or "" } && !IsQuoted(node)) return null; // 'key:' with nothing after it
                    if (node is not YamlScalarNode && !(node is YamlSequenceNode { Style: SequenceStyle.Flow })) return null;
                    return Replace(text, node.Start, node.End, value);
                }
                if (node is not YamlMappingNode inner) return null;
                map = inner;
                continue;
            }
            // Missing from here on: add "rest: value" (nested as needed) to this mapping.
            var rest = parts[i..];
            return map == root ? AppendTopLevel(text, rest, value) : AddTo(text, map, rest, value);
        }
        return null;
    }

    private static string Replace(string text, Mark start, Mark end, string value) =>
        text[..(int)start.Index] + value + text[(int)end.Index..];

    private static string AppendTopLevel(string text, string[] parts, string value)
    {
        var sb = new StringBuilder(text);
        if (sb.Length > 0 && sb[^1] != '\n') sb.Append('\n');
        for (var i = 0; i < parts.Length; i++)
        {
            sb.Append(' ', 2 * i).Append(parts[i]).Append(':');
            sb.Append(i == parts.Length - 1 ? " " + value + "\n" : "\n");
        }
        return sb.ToString();
    }

    private static string? AddTo(string text, YamlMappingNode map, string[] parts, string value)
    {
        if (parts.Length != 1) return null;
        if (map.Style == MappingStyle.Flow)
        {
            var empty = map.Children.Count == 0;
            var close = text.IndexOf('}', empty ? (int)map.Start.Index : (int)map.Children.Last().Value.End.Index);
            if (close < 0) return null;
            var before = text[..close].TrimEnd();
            return before + (empty ? " " : ", ") + parts[0] + ": " + value + " " + text[close..];
        }
        var (firstKey, _) = map.Children.First();
        var (_, lastValue) = map.Children.Last();
        var keyIndex = (int)firstKey.Start.Index;
        var lineStart = text.LastIndexOf('\n', Math.Max(0, keyIndex - 1)) + 1;
        var indent = text[lineStart..keyIndex];
        if (indent.Any(c => c != ' ')) return null;
        var endOfLast = text.IndexOf('\n', Math.Max(0, (int)lastValue.End.Index - 1));
        if (endOfLast < 0) return text + "\n" + indent + parts[0] + ": " + value + "\n";
        return text[..endOfLast] + "\n" + indent + parts[0] + ": " + value + text[endOfLast..];
    }

    /// <summary>True when <paramref name="candidate"/> has the key set to the value and reads as YAML.</summary>
    private static bool Same(string candidate, string path, string key, string yamlValue)
    {
        try
        {
            var node = Find(candidate, path, key);
            var wanted = Find(Nested(key, yamlValue), path, key);
            return node is not null && wanted is not null && node.Equals(wanted);
        }
        catch (OrcException) { return false; }
    }

    private static string Nested(string key, string yamlValue)
    {
        var parts = key.Split('.');
        var sb = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
            sb.Append(' ', 2 * i).Append(parts[i]).Append(':').Append(i == parts.Length - 1 ? " " + yamlValue + "\n" : "\n");
        return sb.ToString();
    }

    private static string Rewrite(string text, string path, string key, string yamlValue)
    {
        var root = Root(text, path);
        var parts = key.Split('.');
        var map = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            var k = new YamlScalarNode(parts[i]);
            if (!map.Children.TryGetValue(k, out var inner) || inner is not YamlMappingNode m)
            {
                m = new YamlMappingNode();
                map.Children[k] = m;
            }
            map = m;
        }
        var valueRoot = Root(Nested("v", yamlValue), path);
        map.Children[new YamlScalarNode(parts[^1])] = valueRoot.Children[new YamlScalarNode("v")];
        return YamlFile.Write(root);
    }

    private static YamlMappingNode Root(string text, string path) => YamlFile.Parse(text, path, "settings").Root;

    /// <summary>A value as YAML: plain when it is a simple word, else double-quoted; lists in flow style.</summary>
    public static string Render(string value, bool list)
    {
        if (list)
        {
            var items = value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return "[" + string.Join(", ", items.Select(i => Render(i, false))) + "]";
        }
        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/') && value[0] != '-') return value;
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (char.IsControl(c) || c > 0x7e) sb.Append($"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}
