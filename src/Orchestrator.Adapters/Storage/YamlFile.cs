using Orchestrator.Core;
using Orchestrator.Core.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// A YAML mapping read with YamlDotNet's representation model (no reflection, works under
/// NativeAOT). Every accessor's error names the file and line of the offending value.
/// </summary>
public sealed class YamlFile
{
    private YamlFile(string path, YamlMappingNode root) { Path = path; Root = root; }

    public string Path { get; }
    public YamlMappingNode Root { get; }

    public static YamlFile Load(string path) => Parse(ReadText(path), path);

    public static YamlFile Parse(string text, string path)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException ex)
        {
            var m = ex.InnerException?.Message ?? ex.Message;
            var idx = m.IndexOf("): ", StringComparison.Ordinal);
            throw new OrcException($"{path}:{ex.Start.Line}: invalid YAML: {TerminalText.Line(idx > 0 ? m[(idx + 3)..] : m)}");
        }
        if (stream.Documents.Count == 0) return new YamlFile(path, new YamlMappingNode());
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new OrcException($"{path}:{stream.Documents[0].RootNode.Start.Line}: expected a mapping (key: value)");
        return new YamlFile(path, root);
    }

    private static string ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"{path}: cannot read: {ex.Message}");
        }
    }

    public IEnumerable<string> Keys => Root.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public YamlNode? Node(string key) =>
        Root.Children.TryGetValue(new YamlScalarNode(key), out var n) ? n : null;

    public long LineOf(string key) =>
        Root.Children.Keys.FirstOrDefault(k => (k as YamlScalarNode)?.Value == key)?.Start.Line ?? 1;

    public OrcException Error(string key, string message) => new($"{Path}:{LineOf(key)}: '{key}' {message}");

    public OrcException Error(YamlNode node, string message) => new($"{Path}:{node.Start.Line}: {message}");

    public string? String(string key)
    {
        var n = Node(key);
        if (n is null) return null;
        if (n is not YamlScalarNode s) throw Error(n, $"'{key}' must be a single value");
        return s.Value;
    }

    public string RequiredString(string key) =>
        String(key) is { Length: > 0 } s ? s : throw new OrcException($"{Path}:{Root.Start.Line}: '{key}' is required");

    public bool? Bool(string key)
    {
        var s = String(key);
        if (s is null) return null;
        return s.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(key, $"must be true or false, got '{TerminalText.Line(s)}'"),
        };
    }

    public int? Int(string key, int min, int max)
    {
        var s = String(key);
        if (s is null) return null;
        if (!int.TryParse(s, out var v) || v < min || v > max) throw Error(key, $"must be a whole number from {min} to {max}, got '{TerminalText.Line(s)}'");
        return v;
    }

    /// <summary>A list of strings; a single scalar counts as a one-element list.</summary>
    public List<string> Strings(string key) => Strings(Node(key), key);

    public List<string> Strings(YamlNode? n, string key)
    {
        if (n is null) return [];
        if (n is YamlScalarNode s) return string.IsNullOrEmpty(s.Value) ? [] : [s.Value];
        if (n is not YamlSequenceNode seq) throw Error(n, $"'{key}' must be a list of values");
        return seq.Children.Select(c => c is YamlScalarNode cs ? cs.Value ?? "" : throw Error(c, $"'{key}' must be a list of plain values")).ToList();
    }

    public Dictionary<string, string> Map(string key)
    {
        var n = Node(key);
        if (n is null) return [];
        if (n is not YamlMappingNode m) throw Error(n, $"'{key}' must be a mapping (NAME: value)");
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            if (k is not YamlScalarNode ks || v is not YamlScalarNode vs) throw Error(k, $"'{key}' entries must be NAME: value");
            d[ks.Value ?? ""] = vs.Value ?? "";
        }
        return d;
    }

    /// <summary>A nested mapping as its own YamlFile (same path, for messages).</summary>
    public YamlFile? Section(string key)
    {
        var n = Node(key);
        if (n is null) return null;
        if (n is not YamlMappingNode m) throw Error(n, $"'{key}' must be a mapping");
        return new YamlFile(Path, m);
    }

    /// <summary>A sequence of mappings (e.g. a profile's screens), each as its own YamlFile; empty when absent.</summary>
    public List<YamlFile> Sections(string key)
    {
        var n = Node(key);
        if (n is null) return [];
        if (n is not YamlSequenceNode seq) throw Error(n, $"'{key}' must be a list of mappings");
        return seq.Children.Select(c => c is YamlMappingNode m ? new YamlFile(Path, m) : throw Error(c, $"each entry of '{key}' must be a mapping")).ToList();
    }

    /// <summary>Fails on keys not in <paramref name="known"/>, naming the line: a typo must not be ignored silently.</summary>
    public void OnlyKeys(params string[] known)
    {
        foreach (var k in Root.Children.Keys)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(name))
                throw new OrcException($"{Path}:{k.Start.Line}: unknown setting '{TerminalText.Line(name)}' (known: {string.Join(", ", known)})");
        }
    }
}
