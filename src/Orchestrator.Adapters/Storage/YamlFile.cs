using Orchestrator.Core;
using Orchestrator.Core.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// A YAML mapping read with YamlDotNet's representation model (no reflection, works under
/// NativeAOT). The one place orc parses YAML: every file it reads (workspace and user settings,
/// rigs, agent profiles, the TUI's layouts and themes) comes through <see cref="Parse"/>, and
/// every problem, from a syntax error to a value of the wrong kind, is an <see cref="OrcException"/>
/// of one line, <c>FILE:LINE: problem</c>, with the file's own text made safe to print.
/// </summary>
public sealed class YamlFile
{
    /// <summary>Deeper nesting than this is refused: no orc file needs more, and YamlDotNet recurses once a level.</summary>
    public const int MaxDepth = 64;

    private YamlFile(string path, YamlMappingNode root) { Path = path; Root = root; }

    public string Path { get; }
    public YamlMappingNode Root { get; }

    public static YamlFile Load(string path) => Parse(ReadText(path), path);

    /// <summary>
    /// The text's first document as a mapping; an empty document (no text, only comments, or a bare
    /// <c>---</c>) is an empty mapping. <paramref name="what"/> names the mapping in the error when the
    /// document is something else ("settings": "expected a mapping of settings (key: value)").
    /// </summary>
    public static YamlFile Parse(string text, string path, string? what = null)
    {
        var root = ParseDocument(text, path);
        if (root is null or YamlScalarNode { Value: null or "" }) return new YamlFile(path, new YamlMappingNode());
        if (root is not YamlMappingNode mapping)
            throw new OrcException($"{path}:{LineOf(root)}: expected a mapping{(what is null ? "" : " of " + what)} (key: value)");
        return new YamlFile(path, mapping);
    }

    /// <summary>The first document's root node (null when the text has none), or an error reading <c>FILE:LINE: invalid YAML: ...</c>.</summary>
    private static YamlNode? ParseDocument(string text, string path)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        var parser = new GuardedParser(new Parser(scanner));
        try { stream.Load(parser); }
        catch (YamlException ex)
        {
            var m = ex.InnerException?.Message ?? ex.Message;
            var idx = m.IndexOf("): ", StringComparison.Ordinal);
            m = idx > 0 ? m[(idx + 3)..] : m;
            if (m.Contains("anchor or alias", StringComparison.Ordinal)) m += " (a bare * starts a YAML alias: write \"*\")";
            throw new OrcException($"{path}:{Math.Max(1, ex.Start.Line)}: invalid YAML: {TerminalText.Line(m)}");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // YamlDotNet 18 fails with InvalidOperationException on some unclosed flow collections
            // ("[30%" then a new key); whatever else it throws, the text is what it cannot read.
            var line = Math.Max(1, Math.Max(scanner.CurrentPosition.Line, parser.Line));
            throw new OrcException($"{path}:{line}: invalid YAML: cannot read this (an unclosed [ or {{?)");
        }
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    private static long LineOf(YamlNode node) => Math.Max(1, node.Start.Line);

    /// <summary>The YAML text of <paramref name="root"/> (a whole file, without the trailing <c>...</c>).</summary>
    public static string Write(YamlMappingNode root)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var s = writer.ToString();
        return s.EndsWith("...\n", StringComparison.Ordinal) ? s[..^4] : s;
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

    public OrcException Error(YamlNode node, string message) => new($"{Path}:{LineOf(node)}: {message}");

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

    /// <summary>
    /// The parser's events, checked on the way to the representation model, which recurses: nesting
    /// deeper than <see cref="MaxDepth"/>, an alias inside the node it names (<c>&amp;x [*x]</c>, a loop
    /// that overflows the stack of whatever walks it), and an alias before its anchor (YamlDotNet would
    /// name the wrong line) are refused as a YAML error on their own line.
    /// </summary>
    private sealed class GuardedParser(IParser inner) : IParser
    {
        private readonly Stack<string?> _collections = new();
        private readonly Dictionary<string, bool> _anchorOpen = new(StringComparer.Ordinal);

        /// <summary>The line of the last event read.</summary>
        public long Line { get; private set; }

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext()) return false;
            var e = inner.Current!;
            Line = e.Start.Line;
            switch (e)
            {
                case AnchorAlias alias:
                    if (!_anchorOpen.TryGetValue(alias.Value.Value, out var open))
                        throw new YamlException(e.Start, e.End, $"the alias *{alias.Value.Value} names no anchor (&{alias.Value.Value}) before it");
                    if (open) throw new YamlException(e.Start, e.End, $"the alias *{alias.Value.Value} is inside the node it names (a loop)");
                    break;
                case DocumentStart:
                    _anchorOpen.Clear();
                    break;
                case MappingStart or SequenceStart:
                    var anchor = ((NodeEvent)e).Anchor;
                    _collections.Push(anchor.IsEmpty ? null : anchor.Value);
                    if (!anchor.IsEmpty) _anchorOpen[anchor.Value] = true;
                    if (_collections.Count > MaxDepth) throw new YamlException(e.Start, e.End, $"nested more than {MaxDepth} levels deep");
                    break;
                case MappingEnd or SequenceEnd:
                    if (_collections.TryPop(out var name) && name is not null) _anchorOpen[name] = false;
                    break;
                case Scalar { Anchor.IsEmpty: false } scalar:
                    _anchorOpen[scalar.Anchor.Value] = false;
                    break;
            }
            return true;
        }
    }
}
