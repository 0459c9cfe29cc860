using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Adapters.Storage;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Cli;
using Orchestrator.Core.Merging;
using Orchestrator.Testing;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Integration.Tests;

/// <summary>
/// The docs match the code: README.md and docs/*.md examples parse against the real command tree,
/// docs/cli.md has a section for every verb (and none for a verb that does not exist), the
/// documented --json shapes are what the verbs print in a real workspace, every documented verb
/// is run by some test, and the CI workflow is valid YAML that runs what .ci/run and the docs say.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed partial class DocsTests
{
    private static string RepoRoot => CommandText.RepoRoot;

    private static IEnumerable<string> DocFiles() => CommandText.DocFiles();

    private static string CliDoc => File.ReadAllText(Path.Combine(RepoRoot, "docs", "cli.md"));

    /// <summary>Every command of the tree (hidden ones too), as "orc a b".</summary>
    private static List<(string Path, Command Command)> Tree(Command c, string path)
    {
        var list = new List<(string, Command)> { (path, c) };
        foreach (var s in c.Subcommands) list.AddRange(Tree(s, path + " " + s.Name));
        return list;
    }

    [GeneratedRegex(@"^#{2,4} `(orc(?: [a-z0-9-]+)*)`\s*$", RegexOptions.Multiline)]
    private static partial Regex VerbHeading();

    // ---- example files --------------------------------------------------------------------------

    /// <summary>
    /// A ```yaml block of the docs whose first line names a profile file (<c># …/profiles/NAME.yaml</c>)
    /// is a profile orc reads as it stands, so the "how to add one" example cannot rot.
    /// </summary>
    [Fact]
    public void Every_profile_example_in_the_docs_is_a_profile_orc_reads()
    {
        var examples = new List<string>();
        foreach (var file in DocFiles())
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"^```yaml\n# \S*profiles/([a-z0-9-]+)\.yaml\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline))
            {
                var name = m.Groups[1].Value;
                var profile = Orchestrator.Adapters.Profiles.ProfileCatalog.Parse(YamlFile.Parse(m.Groups[2].Value, $"{Path.GetFileName(file)}: {name}.yaml"), name);
                Assert.Equal(name, profile.Name);
                Assert.False(string.IsNullOrEmpty(profile.Command), $"{file}: {name}.yaml has no command");
                examples.Add(name);
            }
        Assert.Contains("mybot", examples); // the README's example is found (the pattern still matches it)
    }

    // ---- examples ----------------------------------------------------------------------------

    [Fact]
    public void Every_example_in_the_docs_parses_against_the_command_tree()
    {
        var (root, services) = CommandText.Root();
        using var _ = services;
        var examples = DocFiles().SelectMany(f => CommandText.InMarkdown(f, shellBlocksOnly: true)).ToList();
        Assert.True(examples.Count > 25, $"only {examples.Count} examples found: is the ```sh block convention still followed?");
        var bad = CommandText.Unparsable(root, examples);
        Assert.True(bad.Count == 0, "examples that do not parse:\n" + string.Join("\n", bad));
    }

    // ---- the verb reference ------------------------------------------------------------------

    [Fact]
    public void Every_verb_has_a_section_in_the_docs_and_every_section_names_a_verb()
    {
        var (root, services) = CommandText.Root();
        using var _ = services;
        var tree = Tree(root, "orc").Select(t => t.Path).Where(p => p != "orc").ToHashSet();
        var inCli = VerbHeading().Matches(CliDoc).Select(m => m.Groups[1].Value).ToList();
        var inAnyDoc = Directory.GetFiles(Path.Combine(RepoRoot, "docs"), "*.md")
            .SelectMany(f => VerbHeading().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).ToHashSet();
        var undocumented = tree.Where(p => !inAnyDoc.Contains(p)).Order(StringComparer.Ordinal).ToList();
        var unknown = inCli.Where(p => !tree.Contains(p)).ToList();
        var twice = inCli.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(undocumented.Count == 0, "verbs with no '### `orc …`' section in docs/: " + string.Join(", ", undocumented));
        Assert.True(unknown.Count == 0, "docs/cli.md documents verbs the command tree does not have: " + string.Join(", ", unknown));
        Assert.True(twice.Count == 0, "docs/cli.md documents these twice: " + string.Join(", ", twice));
    }

    [Fact]
    public void Every_documented_option_exists_on_its_verb()
    {
        var (root, services) = CommandText.Root();
        using var _ = services;
        var commands = Tree(root, "orc").ToDictionary(t => t.Path, t => t.Command);
        var bad = new List<string>();
        var checkedOptions = 0;
        string? current = null;
        foreach (var line in CliDoc.Split('\n'))
        {
            var h = VerbHeading().Match(line);
            if (h.Success) { current = h.Groups[1].Value; continue; }
            if (line.StartsWith("## JSON output", StringComparison.Ordinal)) break;
            var o = Regex.Match(line, @"^- `(-[^`<]+?)(?: <[^`]+>)?`:");
            if (current is null || !o.Success || !commands.TryGetValue(current, out var cmd)) continue;
            checkedOptions++;
            foreach (var name in o.Groups[1].Value.Split(", "))
                if (!cmd.Options.Any(x => x.Name == name || x.Aliases.Contains(name)) && !root.Options.Any(x => x.Name == name))
                    bad.Add($"{current} {name}");
        }
        Assert.True(checkedOptions > 100, $"only {checkedOptions} documented options found: has the '- `--option <value>`: …' form changed?");
        Assert.True(bad.Count == 0, "options in docs/cli.md the verb does not have: " + string.Join(", ", bad));
    }

    // ---- limits ------------------------------------------------------------------------------

    [Fact]
    public void The_documented_limits_are_the_ones_the_code_checks()
    {
        var section = CliDoc[CliDoc.IndexOf("\n## Limits\n", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var rows = section.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| what", StringComparison.Ordinal)).ToList();
        string Row(string start) => rows.SingleOrDefault(r => r.StartsWith("| " + start, StringComparison.Ordinal)) ?? throw new InvalidOperationException($"docs/cli.md, Limits: no row for '{start}'");
        (string Row, int[] Values)[] expected =
        [
            ("title", [Orchestrator.Core.Items.ItemLimits.TitleLength]),
            ("description", [Orchestrator.Core.Items.ItemLimits.TextLength]),
            ("labels", [Orchestrator.Core.Items.ItemLimits.Labels, Orchestrator.Core.Items.ItemLimits.LabelLength]),
            ("assignee", [Orchestrator.Core.Items.ItemLimits.NameLength]),
            ("files", [Orchestrator.Core.Items.ItemLimits.Files, Orchestrator.Core.Items.ItemLimits.PathLength]),
            ("dependencies", [Orchestrator.Core.Items.ItemLimits.Dependencies]),
            ("fields orc does not know", [Orchestrator.Core.Items.ItemLimits.UnknownFieldsLength]),
        ];
        foreach (var (start, values) in expected)
        {
            var numbers = Regex.Matches(Row(start), @"\d[\d,]*").Select(m => int.Parse(m.Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.True(numbers.SequenceEqual(values), $"docs/cli.md, Limits, '{start}': says {string.Join(", ", numbers)}; the code checks {string.Join(", ", values)}");
        }
        Assert.Equal(expected.Length, rows.Count);
    }

    // ---- exit codes --------------------------------------------------------------------------

    [Fact]
    public void Exit_codes_follow_the_documented_rule()
    {
        Assert.Contains("| 3 | not found", CliDoc);
        using var ws = new TempWorkspace();
        ws.Env["ORC_TMUX_SOCKET"] = "orc-test-" + Guid.NewGuid().ToString("N")[..10]; // never started: no agent exists
        string[][] notFound =
        [
            ["item", "show", "hq-zzzz"], ["rig", "show", "nope"], ["convoy", "show", "nope"], ["mq", "show", "hq-zzzz"],
            ["formula", "show", "nope"], ["mol", "status", "nope"], ["history", "hq-zzzz"], ["peek", "nope"],
            ["mail", "read", "m-zzzzzz"], ["learn", "remove", "ln-zzzzzz"],
            ["import", "missing.jsonl"], ["formula", "check", "missing.toml"],
        ];
        foreach (var args in notFound)
        {
            var r = ws.Orc(args);
            Assert.True(r.ExitCode == 3, $"orc {string.Join(' ', args)}: {r}");
            Assert.StartsWith("orc: error: ", r.Err);
        }
        var usage = ws.Orc("item", "list", "--no-such-option");
        Assert.True(usage.ExitCode == 2, usage.ToString());
        var subject = ws.Orc("mail", "send", "overseer", "");
        Assert.True(subject.ExitCode == 2, subject.ToString());
        var tui = ws.Orc("tui"); // the test host's streams are not a terminal
        Assert.True(tui.ExitCode == 2, tui.ToString());
        Assert.Contains("needs a terminal", tui.Err);

        var outside = Path.Combine(Path.GetTempPath(), "orc-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(outside);
        try
        {
            var none = ws.Run(["ready"], null, null, cwd: outside);
            Assert.True(none.ExitCode == 4, none.ToString());
        }
        finally { Directory.Delete(outside, true); }
    }

    [Fact]
    public void Attach_without_a_terminal_is_a_usage_error_like_the_tui()
    {
        TmuxServer.CheckVersion();
        using var ws = new TempWorkspace();
        var socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
        ws.Env["ORC_TMUX_SOCKET"] = socket;
        var source = RigFixture.CreateSource(ws);
        try
        {
            Assert.Equal(0, ws.Orc("rig", "add", "app", source).ExitCode);
            Assert.Equal(0, ws.Orc("crew", "add", "ada", "--rig", "app").ExitCode);
            var start = ws.Orc("crew", "start", "ada");
            Assert.True(start.ExitCode == 0, start.ToString());
            var attach = ws.Orc("crew", "attach", "ada"); // not inside its tmux, and no terminal
            Assert.True(attach.ExitCode == 2, attach.ToString());
            Assert.Contains("needs a terminal", attach.Err);
        }
        finally
        {
            using (var tmux = new TmuxServer(socket, Path.Combine(ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(ws.Root, ".orc", "locks"))) PrivateTmux.Stop(tmux, ws.Root);
            RigFixture.DeleteSource(source);
        }
    }

    // ---- --json shapes -----------------------------------------------------------------------

    private sealed record Field(string Name, string Type, bool Optional);

    /// <summary>The "shape NAME" tables of docs/cli.md.</summary>
    private static Dictionary<string, List<Field>> Shapes()
    {
        var shapes = new Dictionary<string, List<Field>>();
        List<Field>? current = null;
        foreach (var line in CliDoc.Split('\n'))
        {
            var h = Regex.Match(line, @"^#### shape `([a-z-]+)`");
            if (h.Success) { shapes[h.Groups[1].Value] = current = []; continue; }
            if (line.StartsWith('#')) { current = null; continue; }
            var row = Regex.Match(line, @"^\| `([a-z_]+)` \| ([a-z\[\]]+) \| (.*)\|\s*$");
            if (current is not null && row.Success)
                current.Add(new Field(row.Groups[1].Value, row.Groups[2].Value, row.Groups[3].Value.TrimStart().StartsWith("optional", StringComparison.Ordinal)));
        }
        return shapes;
    }

    /// <summary>The "What each verb prints" table: verb → (array?, shape).</summary>
    private static Dictionary<string, (bool Array, string Shape)> Prints()
    {
        var map = new Dictionary<string, (bool, string)>();
        foreach (Match m in Regex.Matches(CliDoc, @"^\| `(orc [a-z -]+)` \| (array of )?`([a-z-]+)`", RegexOptions.Multiline))
            map[m.Groups[1].Value] = (m.Groups[2].Success, m.Groups[3].Value);
        return map;
    }

    private static string TypeOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        _ => "null",
    };

    private static IEnumerable<string> Mismatches(string verb, JsonElement obj, List<Field> shape, IEnumerable<string> extra)
    {
        var documented = shape.ToDictionary(f => f.Name);
        foreach (var p in obj.EnumerateObject())
        {
            if (extra.Contains(p.Name)) continue;
            if (!documented.TryGetValue(p.Name, out var f)) { yield return $"{verb}: field '{p.Name}' is not documented"; continue; }
            var want = f.Type.EndsWith("[]", StringComparison.Ordinal) ? "array" : f.Type;
            if (TypeOf(p.Value) != want) yield return $"{verb}: field '{p.Name}' is {TypeOf(p.Value)}, documented as {f.Type}";
        }
        foreach (var f in shape.Where(f => !f.Optional))
            if (!obj.TryGetProperty(f.Name, out _)) yield return $"{verb}: documented field '{f.Name}' is missing";
    }

    [Fact]
    public void The_documented_json_shapes_are_the_fields_of_the_types_that_print_them()
    {
        var shapes = Shapes();
        var nullability = new System.Reflection.NullabilityInfoContext();
        var problems = new List<string>();
        foreach (var (name, type) in Orchestrator.Cli.Output.Json.CliJsonContext.Shapes)
        {
            if (!shapes.TryGetValue(name, out var doc)) { problems.Add($"shape {name} ({type.Name}): no '#### shape `{name}`' table in docs/cli.md"); continue; }
            // "A `review` with these fields added": the table lists only what it adds to its base.
            if (Regex.Match(CliDoc, $@"#### shape `{name}`\s+A `([a-z-]+)` with these fields added") is { Success: true } b) doc = [.. shapes[b.Groups[1].Value], .. doc];
            var info = Orchestrator.Cli.Output.Json.CliJsonContext.Default.GetTypeInfo(type)!;
            foreach (var f in doc.Where(f => info.Properties.All(p => p.Name != f.Name)))
                problems.Add($"shape {name}: documented field '{f.Name}' is not a property of {type.Name}");
            foreach (var p in info.Properties)
            {
                if (doc.FirstOrDefault(f => f.Name == p.Name) is not { } f) { problems.Add($"shape {name}: {type.Name} prints '{p.Name}', which is not documented"); continue; }
                var want = f.Type.EndsWith("[]", StringComparison.Ordinal) ? "array" : f.Type;
                if (KindOf(p.PropertyType) != want) problems.Add($"shape {name}: '{p.Name}' is {KindOf(p.PropertyType)} in {type.Name}, documented as {f.Type}");
                var clr = p.AttributeProvider as System.Reflection.PropertyInfo;
                var mayBeLeftOut = clr is not null && nullability.Create(clr).ReadState == System.Reflection.NullabilityState.Nullable
                    && clr.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), true).Length == 0;
                if (mayBeLeftOut && !f.Optional) problems.Add($"shape {name}: '{p.Name}' is left out when null, but not documented as optional");
            }
        }
        // Every documented shape is printed from a type: the item (the ledger's own shape) and the event (the event log's record) from theirs.
        foreach (var name in shapes.Keys.Except(["item", "event"]).Where(n => !Orchestrator.Cli.Output.Json.CliJsonContext.Shapes.ContainsKey(n)))
            problems.Add($"shape {name}: no view type prints it (CliJsonContext.Shapes)");
        Assert.Empty(problems);
    }

    private static string KindOf(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(string)) return "string";
        if (t == typeof(bool)) return "boolean";
        if (t.IsPrimitive || t == typeof(decimal)) return "number";
        if (typeof(System.Collections.IDictionary).IsAssignableFrom(t)) return "object";
        return typeof(System.Collections.IEnumerable).IsAssignableFrom(t) ? "array" : "object";
    }

    [Fact]
    public void The_documented_json_shapes_are_what_the_read_verbs_print()
    {
        var shapes = Shapes();
        var prints = Prints();
        Assert.True(prints.Count > 40, $"only {prints.Count} rows in 'What each verb prints'");
        foreach (var (verb, (_, shape)) in prints) Assert.True(shapes.ContainsKey(shape), $"{verb}: no '#### shape `{shape}`' table");

        using var ws = new TempWorkspace();
        var socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
        ws.Env["ORC_TMUX_SOCKET"] = socket;
        var source = RigFixture.CreateSource(ws);
        try
        {
            var runs = new List<(string Verb, string Json)>();
            string Run(params string[] args)
            {
                var r = ws.Orc([.. args, "--json"]);
                Assert.True(r.ExitCode == 0, $"orc {string.Join(' ', args)}: {r}");
                var verb = Enumerable.Range(1, args.Length).Select(n => "orc " + string.Join(' ', args.Take(n))).LastOrDefault(prints.ContainsKey) ?? "orc " + args[0];
                runs.Add((verb, r.Out));
                return r.Out;
            }
            string Id(string json) => JsonDocument.Parse(json).RootElement.GetProperty("id").GetString()!;

            Assert.Equal(0, ws.Orc("rig", "add", "app", source).ExitCode);
            var epic = Id(Run("item", "create", "Checkout", "-t", "epic"));
            var a = Id(Run("item", "create", "Cart", "--parent", epic, "--file", "README.md", "-d", "the cart", "-l", "ui"));
            var b = Id(Run("item", "create", "Pay", "--prefix", "app"));
            Run("item", "dep", "add", b, a);
            Run("item", "update", b, "--title", "Pay now");
            Run("item", "comment", a, "looks good");
            Run("item", "label", "add", b, "money");
            Run("item", "label", "remove", b, "money");
            var c = Id(Run("item", "create", "Spare"));
            Run("item", "close", c);
            Run("item", "reopen", c);
            Run("item", "dep", "add", c, b);
            Run("item", "dep", "remove", c, b);
            Run("item", "list");
            Run("item", "show", a);
            Run("item", "search", "cart");
            var finished = Id(Run("item", "create", "Finished epic", "-t", "epic"));
            Run("item", "close", Id(Run("item", "create", "Its only child", "--parent", finished)));
            Run("item", "reopen", finished);
            Run("item", "close-eligible", "--dry-run");
            Run("item", "duplicate", Id(Run("item", "create", "Cart again")), "--of", a);
            Run("item", "supersede", Id(Run("item", "create", "Old pay")), "--by", b);
            Run("item", "label", "list");
            var gone = Id(Run("item", "create", "Unwanted"));
            Run("item", "delete", gone, "--reason", "not needed");
            Run("item", "dep", "tree", b);
            Run("ready");
            Run("blocked");
            Run("stats");
            var export = Path.Combine(ws.Root, "export.jsonl");
            Assert.Equal(0, ws.Orc("export", export).ExitCode);
            Run("import", export);
            File.Delete(export); // a file left in the workspace would be a problem for 'orc doctor'
            Run("rig", "list");
            Run("rig", "show", "app");
            Assert.Equal(0, ws.Orc("crew", "add", "ada", "--rig", "app").ExitCode);
            Run("agents");
            Run("crew", "list");
            Run("hook", "--agent", "ada");
            Run("mayor", "status");
            Run("status");
            Run("config", "list");
            Run("doctor");
            var sent = JsonDocument.Parse(Run("mail", "send", "overseer", "Hello", "--body", "hi", "--item", a)).RootElement[0].GetProperty("id").GetString()!;
            Run("mail", "inbox");
            Run("mail", "read", sent);
            Run("mail", "reply", sent, "thanks");
            Run("feed");
            Assert.Equal(0, ws.Orc("convoy", "create", "cv", a, b).ExitCode);
            Run("convoy", "list");
            Run("convoy", "show", "cv");
            Run("convoy", "report", "cv");
            Run("plan", "cv");
            Run("learn", "add", "Run make gen first", "--rig", "app", "--tag", "gate");
            Run("learn", "list");
            Run("formula", "list");
            Run("formula", "show", "bugfix");
            Run("pour", "bugfix", "--var", "bug=flaky");
            var wisp = Id(Run("wisp", "code-review", "--var", "branch=main"));
            Run("mol", "list");
            Run("mol", "status", wisp);
            Run("mol", "progress", wisp);
            Run("mol", "close", wisp, "read");
            var wisp2 = Id(Run("wisp", "code-review", "--var", "branch=main"));
            Run("mol", "squash", wisp2);
            Run("history", a);
            Assert.Equal(0, ws.Orc("convoy", "add", "cv", c).ExitCode);
            Assert.Equal(0, ws.Orc("convoy", "remove", "cv", c).ExitCode);

            // A submission as 'orc done' records it (mq/RIG/ITEM.json), for the merge-queue verbs.
            var sub = new Submission
            {
                Item = b, Rig = "app", Agent = "nux", Branch = "polecat/nux/" + b, Commit = new string('a', 40),
                BaseCommit = new string('b', 40), SubmittedAt = "2026-11-23T10:00:00Z", Commits = [new string('a', 40)], Note = "done",
            };
            Directory.CreateDirectory(Path.Combine(ws.Root, "mq", "app"));
            File.WriteAllText(Path.Combine(ws.Root, "mq", "app", b + ".json"), JsonSerializer.Serialize(sub, OrcJsonContext.Default.Submission));
            Run("mq", "list");
            Run("mq", "show", b);
            // The same submission held for review, for 'orc review list' ('orc review show' needs real commits: ReviewTests).
            File.WriteAllText(Path.Combine(ws.Root, "mq", "app", b + ".json"), JsonSerializer.Serialize(sub with
            {
                State = SubmissionStates.Review, Candidate = new string('c', 40), Onto = new string('b', 40), GateVerdict = "green", ReviewSince = "2026-11-23T10:05:00Z",
            }, OrcJsonContext.Default.Submission));
            Run("review", "list");
            // An item a sling queued over capacity (dispatch/ITEM.json), for 'orc dispatch list'.
            Directory.CreateDirectory(Path.Combine(ws.Root, "dispatch"));
            File.WriteAllText(Path.Combine(ws.Root, "dispatch", c + ".json"), JsonSerializer.Serialize(
                new Orchestrator.Core.Agents.DispatchEntry { Item = c, Rig = "app", QueuedAt = "2026-11-23T10:00:00Z", By = "tester", Profile = "sim" }, OrcJsonContext.Default.DispatchEntry));
            Run("dispatch", "list");
            Assert.Equal(0, ws.Orc("convoy", "close", "cv").ExitCode);

            // Verbs whose output needs a live agent or a landed convoy are checked elsewhere:
            // sling (AgentRuntimeTests), learn from-convoy (LearningTests).
            string[] notRunHere = ["orc sling", "orc learn from-convoy", "orc review show"];
            var missing = prints.Keys.Where(v => !notRunHere.Contains(v) && runs.All(r => r.Verb != v)).ToList();
            Assert.True(missing.Count == 0, "documented --json verbs this test did not run: " + string.Join(", ", missing));

            var problems = new List<string>();
            foreach (var (verb, json) in runs)
            {
                Assert.True(prints.TryGetValue(verb, out var doc), $"{verb} printed JSON but 'What each verb prints' has no row for it");
                var root = JsonDocument.Parse(json).RootElement;
                var extra = verb == "orc blocked" ? new[] { "blocked_by_count", "blocked_by" } : [];
                if (doc.Array)
                {
                    if (root.ValueKind != JsonValueKind.Array) { problems.Add($"{verb}: documented as an array, printed {root.ValueKind}"); continue; }
                    if (root.GetArrayLength() == 0) { problems.Add($"{verb}: printed an empty array; the test should give it something to list"); continue; }
                    foreach (var e in root.EnumerateArray()) problems.AddRange(Mismatches(verb, e, shapes[doc.Shape], extra));
                }
                else if (root.ValueKind != JsonValueKind.Object) problems.Add($"{verb}: documented as an object, printed {root.ValueKind}");
                else problems.AddRange(Mismatches(verb, root, shapes[doc.Shape], extra));
            }
            Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
        }
        finally
        {
            using (var tmux = new TmuxServer(socket, Path.Combine(ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(ws.Root, ".orc", "locks"))) PrivateTmux.Stop(tmux, ws.Root);
            RigFixture.DeleteSource(source);
        }
    }

    // ---- every documented verb is exercised ------------------------------------------------

    [Fact]
    public void Every_documented_verb_is_run_by_some_test()
    {
        var sources = string.Join("\n", Directory.GetFiles(Path.Combine(RepoRoot, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(File.ReadAllText));
        var (root, services) = CommandText.Root();
        using var _ = services;
        var leaves = Tree(root, "orc").Where(t => t.Path != "orc" && !t.Command.Subcommands.Any()).Select(t => t.Path).ToList();
        // Run by something other than a test's argument list: git (merge-driver), a sim agent's window
        // (sim-agent), tmux (handoff-restart), the deacon (dog checkpoint); each has its own tests
        // through that path (MergeDriverTests, SimAgentTests, HandoffTests, PatrolTests).
        string[] indirect = ["orc merge-driver", "orc sim-agent", "orc handoff-restart", "orc dog checkpoint"];
        var unexercised = new List<string>();
        foreach (var verb in leaves.Where(v => !indirect.Contains(v)))
        {
            var words = verb.Split(' ').Skip(1).ToArray();
            var asArgs = string.Join(@"\s*,\s*", words.Select(w => "\"" + Regex.Escape(w) + "\""));
            var asText = "\"" + Regex.Escape(string.Join(' ', words)) + "[ \"]";
            if (!Regex.IsMatch(sources, asArgs) && !Regex.IsMatch(sources, asText)) unexercised.Add(verb);
        }
        Assert.True(unexercised.Count == 0, "documented verbs no test runs: " + string.Join(", ", unexercised));
    }

    // ---- Markdown ------------------------------------------------------------------------------

    /// <summary>The Markdown this repository ships: README.md, docs/*.md, and the reports beside the README.</summary>
    private static IEnumerable<string> MarkdownFiles() =>
        DocFiles().Concat(new[] { "CHANGELOG.md", "BENCHMARKS.md", "RELIABILITY.md" }.Select(f => Path.Combine(RepoRoot, f)));

    [GeneratedRegex(@"^\s*(`{3,}|~{3,})(.*)$")]
    private static partial Regex FenceLine();

    [GeneratedRegex(@"^#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex AtxHeading();

    /// <summary>An inline link or image's destination: <c>](TARGET)</c> or <c>](TARGET "title")</c> (the text may start on an earlier line).</summary>
    [GeneratedRegex(@"\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:""[^""]*""|'[^']*'))?\s*\)")]
    private static partial Regex InlineLink();

    /// <summary>A reference definition: <c>[label]: TARGET</c>.</summary>
    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")]
    private static partial Regex ReferenceLink();

    [GeneratedRegex(@"<a\s+(?:name|id)=""([^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlAnchor();

    /// <summary>
    /// The lines of a Markdown file outside fenced code blocks, with their numbers (1-based), and the
    /// problems of its fences: one opened inside an open block (```sh while a block is open: a fence
    /// cannot nest, so the author meant to close the block first) and one never closed.
    /// </summary>
    private static (List<(int Number, string Text)> Prose, List<string> Problems, int Fences) ReadMarkdown(string file)
    {
        var prose = new List<(int, string)>();
        var problems = new List<string>();
        var where = CommandText.Relative(file);
        var fences = 0;
        (char Char, int Length, int Line)? open = null;
        var lines = File.ReadAllLines(file);
        for (var i = 0; i < lines.Length; i++)
        {
            var m = FenceLine().Match(lines[i]);
            if (!m.Success) { if (open is null) prose.Add((i + 1, lines[i])); continue; }
            var run = m.Groups[1].Value;
            var info = m.Groups[2].Value.Trim();
            fences++;
            if (open is null) { open = (run[0], run.Length, i + 1); continue; }
            if (run[0] == open.Value.Char && run.Length >= open.Value.Length && info.Length == 0) { open = null; continue; }
            problems.Add($"{where}:{i + 1}: a fence ('{lines[i].Trim()}') inside the block opened at line {open.Value.Line}: close that block first");
        }
        if (open is { } o) problems.Add($"{where}:{o.Line}: the fenced block opened here is never closed");
        if (fences % 2 != 0) problems.Add($"{where}: {fences} fence lines, an odd number");
        return (prose, problems, fences);
    }

    /// <summary>
    /// A heading's anchor as GitHub makes it: the text as shown (links become their text, HTML tags
    /// go), lower case, every character that is not a letter, a digit, a mark, '_', '-' or a space
    /// removed, then each space made a '-'. (A second heading with the same anchor gets "-1", a third
    /// "-2": see <see cref="Anchors"/>.)
    /// </summary>
    public static string Slug(string heading)
    {
        var text = Regex.Replace(heading, @"!?\[([^\]]*)\]\([^)]*\)", "$1");
        text = Regex.Replace(text, @"<[^>]+>", "");
        var sb = new System.Text.StringBuilder();
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            var category = char.GetUnicodeCategory(c);
            if (char.IsLetterOrDigit(c) || c is '-' or ' ' || category is System.Globalization.UnicodeCategory.ConnectorPunctuation
                or System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark or System.Globalization.UnicodeCategory.EnclosingMark)
                sb.Append(c == ' ' ? '-' : c);
        }
        return sb.ToString();
    }

    /// <summary>The anchors a Markdown file has: one per heading (duplicates numbered as GitHub does), and HTML anchors.</summary>
    private static HashSet<string> Anchors(string file)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, text) in ReadMarkdown(file).Prose)
        {
            foreach (Match a in HtmlAnchor().Matches(text)) anchors.Add(a.Groups[1].Value);
            var h = AtxHeading().Match(text);
            if (!h.Success) continue;
            var slug = Slug(h.Groups[1].Value);
            var n = seen.GetValueOrDefault(slug);
            seen[slug] = n + 1;
            anchors.Add(n == 0 ? slug : $"{slug}-{n}");
        }
        return anchors;
    }

    [Fact]
    public void Slugs_are_made_as_github_makes_them()
    {
        Assert.Equal("services-crashes-and-restarts", Slug("Services: crashes and restarts"));
        Assert.Equal("orc-init", Slug("`orc init`"));
        Assert.Equal("agent-profiles-and-how-to-add-one", Slug("Agent profiles, and how to add one"));
        Assert.Equal("shape-convoy-report", Slug("shape `convoy-report`"));
        Assert.Equal("the-tui-keys", Slug("The TUI: keys"));
        Assert.Equal("a-tour-your-own-repository-from-nothing", Slug("A tour: your own repository, from nothing"));
        Assert.Equal("snake_case-and-a-link", Slug("snake_case and [a link](x.md)"));
        Assert.Equal("--no-headers", Slug("`--no-headers`"));
        var file = Path.Combine(Path.GetTempPath(), "orc-test-" + Guid.NewGuid().ToString("N")[..12] + ".md");
        File.WriteAllText(file, "# Notes\n## Notes\n```sh\n# Notes\n```\n## Notes ##\n<a name=\"here\"></a>\n");
        try { Assert.Equal(["here", "notes", "notes-1", "notes-2"], Anchors(file).Order(StringComparer.Ordinal)); }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Every_code_fence_in_the_markdown_is_closed_and_none_is_nested()
    {
        var problems = new List<string>();
        var fences = 0;
        foreach (var file in MarkdownFiles())
        {
            var read = ReadMarkdown(file);
            problems.AddRange(read.Problems);
            fences += read.Fences;
        }
        Assert.True(fences > 40, $"only {fences} fence lines found in the Markdown: has the reader stopped seeing them?");
        Assert.True(problems.Count == 0, "fenced code blocks:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Every_relative_link_in_the_markdown_leads_to_a_file_and_its_anchor_to_a_heading()
    {
        var problems = new List<string>();
        var links = 0;
        var anchored = 0;
        var anchors = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in MarkdownFiles())
        {
            var where = CommandText.Relative(file);
            foreach (var (number, line) in ReadMarkdown(file).Prose)
            {
                var text = Regex.Replace(line, "(`+)(?:(?!\\1).)+?\\1", ""); // code spans are text, not links
                var targets = InlineLink().Matches(text).Select(m => m.Groups[1].Value)
                    .Concat(ReferenceLink().Matches(text).Select(m => m.Groups[1].Value));
                foreach (var raw in targets)
                {
                    var target = raw.StartsWith('<') && raw.EndsWith('>') ? raw[1..^1] : raw;
                    if (Regex.IsMatch(target, "^[A-Za-z][A-Za-z0-9+.-]*:") || target.StartsWith("//", StringComparison.Ordinal)) continue; // a URL
                    links++;
                    var hash = target.IndexOf('#');
                    var pathPart = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
                    var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
                    var dest = pathPart.Length == 0 ? file
                        : Path.GetFullPath(pathPart.StartsWith('/') ? Path.Combine(RepoRoot,
                            pathPart.TrimStart('/')) : Path.Combine(Path.GetDirectoryName(file)!, pathPart));
                    if (!File.Exists(dest)
                        && !Directory.Exists(dest)) { problems.Add($"{where}:{number}: ({target}): {CommandText.Relative(dest)} does not exist"); continue; }
                    if (anchor is null) continue;
                    anchored++;
                    if (!dest.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
                    {
                        if (!Regex.IsMatch(anchor, @"^L\d+(-L\d+)?$")) problems.Add($"{where}:{number}: ({target}): an anchor into a file that is not Markdown");
                        continue;
                    }
                    if (!anchors.TryGetValue(dest, out var known)) anchors[dest] = known = Anchors(dest);
                    if (!known.Contains(anchor)) problems.Add($"{where}:{number}: ({target}): {CommandText.Relative(dest)} has no heading whose anchor is '{anchor}'");
                }
            }
        }
        Assert.True(links > 40, $"only {links} relative links found in the Markdown: has the reader stopped seeing them?");
        Assert.True(anchored > 10, $"only {anchored} links with an #anchor found in the Markdown");
        Assert.True(problems.Count == 0, "links that lead nowhere:\n" + string.Join("\n", problems));
    }

    // ---- CI --------------------------------------------------------------------------------

    [Fact]
    public void The_ci_workflow_is_valid_yaml_and_runs_what_the_docs_say()
    {
        var path = Path.Combine(RepoRoot, ".github", "workflows", "ci.yml");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path)) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var on = (YamlMappingNode)root["on"];
        Assert.True(on.Children.ContainsKey("push") && on.Children.ContainsKey("pull_request"), "ci.yml must run on push and pull_request");
        var jobs = (YamlMappingNode)root["jobs"];
        var job = (YamlMappingNode)jobs.Children.Values.Single();
        Assert.Equal("ubuntu-latest", ((YamlScalarNode)job["runs-on"]).Value);
        var steps = ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>().ToList();
        string? Get(YamlMappingNode s, string key) => s.Children.TryGetValue(key, out var v) ? (v as YamlScalarNode)?.Value : null;
        var runs = steps.Select(s => Get(s, "run")).Where(r => r is not null).Select(r => r!.Trim()).ToList();
        var uses = steps.Select(s => Get(s, "uses")).Where(u => u is not null).ToList();

        Assert.Contains(runs, r => r.Contains("apt-get install") && r.Contains("tmux") && r.Contains("git"));
        Assert.Contains(uses, u => u!.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal));
        Assert.Contains(steps, s => Get(s, "uses")?.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) == true
            && ((YamlMappingNode)s["with"]).Children.ContainsKey("global-json-file"));

        // The test command is .ci/run's (the README's 'dotnet test', each test printed as it finishes).
        var ciRun = File.ReadAllText(Path.Combine(RepoRoot, ".ci", "run"));
        var test = Regex.Match(ciRun, @"^dotnet test(?: --[a-z-]+(?: [a-z]+)?)*", RegexOptions.Multiline).Value;
        Assert.StartsWith("dotnet test", test);
        Assert.Contains(test, runs);

        // Pack and publish exactly as docs/cli.md's Install section says.
        var docCommands = Regex.Matches(CliDoc, @"^dotnet (?:pack|publish) .*$", RegexOptions.Multiline).Select(m => m.Value.Trim()).ToList();
        Assert.Equal(2, docCommands.Count);
        foreach (var c in docCommands) Assert.Contains(c, runs);

        var uploads = steps.Where(s => Get(s, "uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true)
            .Select(s => Get((YamlMappingNode)s["with"], "path") ?? "").ToList();
        Assert.Contains(uploads, p => p.Contains("artifacts/aot/orc") && p.Contains("artifacts/aot/*.so"));
        Assert.Contains(uploads, p => p.Contains("artifacts/nupkg/*.nupkg"));
    }
}
