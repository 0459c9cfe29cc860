using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>
/// Formulas, molecules and wisps through the CLI against a real git workspace: every shipped
/// formula poured and checked in the ledger, broken formulas refused with FILE:LINE, wisps kept
/// out of git and burned, squash and burn, hostile variables kept as data.
/// </summary>
public class FormulaVerbTests
{
    public static TheoryData<string> Shipped => new() { "feature", "release", "code-review", "bugfix", "security-fix" };

    private static CliResult Ok(TempWorkspace ws, params string[] args)
    {
        var r = ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private static JsonElement Json(TempWorkspace ws, params string[] args) => JsonDocument.Parse(Ok(ws, args).Out).RootElement;

    private static Dictionary<string, JsonElement> Ledger(TempWorkspace ws) =>
        Json(ws, "item", "list", "--all", "--json").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);

    private static string[] Labels(JsonElement item) =>
        item.TryGetProperty("labels", out var l) ? l.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];

    private static List<(string On, string Type)> Deps(JsonElement item) =>
        item.TryGetProperty("dependencies", out var d)
            ? d.EnumerateArray().Select(x => (x.GetProperty("depends_on_id").GetString()!, x.GetProperty("type").GetString()!)).ToList()
            : [];

    /// <summary>Real git (not libgit2) on the workspace: what a user's 'git status' and 'git log' say.</summary>
    private static string Git(TempWorkspace ws, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = ws.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
        return output;
    }

    private static string Write(TempWorkspace ws, string relative, string text)
    {
        var path = Path.Combine(ws.Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Each_shipped_formula_pours_an_epic_with_one_child_per_step_and_blocks_dependencies_from_needs(string name)
    {
        using var ws = new TempWorkspace();
        var formula = Json(ws, "formula", "show", name, "--json");
        var steps = formula.GetProperty("steps").EnumerateArray().ToList();
        var vars = formula.GetProperty("vars").EnumerateArray().Where(v => v.GetProperty("required").GetBoolean())
            .SelectMany(v => new[] { "--var", v.GetProperty("name").GetString() + "=value-of-" + v.GetProperty("name").GetString() }).ToArray();
        Assert.NotEmpty(vars); // every shipped formula takes at least one required variable
        var commits = ws.CommitCount();

        var poured = Json(ws, ["pour", name, .. vars, "--json"]);
        Assert.Equal(commits + 1, ws.CommitCount()); // one locked, committed change
        Assert.True(ws.IsClean());
        Assert.StartsWith("orc: pour ", ws.Head().MessageShort);

        var ledger = Ledger(ws);
        var epicId = poured.GetProperty("epic").GetProperty("id").GetString()!;
        var epic = ledger[epicId];
        Assert.Equal("epic", epic.GetProperty("issue_type").GetString());
        Assert.Contains("molecule", Labels(epic));
        Assert.Contains("formula:" + name, Labels(epic));
        Assert.Contains("value-of-", epic.GetProperty("title").GetString());
        Assert.Equal(name, epic.GetProperty("molecule").GetProperty("formula").GetString());

        var children = ledger.Values.Where(i => Deps(i).Contains((epicId, "parent-child"))).ToList();
        Assert.Equal(steps.Count, children.Count);
        Assert.Equal(ledger.Count, children.Count + 1); // nothing else was written
        var itemOfStep = children.ToDictionary(c => Labels(c).Single(l => l.StartsWith("step:", StringComparison.Ordinal))["step:".Length..],
            c => c.GetProperty("id").GetString()!);
        foreach (var step in steps)
        {
            var id = step.GetProperty("id").GetString()!;
            var child = ledger[itemOfStep[id]];
            Assert.Equal("open", child.GetProperty("status").GetString());
            Assert.DoesNotContain("{{", child.GetProperty("title").GetString());
            var needs = step.GetProperty("needs").EnumerateArray().Select(n => itemOfStep[n.GetString()!]).Order(StringComparer.Ordinal);
            var blocks = Deps(child).Where(d => d.Type == "blocks").Select(d => d.On).Order(StringComparer.Ordinal);
            Assert.Equal(needs, blocks);
        }

        // Ready: exactly the steps that need nothing; progress 0 of all.
        var ready = Json(ws, "ready",
            "--json").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).Where(i => i != epicId).Order(StringComparer.Ordinal);
        var roots = steps.Where(s => s.GetProperty("needs").GetArrayLength() == 0).Select(s
            => itemOfStep[s.GetProperty("id").GetString()!]).Order(StringComparer.Ordinal);
        Assert.Equal(roots, ready);
        var progress = Json(ws, "mol", "progress", epicId, "--json");
        Assert.Equal(0, progress.GetProperty("closed").GetInt32());
        Assert.Equal(steps.Count, progress.GetProperty("total").GetInt32());
    }

    [Fact]
    public void The_feature_formula_is_design_plan_implement_review_test_in_that_order()
    {
        using var ws = new TempWorkspace();
        var poured = Json(ws, "pour", "feature", "--var", "feature=CSV export", "--json");
        var ids = poured.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        var status = Json(ws, "mol", "status", ids[2], "--json"); // a step names its molecule
        Assert.Equal(["design", "plan", "implement", "review", "test"],
            status.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
        var ledger = Ledger(ws);
        for (var k = 1; k < ids.Count; k++)
            Assert.Equal([(ids[k - 1], "blocks")], Deps(ledger[ids[k]]).Where(d => d.Type == "blocks"));
        Assert.Equal("Feature: CSV export", poured.GetProperty("epic").GetProperty("title").GetString());
        var text = Ok(ws, "mol", "status", poured.GetProperty("epic").GetProperty("id").GetString()!).Out;
        Assert.Contains("waits for design", text);
        Assert.Contains("ready", text);
    }

    [Fact]
    public void Security_fix_extends_bugfix_its_added_step_runs_first_and_its_vars_merge()
    {
        using var ws = new TempWorkspace();
        var poured = Json(ws, "pour", "security-fix", "--var", "bug=path traversal", "--json");
        var status = Json(ws, "mol", "status", poured.GetProperty("epic").GetProperty("id").GetString()!, "--json");
        var steps = status.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["assess", "reproduce", "fix", "verify", "advisory"], steps.Select(s => s.GetProperty("step").GetString()));
        Assert.Equal(["assess"], steps[1].GetProperty("waits_for").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal("high", status.GetProperty("vars").GetProperty("severity").GetString());
        Assert.Equal("(not given)", status.GetProperty("vars").GetProperty("report").GetString()); // inherited default
        Assert.Equal("Security fix (high): path traversal", status.GetProperty("title").GetString());
    }

    [Fact]
    public void Missing_required_or_unknown_vars_are_usage_errors_naming_them_and_nothing_is_stored()
    {
        using var ws = new TempWorkspace();
        var commits = ws.CommitCount();
        var missing = ws.Orc("pour", "code-review");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--var branch=", missing.Err);
        var unknown = ws.Orc("pour", "code-review", "--var", "branch=x", "--var", "colour=red");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--var colour: formula code-review has no variable 'colour'", unknown.Err);
        Assert.Equal(2, ws.Orc("pour", "code-review", "--var", "branch").ExitCode);
        Assert.Equal(3, ws.Orc("pour", "no-such-formula").ExitCode);
        Assert.Equal(2, ws.Orc("wisp", "code-review").ExitCode);
        Assert.Equal(commits, ws.CommitCount());
        Assert.Empty(Ledger(ws));
        Assert.False(Directory.Exists(Path.Combine(ws.Root, ".orc", "wisps")) && Directory.EnumerateFiles(Path.Combine(ws.Root, ".orc", "wisps"),
            "*.json").Any());
    }

    [Fact]
    public void A_formula_with_a_cycle_or_an_unknown_variable_is_rejected_with_file_and_line()
    {
        using var ws = new TempWorkspace();
        var cycle = Write(ws, "formulas/loop.formula.toml", """
            description = "steps that wait for each other"

            [[steps]]
            id = "a"
            title = "A"
            needs = ["c"]

            [[steps]]
            id = "b"
            title = "B"
            needs = ["a"]

            [[steps]]
            id = "c"
            title = "C"
            needs = ["b"]
            """);
        var r = ws.Orc("formula", "check", cycle);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{cycle}:11: steps form a cycle: a → c → b → a", r.Err);
        Assert.DoesNotContain("ok", r.Out);

        var unknown = Write(ws, "formulas/typo.formula.toml", """
            [vars.branch]
            required = true

            [[steps]]
            id = "review"
            title = "Review {{branch}}"
            description = '''
            First line.
            Compare {{brnach}} with main.
            '''
            """);
        r = ws.Orc("formula", "check", unknown);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{unknown}:9: unknown variable {{{{brnach}}}} in the description of step 'review'", r.Err);

        // Pouring them fails the same way and stores nothing.
        var commits = ws.CommitCount();
        var pour = ws.Orc("pour", "loop");
        Assert.Equal(1, pour.ExitCode);
        Assert.Contains("loop.formula.toml:11: steps form a cycle", pour.Err);
        Assert.Contains("typo.formula.toml:9:", ws.Orc("pour", "typo", "--var", "branch=x").Err);
        Assert.Equal(commits, ws.CommitCount());
        Assert.Empty(Ledger(ws));

        // The list still shows the good formulas and marks the broken ones.
        var list = Json(ws, "formula", "list", "--json").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Contains("feature", list.Keys);
        Assert.Contains("loop.formula.toml:11:", list["loop"].GetProperty("errors")[0].GetString());
        Assert.Contains("BROKEN", Ok(ws, "formula", "list").Out);
        Write(ws, "formulas/Bad Name.toml", "[[steps]]\nid = \"a\"\ntitle = \"A\"\n");
        Assert.Contains("is not a valid formula name", Ok(ws, "formula", "list").Out);
    }

    [Fact]
    public void Check_reports_toml_errors_unknown_keys_missing_needs_duplicates_and_bad_parents_with_lines()
    {
        using var ws = new TempWorkspace();
        string Check(string name, string text, int code = 1)
        {
            var path = Write(ws, $"scratch/{name}.formula.toml", text);
            var r = ws.Orc("formula", "check", path);
            Assert.True(r.ExitCode == code, r.ToString());
            return r.Err.Replace(path, name);
        }
        Assert.Contains("syntax:2:", Check("syntax", "description = \"ok\"\ntitle = \n"));
        Assert.Contains("keys:3: unknown key 'steps.gate'", Check("keys", "[[steps]]\nid = \"a\"\ngate = true\ntitle = \"A\"\n"));
        Assert.Contains("needs:4: step 'a' needs 'ghost', which is not a step", Check("needs", "[[steps]]\nid = \"a\"\ntitle = \"A\"\nneeds = [\"ghost\"]\n"));
        Assert.Contains("dup:4: step 'a' is defined twice (first at line 1)", Check("dup",
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps]]\nid = \"a\"\ntitle = \"B\"\n"));
        Assert.Contains("orphan:1: extends 'ghost', which is not a formula here", Check("orphan",
            "extends = \"ghost\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n"));
        Assert.Contains("named:1: the formula is named 'other'", Check("named", "formula = \"other\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n"));
        Assert.Contains("types:2: 'needs' must be an array of step ids", Check("types", "[[steps]]\nneeds = 3\nid = \"a\"\ntitle = \"A\"\n"));
        Assert.Contains("prof:4: step 'a': no agent profile 'nobody'", Check("prof", "[[steps]]\nid = \"a\"\ntitle = \"A\"\nprofile = \"nobody\"\n"));
        var missing = ws.Orc("formula", "check", "missing.toml");
        Assert.True(missing.ExitCode == 3, missing.ToString()); // not found, like every other verb naming something missing
        Assert.Contains("missing.toml: no such file", missing.Err);

        var good = Write(ws, "scratch/mine.formula.toml", "extends = \"bugfix\"\n[vars.bug]\ndefault = \"flaky test\"\n[[steps]]\nid = \"announce\"\ntitle = \"Announce the fix of {{bug}}\"\nneeds = [\"verify\"]\n");
        var ok = ws.Orc("formula", "check", good);
        Assert.Equal(0, ok.ExitCode);
        Assert.StartsWith($"ok: {good}: formula mine, 4 steps", ok.Out);
        Assert.Contains("extends bugfix", ok.Out);
    }

    [Fact]
    public void Workspace_formulas_override_shipped_ones_and_a_rigs_override_the_workspaces_saying_which_file()
    {
        using var ws = new TempWorkspace();
        var source = RigFixture.CreateSource(ws);
        try
        {
            Ok(ws, "rig", "add", "app", source);
            var mine = Write(ws, "formulas/bugfix.formula.toml", """
                description = "our own bug fix"
                [vars.bug]
                required = true
                [[steps]]
                id = "reproduce"
                title = "Write our failing test for {{bug}}"
                [[steps]]
                id = "fix"
                title = "Fix {{bug}}"
                needs = ["reproduce"]
                [[steps]]
                id = "verify"
                title = "Check {{bug}}"
                needs = ["fix"]
                """);
            var rigs = Write(ws, "rigs/app/formulas/bugfix.toml", "description = \"the app's bug fix\"\n[[steps]]\nid = \"patch\"\ntitle = \"Patch it\"\n");

            var list = Json(ws, "formula", "list", "--json").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
            Assert.Equal("workspace", list["bugfix"].GetProperty("origin").GetString());
            Assert.Equal(mine, list["bugfix"].GetProperty("file").GetString());
            Assert.Equal(["(shipped) formulas/bugfix.formula.toml"], list["bugfix"].GetProperty("overrides").EnumerateArray().Select(x => x.GetString()));
            Assert.Equal("shipped", list["feature"].GetProperty("origin").GetString());
            Assert.Contains(mine, Ok(ws, "formula", "list").Out);

            var withRig = Json(ws, "formula", "list", "--rig", "app", "--json").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
            Assert.Equal("rig app", withRig["bugfix"].GetProperty("origin").GetString());
            Assert.Equal(rigs, withRig["bugfix"].GetProperty("file").GetString());

            // security-fix extends bugfix: it now inherits the workspace's version.
            var sec = Json(ws, "formula", "show", "security-fix", "--json");
            Assert.Equal(mine, sec.GetProperty("chain")[1].GetString());
            var reproduce = sec.GetProperty("steps").EnumerateArray().Single(x => x.GetProperty("id").GetString() == "reproduce");
            Assert.Equal("Write our failing test for {{bug}}", reproduce.GetProperty("title").GetString());
            Assert.Equal(["assess"], reproduce.GetProperty("needs").EnumerateArray().Select(x => x.GetString()));

            // Poured with --rig: the rig's formula, and the rig's id prefix (so 'orc sling' finds the rig).
            var poured = Json(ws, "pour", "bugfix", "--rig", "app", "--json");
            Assert.StartsWith("app-", poured.GetProperty("epic").GetProperty("id").GetString());
            Assert.Equal("Patch it", poured.GetProperty("steps")[0].GetProperty("title").GetString());
            Assert.Equal(rigs, poured.GetProperty("epic").GetProperty("molecule").GetProperty("source").GetString());
        }
        finally { RigFixture.DeleteSource(source); }
    }

    [Fact]
    public void A_wisp_is_never_committed_and_is_burned_when_its_last_step_closes()
    {
        using var ws = new TempWorkspace();
        var commits = ws.CommitCount();
        var wisp = Json(ws, "wisp", "bugfix", "--var", "bug=login loops", "--json");
        var id = wisp.GetProperty("id").GetString()!;
        Assert.StartsWith("wisp-", id);
        Assert.Equal(3, wisp.GetProperty("total").GetInt32());
        var file = Path.Combine(ws.Root, ".orc", "wisps", id + ".json");
        Assert.True(File.Exists(file));

        void NothingInGit()
        {
            Assert.Equal(commits, ws.CommitCount());
            Assert.Equal("", Git(ws, "status", "--porcelain", "--untracked-files=all"));
            Assert.Equal("", Git(ws, "log", "--all", "--oneline", "--", ".orc/wisps"));
            Assert.DoesNotContain(id, ws.LedgerText());
        }
        NothingInGit();
        // Even 'git add -A' by hand does not pick it up.
        Git(ws, "add", "-A");
        Assert.Equal("", Git(ws, "status", "--porcelain"));

        var status = Ok(ws, "mol", "status", id).Out;
        Assert.Contains("reproduce", status);
        Assert.Contains("waits for reproduce", status);
        Assert.Contains(id, Ok(ws, "mol", "list").Out);

        Assert.Contains("closed reproduce", Ok(ws, "mol", "close", id, "reproduce").Out);
        Assert.Contains("closed fix", Ok(ws, "mol", "close", id, id + ".2").Out); // by item id too
        var progress = Json(ws, "mol", "progress", id, "--json");
        Assert.Equal(2, progress.GetProperty("closed").GetInt32());
        Assert.Equal(66, progress.GetProperty("percent").GetInt32());
        Assert.True(File.Exists(file));
        Assert.Equal(3, ws.Orc("mol", "close", id, "nope").ExitCode);
        NothingInGit();

        var last = Ok(ws, "mol", "close", id, "verify", "--reason", "all green").Out;
        Assert.Contains("burned", last);
        Assert.False(File.Exists(file));
        Assert.Equal(3, ws.Orc("mol", "status", id).ExitCode);
        NothingInGit();
    }

    [Fact]
    public void A_squashed_wisp_leaves_one_closed_summary_item_and_one_commit()
    {
        using var ws = new TempWorkspace();
        var id = Json(ws, "wisp", "code-review", "--var", "branch=feat/login", "--squash", "--json").GetProperty("id").GetString()!;
        var commits = ws.CommitCount();
        Ok(ws, "mol", "close", id, "read", "run-tests", "review");
        Assert.Equal(commits, ws.CommitCount());
        var done = Json(ws, "mol", "close", id, "report", "--json");
        Assert.True(done.GetProperty("burned").GetBoolean());
        var summaryId = done.GetProperty("summary").GetString()!;

        Assert.Equal(commits + 1, ws.CommitCount());
        Assert.True(ws.IsClean());
        var ledger = Ledger(ws);
        var summary = Assert.Single(ledger.Values);
        Assert.Equal(summaryId, summary.GetProperty("id").GetString());
        Assert.Equal("closed", summary.GetProperty("status").GetString());
        Assert.Contains("wisp-summary", Labels(summary));
        Assert.Equal("wisp:" + id, summary.GetProperty("external_ref").GetString());
        var description = summary.GetProperty("description").GetString()!;
        Assert.Contains("4/4 steps closed", description);
        Assert.Contains("[x] report: Report the review of feat/login", description);
        Assert.Contains("branch = feat/login", description);
        Assert.False(File.Exists(Path.Combine(ws.Root, ".orc", "wisps", id + ".json")));
        Assert.Equal("", Git(ws, "log", "--all", "--oneline", "--", ".orc/wisps"));

        // 'mol squash' on a wisp that is not done does the same at once; 'mol burn' leaves nothing.
        var other = Json(ws, "wisp", "bugfix", "--var", "bug=b", "--json").GetProperty("id").GetString()!;
        var squashed = Json(ws, "mol", "squash", other, "--json");
        Assert.Equal("closed", squashed.GetProperty("status").GetString());
        Assert.Contains("0/3 steps closed", squashed.GetProperty("description").GetString());
        Assert.Equal(commits + 2, ws.CommitCount());
        var third = Json(ws, "wisp", "bugfix", "--var", "bug=c", "--json").GetProperty("id").GetString()!;
        Assert.Contains("no trace", Ok(ws, "mol", "burn", third).Out);
        Assert.Equal(commits + 2, ws.CommitCount());
        Assert.Equal(2, Ledger(ws).Count);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(ws.Root, ".orc", "wisps"), "*.json"));
    }

    [Fact]
    public void A_poured_molecule_closes_with_its_last_step_and_can_be_squashed_or_burned_in_one_commit()
    {
        using var ws = new TempWorkspace();
        var a = Json(ws, "pour", "bugfix", "--var", "bug=a", "--json").GetProperty("epic").GetProperty("id").GetString()!;
        Ok(ws, "mol", "close", a, "reproduce", "fix");
        Assert.Equal("open", Ledger(ws)[a].GetProperty("status").GetString());
        Assert.Contains("is done", Ok(ws, "mol", "close", a, "verify").Out);
        Assert.Equal("closed", Ledger(ws)[a].GetProperty("status").GetString());
        Assert.Equal(100, Json(ws, "mol", "progress", a, "--json").GetProperty("percent").GetInt32());

        var b = Json(ws, "pour", "feature", "--var", "feature=b", "--json").GetProperty("epic").GetProperty("id").GetString()!;
        Ok(ws, "mol", "close", b, "design");
        var commits = ws.CommitCount();
        Ok(ws, "mol", "squash", b);
        Assert.Equal(commits + 1, ws.CommitCount());
        var ledger = Ledger(ws);
        Assert.Equal("closed", ledger[b].GetProperty("status").GetString());
        Assert.Contains("1/5 steps closed", ledger[b].GetProperty("notes").GetString());
        Assert.All(ledger.Values.Where(i => Deps(i).Contains((b, "parent-child"))), c => Assert.Equal("closed", c.GetProperty("status").GetString()));

        var c = Json(ws, "pour", "release", "--var", "version=2.0", "--json").GetProperty("epic").GetProperty("id").GetString()!;
        commits = ws.CommitCount();
        Ok(ws, "mol", "burn", c);
        Assert.Equal(commits + 1, ws.CommitCount());
        ledger = Ledger(ws);
        Assert.Equal("burned", ledger[c].GetProperty("close_reason").GetString());
        Assert.All(ledger.Values.Where(i => Deps(i).Contains((c, "parent-child"))), s => Assert.StartsWith("burned",
            s.GetProperty("close_reason").GetString()));
        Assert.True(ws.IsClean());
        Assert.Equal(3, ws.Orc("mol", "status", "hq-nope").ExitCode);
        var plain = ws.Create("not a molecule");
        Assert.Equal(2, ws.Orc("mol", "status", plain).ExitCode);
    }

    [Fact]
    public void Pour_with_a_convoy_makes_it_in_the_same_commit_and_the_plan_runs_the_steps_in_needs_order()
    {
        using var ws = new TempWorkspace();
        var commits = ws.CommitCount();
        var poured = Json(ws, "pour", "code-review", "--var", "branch=topic", "--convoy", "review-topic", "--json");
        Assert.Equal(commits + 1, ws.CommitCount());
        Assert.True(ws.IsClean());
        Assert.Equal("review-topic", poured.GetProperty("convoy").GetString());
        var steps = poured.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        var convoy = Json(ws, "convoy", "show", "review-topic", "--json");
        Assert.Equal(steps, convoy.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
        var waves = Json(ws, "plan", "review-topic", "--json").GetProperty("waves").EnumerateArray()
            .Select(w => w.EnumerateArray().Select(x => x.GetString()!).Order(StringComparer.Ordinal).ToList()).ToList();
        // read and run-tests together, then review, then report.
        Assert.Equal([new[] { steps[0], steps[1] }.Order(StringComparer.Ordinal).ToList(), [steps[2]], [steps[3]]], waves);

        // Closing every step through the molecule lands the convoy.
        Ok(ws, "mol", "close", steps[0], "read", "run-tests", "review", "report");
        Assert.Equal("landed", Json(ws, "convoy", "show", "review-topic", "--json").GetProperty("state").GetString());

        // A convoy name that exists already: refused, nothing poured.
        commits = ws.CommitCount();
        Assert.Equal(1, ws.Orc("pour", "bugfix", "--var", "bug=x", "--convoy", "review-topic").ExitCode);
        Assert.Equal(commits, ws.CommitCount());
    }

    [Fact]
    public void Hostile_text_in_vars_stays_data_and_control_characters_are_refused_before_anything_is_stored()
    {
        using var ws = new TempWorkspace();
        var marker = Path.Combine(ws.Root, "PWNED");
        var hostile = $"$(touch {marker}) `touch {marker}`; touch {marker} && echo \"{{{{bug}}}}\" '|' <x>";
        var poured = ws.Orc("pour", "bugfix", "--var", "bug=" + hostile);
        Assert.Equal(0, poured.ExitCode);
        Assert.Contains(hostile, poured.Out);
        var epic = Ledger(ws).Values.Single(i => i.GetProperty("issue_type").GetString() == "epic");
        Assert.Equal("Fix: " + hostile, epic.GetProperty("title").GetString());
        Assert.Equal(hostile, epic.GetProperty("molecule").GetProperty("vars").GetProperty("bug").GetString());
        var wisp = ws.Orc("wisp", "bugfix", "--var", "bug=" + hostile);
        Assert.Equal(0, wisp.ExitCode);
        Assert.Contains(hostile, wisp.Out);
        Assert.False(File.Exists(marker));

        var commits = ws.CommitCount();
        var items = Ledger(ws).Count;
        foreach (var bad in new[] { "\u001b]0;owned\u0007", "\u001b[2J", "a\u009bb" })
        {
            foreach (var verb in new[] { "pour", "wisp" })
            {
                var r = ws.Orc(verb, "bugfix", "--var", "bug=" + bad);
                Assert.Equal(1, r.ExitCode);
                Assert.Contains("control character", r.Err);
                Assert.DoesNotContain('\u001b', r.Err + r.Out);
                Assert.DoesNotContain('\u009b', r.Err + r.Out);
            }
        }
        Assert.Equal(commits, ws.CommitCount());
        Assert.Equal(items, Ledger(ws).Count);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(ws.Root, ".orc", "wisps"), "*.json"));
    }

    [Fact]
    public void Pours_at_the_same_time_each_commit_their_own_molecule()
    {
        using var ws = new TempWorkspace();
        var commits = ws.CommitCount();
        var results = new CliResult[4];
        Parallel.For(0, results.Length, k => results[k] = ws.Orc("pour", "bugfix", "--var", $"bug=bug {k}", "--json"));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(commits + 4, ws.CommitCount());
        var ledger = Ledger(ws);
        Assert.Equal(16, ledger.Count);
        Assert.Equal(4, ledger.Values.Count(i => Labels(i).Contains("molecule")));
        Assert.True(ws.IsClean());
    }
}
