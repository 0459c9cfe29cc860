using Orchestrator.Adapters.Profiles;
using Orchestrator.Adapters.Rigs;
using Orchestrator.Adapters.Storage;
using Orchestrator.Adapters.Workspace;
using Orchestrator.Core;
using Orchestrator.Core.Text;
using Orchestrator.Testing;
using Orchestrator.Tui.Config;

namespace Orchestrator.Integration.Tests.Config;

/// <summary>
/// Every kind of YAML file orc reads (workspace and user settings, a settings file being edited,
/// rigs, agent profiles, the TUI's layouts and themes), broken on purpose: the problem is one line,
/// <c>FILE:LINE: problem</c>, naming the right line, with the file's text made safe to print. All
/// of them are read by <see cref="YamlFile"/>, and no other source file parses YAML.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class YamlFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("orc-yaml-");

    public void Dispose() => _dir.Delete(recursive: true);

    public static TheoryData<string> Kinds => ["workspace", "user", "config-edit", "rig", "profile", "layout", "theme"];

    /// <summary>A first line each kind accepts, so that the broken part below it is on line 2.</summary>
    private static string FirstLine(string kind) => kind switch
    {
        "workspace" or "config-edit" => "version: 1\n",
        "user" => "notify: { bell: false }\n",
        "rig" => "name: app\n",
        _ => "name: broken\n",
    };

    /// <summary>Writes <paramref name="text"/> as a file of <paramref name="kind"/>, reads it as orc does, and returns the one-line problem and the file's
    /// path.</summary>
    private (string Message, string Path) Read(string kind, string text)
    {
        var name = kind == "rig" ? "app" : kind is "workspace" or "user" or "config-edit" ? "config" : "broken";
        var path = Path.Combine(_dir.FullName, name + ".yaml");
        File.WriteAllText(path, text);
        switch (kind)
        {
            case "layout":
                return (Problem(new LayoutCatalog(_dir.FullName).Load("broken").Warning, "; using the overview layout"), path);
            case "theme":
                return (Problem(new ThemeCatalog(_dir.FullName).Load("broken").Warning, "; using the dark theme"), path);
        }
        Action read = kind switch
        {
            "workspace" => () => WorkspaceConfig.Load(path),
            "user" => () => WorkspaceConfig.LoadUser(path),
            "config-edit" => () => ConfigEditor.Set(text, path, "notify.bell", "false"),
            "rig" => () => new RigStore(_dir.FullName).Find("app"),
            "profile" => () => _ = new ProfileCatalog([_dir.FullName]),
            _ => throw new ArgumentException(kind),
        };
        return (Assert.Throws<OrcException>(read).Message, path);
    }

    private static string Problem(string? warning, string fallback)
    {
        Assert.NotNull(warning);
        Assert.EndsWith(fallback, warning);
        return warning[..^fallback.Length];
    }

    private void AssertOneLine(string kind, string text, int line, string problem)
    {
        var (message, path) = Read(kind, text);
        Assert.StartsWith($"{path}:{line}: ", message);
        Assert.Contains(problem, message);
        Assert.False(TerminalText.HasControl(message, allowNewlines: false), message);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_syntax_error_names_the_file_and_line(string kind) =>
        AssertOneLine(kind, FirstLine(kind) + "oops: 'unclosed\n", 2, "invalid YAML: While scanning a quoted scalar");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_duplicate_key_names_the_second_one(string kind) =>
        AssertOneLine(kind, FirstLine(kind) + FirstLine(kind), 2, "invalid YAML: Duplicate key");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_unclosed_flow_list_is_an_error_not_a_crash(string kind) =>
        // YamlDotNet throws InvalidOperationException here, not a YamlException.
        AssertOneLine(kind, FirstLine(kind) + "oops: [30%\nmore: 2\n", 3, "invalid YAML: cannot read this (an unclosed [ or {?)");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_alias_inside_its_own_anchor_is_refused(string kind) =>
        AssertOneLine(kind, FirstLine(kind) + "? &loop [*loop]\n: 1\n", 2, "invalid YAML: the alias *loop is inside the node it names");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Nesting_too_deep_is_refused(string kind) =>
        AssertOneLine(kind, FirstLine(kind) + "deep: " + new string('[', 100_000) + new string(']', 100_000) + "\n", 2,
            $"invalid YAML: nested more than {YamlFile.MaxDepth} levels deep");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_unknown_alias_names_its_line(string kind) =>
        AssertOneLine(kind, FirstLine(kind) + "oops: *nowhere\n", 2, "invalid YAML: the alias *nowhere names no anchor (&nowhere) before it");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Control_characters_from_the_file_are_escaped(string kind) =>
        AssertOneLine(kind, FirstLine(kind) + "\"\\e]0;pwned\\a\": 1\n\"\\e]0;pwned\\a\": 2\n", 3, "Duplicate key \\e]0;pwned\\x07");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_file_that_is_not_a_mapping_names_its_first_line(string kind) =>
        AssertOneLine(kind, "# a list, not settings\n- a\n- b\n", 2, "expected a mapping");

    [Theory]
    [InlineData("workspace", "version: 1\nprefix: [a, b]\n", 2, "'prefix' must be a single value")]
    [InlineData("user", "notify: { bell: false }\nmayor:\n  grace: soon\n", 3, "'mayor.grace' must be a number of seconds from 0 to 3600, got 'soon'")]
    [InlineData("rig", "name: app\nsource: /x\nprefix: ap\ndefault_branch: main\nmax_polecats: many\n", 5, "'max_polecats' must be a whole number")]
    [InlineData("profile", "name: broken\ncommand: x\nargs: { a: 1 }\n", 3, "'args' must be a list of values")]
    [InlineData("layout", "name: broken\ncolumns: 3\n", 2, "'columns' must be a list")]
    [InlineData("theme", "name: broken\ncolors: [red]\n", 2, "'colors' must be a mapping")]
    public void A_value_of_the_wrong_type_names_its_line(string kind, string text, int line, string problem) =>
        AssertOneLine(kind, text, line, problem);

    [Fact]
    public void An_empty_file_a_comment_or_a_bare_document_start_is_an_empty_mapping()
    {
        foreach (var text in new[] { "", "# nothing yet\n", "---\n", "--- # nothing\n...\n" })
            Assert.Empty(YamlFile.Parse(text, "x.yaml").Root.Children);
    }

    [Fact]
    public void Anchors_and_aliases_that_do_not_loop_still_read()
    {
        var y = YamlFile.Parse("a: &x [1, 2]\nb: *x\nc: &x 3\nd: *x\ne: &y [&y 4, *y]\n", "x.yaml");
        Assert.Equal(["1", "2"], y.Strings("b"));
        Assert.Equal("3", y.String("d"));
        Assert.Equal(["4", "4"], y.Strings("e"));
    }

    /// <summary>The YamlDotNet calls that read YAML text, found anywhere in src but the one reader.</summary>
    private static readonly string[] Parsing = ["YamlStream", "new Parser(", "new Scanner(", "MergingParser", "Deserializer", "YamlDotNet.Serialization"];

    [Fact]
    public void No_source_file_but_YamlFile_parses_YAML()
    {
        var src = Path.Combine(CommandText.RepoRoot, "src");
        var reader = Path.Combine(src, "Orchestrator.Adapters", "Storage", "YamlFile.cs");
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            if (file == reader || file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
                foreach (var word in Parsing.Where(w => lines[i].Contains(w, StringComparison.Ordinal)))
                    found.Add($"{Path.GetRelativePath(CommandText.RepoRoot, file)}:{i + 1}: {word}");
        }
        Assert.True(File.Exists(reader), reader);
        Assert.True(found.Count == 0, "YAML is parsed only by src/Orchestrator.Adapters/Storage/YamlFile.cs:\n" + string.Join('\n', found));
    }
}
