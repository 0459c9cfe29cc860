using Orchestrator.Core.Formulas;
using Orchestrator.Core.Text;
using Tomlyn.Parsing;

namespace Orchestrator.Adapters.Formulas;

/// <summary>
/// Reads one formula file (TOML). The shape, compatible with Gas Town's <c>*.formula.toml</c>:
/// <code>
/// formula = "bugfix"              # optional; the file name otherwise (NAME.formula.toml or NAME.toml)
/// description = "…"
/// title = "Fix: {{summary}}"      # optional: the molecule's title
/// extends = "base"                # optional: inherit another formula's vars and steps
/// [vars.summary]
/// description = "…"
/// required = true                 # or: default = "…"
/// [[steps]]
/// id = "reproduce"
/// title = "Reproduce {{summary}} with a failing test"
/// description = "…"
/// role = "polecat"                # optional
/// profile = "claude"              # optional
/// needs = ["other-step"]
/// </code>
/// Every problem is reported as FILE:LINE: message, with lines from Tomlyn's syntax tree.
/// </summary>
public static class FormulaFile
{
    public const int MaxBytes = 256 * 1024;
    public const string Extension = ".toml";
    public const string LongExtension = ".formula.toml";

    private static readonly string[] TopKeys = ["formula", "name", "description", "title", "extends", "version", "vars", "steps"];
    private static readonly string[] VarKeys = ["default", "required", "description"];
    private static readonly string[] StepKeys = ["id", "title", "description", "role", "profile", "needs"];

    /// <summary>The formula name a file stands for: its name without .formula.toml or .toml.</summary>
    public static string NameOf(string path)
    {
        var file = Path.GetFileName(path);
        if (file.EndsWith(LongExtension, StringComparison.Ordinal)) return file[..^LongExtension.Length];
        return file.EndsWith(Extension, StringComparison.Ordinal) ? file[..^Extension.Length] : file;
    }

