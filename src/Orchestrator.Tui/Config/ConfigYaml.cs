using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Text;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Tui.Config;

/// <summary>
/// Reading layout and theme files: the text is parsed by <see cref="YamlFile"/>, and this walks the
/// nodes. Every error is an <see cref="OrcException"/> reading <c>FILE:LINE: problem</c>.
/// </summary>
internal sealed class ConfigYaml(string path)
{
    public string Path { get; } = path;

    /// <summary>The document's top mapping (read by <see cref="YamlFile"/>, orc's one YAML reader); an empty file is an empty mapping.</summary>
    public YamlMappingNode Root(string text) => YamlFile.Parse(text, Path).Root;

    public OrcException Error(YamlNode node, string message) => new($"{Path}:{Math.Max(1, node.Start.Line)}: {message}");

    /// <summary>Fails on keys not in <paramref name="known"/>, naming the line: a typo must not be ignored silently.</summary>
    public void OnlyKeys(YamlMappingNode map, string where, params string[] known)
    {
        foreach (var k in map.Children.Keys)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(name, StringComparer.Ordinal))
                throw Error(k, $"unknown key '{Clip(name)}'{where} (known: {string.Join(", ", known)})");
        }
    }

    public static YamlNode? Node(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var n) ? n : null;

    public static YamlNode KeyNode(YamlMappingNode map, string key) =>
        map.Children.Keys.FirstOrDefault(k => (k as YamlScalarNode)?.Value == key) ?? map;

    /// <summary>The value of <paramref name="key"/> as a single value; null when the key is absent.</summary>
    public string? Scalar(YamlMappingNode map, string key)
    {
        var n = Node(map, key);
        if (n is null) return null;
        if (n is not YamlScalarNode s) throw Error(n, $"'{key}' must be a single value");
        return s.Value ?? "";
    }

    public YamlMappingNode? Mapping(YamlMappingNode map, string key)
    {
        var n = Node(map, key);
        if (n is null || n is YamlScalarNode { Value: null or "" }) return null;
        return n as YamlMappingNode ?? throw Error(n, $"'{key}' must be a mapping (key: value)");
    }

    public YamlSequenceNode? Sequence(YamlMappingNode map, string key)
    {
        var n = Node(map, key);
        if (n is null || n is YamlScalarNode { Value: null or "" }) return null;
        return n as YamlSequenceNode ?? throw Error(n, $"'{key}' must be a list (lines starting with '- ')");
    }

    /// <summary>The optional <c>name:</c>, which must match the file's name when present.</summary>
    public void CheckName(YamlMappingNode root, string fileName)
    {
        var name = Scalar(root, "name");
        if (name is not null && name != fileName)
            throw Error(Node(root, "name")!, $"'name' is '{Clip(name)}' but the file is named {fileName}.yaml");
    }

    /// <summary>Text from a file made safe to show in a message: one line, no control characters, not too long.</summary>
    public static string Clip(string text)
    {
        var line = TerminalText.Line(text);
        return line.Length <= 40 ? line : line[..40] + "…";
    }
}