    /// <summary>Reads a file from disk (at most 256 KB); <paramref name="shown"/> is how its path appears in errors.</summary>
    public static (Formula? Formula, List<FormulaError> Errors) Load(string path, string? shown = null)
    {
        shown ??= path;
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return (null, [new FormulaError(shown, 1, "no such file")]);
            if (info.Length > MaxBytes) return (null, [new FormulaError(shown, 1, $"larger than {MaxBytes / 1024} KB")]);
            text = new System.Text.UTF8Encoding(false, true).GetString(File.ReadAllBytes(path)).TrimStart('\uFEFF');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.DecoderFallbackException)
        {
            return (null, [new FormulaError(shown, 1, ex is System.Text.DecoderFallbackException ? "not UTF-8 text" : "cannot read: " + ex.Message)]);
        }
        return Parse(text, shown, NameOf(path));
    }

    /// <summary>Parses formula text; <paramref name="fileName"/> is the name the file stands for.</summary>
    public static (Formula? Formula, List<FormulaError> Errors) Parse(string text, string file, string fileName)
    {
        var errors = new List<FormulaError>();
        var doc = SyntaxParser.Parse(text, file, validate: true);
        foreach (var d in doc.Diagnostics)
            if (d.Kind == Tomlyn.Syntax.DiagnosticMessageKind.Error)
                errors.Add(new FormulaError(file, d.Span.Start.Line + 1, TerminalText.Line(d.Message)));
        if (errors.Count > 0) return (null, errors);

        var root = TomlTree.Fold(doc, file);
        var reader = new Reader(errors);
        reader.OnlyKeys(root, TopKeys, "");
        var nameNode = root["formula"] ?? root["name"];
        if (root["formula"] is not null && root["name"] is not null)
            errors.Add(root["name"]!.At.Error("give the name once: 'formula' or 'name', not both"));
        var name = reader.String(nameNode, "formula") ?? fileName;
        var at = nameNode?.At ?? root.At;
        if (nameNode is not null && name != fileName)
            errors.Add(at.Error($"the formula is named '{TerminalText.Line(name)}' but the file is {TerminalText.Line(fileName)}{LongExtension}; name them alike"));
        if (root["version"] is { } version && version is not TomlScalar { Value: long })
            errors.Add(version.At.Error("'version' must be an integer"));

        var vars = new List<FormulaVar>();
        if (reader.Table(root["vars"], "vars") is { } varTable)
            foreach (var (key, node) in varTable.Entries)
            {
                if (node is TomlScalar { Value: string shorthand })
                {
                    vars.Add(new FormulaVar { Name = key, Default = shorthand, At = node.At });
                    continue;
                }
                if (reader.Table(node, $"vars.{key}") is not { } v) continue;
                reader.OnlyKeys(v, VarKeys, $"vars.{key}.");
                vars.Add(new FormulaVar
                {
                    Name = key,
                    Default = reader.String(v["default"], $"vars.{key}.default"),
                    Required = reader.Bool(v["required"], $"vars.{key}.required"),
                    Description = reader.String(v["description"], $"vars.{key}.description"),
                    At = v.At,
                });
            }

        var steps = new List<FormulaStep>();
        if (root["steps"] is { } stepsNode)
        {
            if (stepsNode is not TomlList list) errors.Add(stepsNode.At.Error("'steps' must be an array of tables: write each step as [[steps]]"));
            else
                foreach (var item in list.Items)
                {
                    if (reader.Table(item, "steps") is not { } s) continue;
                    reader.OnlyKeys(s, StepKeys, "steps.");
                    var id = reader.String(s["id"], "steps.id");
                    if (id is null) { errors.Add(s.At.Error("a step needs an 'id'")); continue; }
                    steps.Add(new FormulaStep
                    {
                        Id = id,
                        Title = reader.Text(s["title"], "title"),
                        Description = reader.Text(s["description"], "description"),
                        Role = reader.Text(s["role"], "role"),
                        Profile = reader.Text(s["profile"], "profile"),
                        Needs = reader.Strings(s["needs"], "needs"),
                        NeedsAt = s["needs"]?.At,
                        At = s.At,
                    });
                }
        }

        var formula = new Formula
        {
            Name = name,
            File = file,
            At = at,
            Description = reader.Text(root["description"], "description"),
            Title = reader.Text(root["title"], "title"),
            Extends = reader.String(root["extends"], "extends"),
            ExtendsAt = root["extends"]?.At,
            Vars = vars,
            Steps = steps,
            Chain = [file],
        };
        errors.AddRange(FormulaRules.CheckOwn(formula));
        return (errors.Count == 0 ? formula : null, errors);
    }

    private sealed class Reader(List<FormulaError> errors)
    {
        public void OnlyKeys(TomlTableNode table, string[] known, string prefix)
        {
            foreach (var (key, node) in table.Entries)
                if (!known.Contains(key))
                    errors.Add(node.At.Error($"unknown key '{TerminalText.Line(prefix + key)}' (known here: {string.Join(", ", known)})"));
        }

        public TomlTableNode? Table(TomlNode? node, string key)
        {
            if (node is null) return null;
            if (node is TomlTableNode t) return t;
            errors.Add(node.At.Error($"'{key}' must be a table, not {node.Kind}"));
            return null;
        }

        public string? String(TomlNode? node, string key)
        {
            if (node is null) return null;
            if (node is TomlScalar { Value: string s }) return s;
            errors.Add(node.At.Error($"'{key}' must be a string, not {node.Kind}"));
            return null;
        }

        public FormulaText? Text(TomlNode? node, string key) =>
            String(node, key) is { } s ? new FormulaText(s, node!.At, (node as TomlScalar)?.Raw) : null;

        public bool? Bool(TomlNode? node, string key)
        {
            if (node is null) return null;
            if (node is TomlScalar { Value: bool b }) return b;
            errors.Add(node.At.Error($"'{key}' must be true or false, not {node.Kind}"));
            return null;
        }

        public List<string>? Strings(TomlNode? node, string key)
        {
            if (node is null) return null;
            if (node is TomlScalar { Value: string one }) return [one];
            if (node is TomlList l && l.Items.All(i => i is TomlScalar { Value: string }))
                return l.Items.Select(i => (string)((TomlScalar)i).Value).ToList();
            errors.Add(node.At.Error($"'{key}' must be an array of step ids, like [\"design\", \"plan\"]"));
            return null;
        }
    }
}
