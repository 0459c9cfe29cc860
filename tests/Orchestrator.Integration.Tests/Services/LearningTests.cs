using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// <c>orc learn add | list | remove</c> through the CLI on a real git workspace: every change
/// committed, bad input refused with one line and nothing stored, hostile text printed escaped, a
/// damaged line kept, several orc processes adding at once.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class LearningVerbTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _source;

    public LearningVerbTests()
    {
        _source = RigFixture.CreateSource(_ws);
        Ok("rig", "add", "app", _source);
        Ok("rig", "add", "web", _source, "--link");
    }

    public void Dispose()
    {
        _ws.Dispose();
        RigFixture.DeleteSource(_source);
    }

    private string LearningsPath => Path.Combine(_ws.Root, "learnings", "learnings.jsonl");

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string Add(params string[] args) => JsonDocument.Parse(Ok(["learn", "add", .. args, "--json"]).Out).RootElement.GetProperty("id").GetString()!;

    private List<JsonElement> List(params string[] args) => JsonDocument.Parse(Ok(["learn", "list", .. args,
        "--json"]).Out).RootElement.EnumerateArray().ToList();

    [Fact]
    public void Learnings_are_added_listed_and_removed_and_each_change_is_committed()
    {
        // A workspace made before learnings existed: its .gitattributes gains the union-merge line with the first learning.
        var attributes = Path.Combine(_ws.Root, ".gitattributes");
        File.WriteAllLines(attributes, File.ReadAllLines(attributes).Where(l => !l.Contains("learnings", StringComparison.Ordinal)));
        using (var r = new Repository(_ws.Root))
        {
            Commands.Stage(r, ".gitattributes");
            r.Commit("older workspace", new Signature("t", "t@x", DateTimeOffset.Now), new Signature("t", "t@x", DateTimeOffset.Now));
        }
        var commits = _ws.CommitCount();
        var general = Add("Small commits review faster", "--tag", "review");
        Assert.Matches("^ln-[0-9a-z]{6}$", general);
        Assert.Contains($"learn add {general}", _ws.Head().MessageShort);
        var app = Add("Run make gen before the gate", "--rig", "app", "--tag", "gate,make");
        var mayor = Add("Split work by the files it owns", "--role", "mayor");
        var web = Add("The web rig's tests need a browser", "--rig", "web");
        Assert.Equal(commits + 4, _ws.CommitCount());
        Assert.True(_ws.IsClean(), "every change is committed");

        // One line per learning, sorted by id; the file merges line by line.
        var lines = File.ReadAllLines(LearningsPath);
        Assert.Equal(4, lines.Length);
        Assert.Equal(lines.Order(StringComparer.Ordinal), lines);
        Assert.Contains("learnings/*.jsonl merge=union", File.ReadAllText(Path.Combine(_ws.Root, ".gitattributes")));

        Assert.Equal([web, mayor, app, general], List().Select(l => l.GetProperty("id").GetString()));
        Assert.Equal([mayor, app, general], List("--rig", "app").Select(l => l.GetProperty("id").GetString()));
        Assert.Equal([app], List("--tag", "gate").Select(l => l.GetProperty("id").GetString()));
        Assert.Equal([web, app, general], List("--role", "polecat").Select(l => l.GetProperty("id").GetString()));
        var text = Ok("learn", "list").Out;
        Assert.Contains($"{app}  rig app", text);
        Assert.Contains("Run make gen before the gate  (tags gate,make)", text);

        Assert.Contains($"removed {app}: Run make gen before the gate", Ok("learn", "remove", app).Out);
        Assert.Contains($"learn remove {app}", _ws.Head().MessageShort);
        Assert.DoesNotContain(app, File.ReadAllText(LearningsPath));
        Assert.Equal(3, List().Count);
        Assert.True(_ws.IsClean());
        using var repo = new Repository(_ws.Root);
        Assert.Contains(app, ((Blob)repo.Head.Tip.Parents.First()["learnings/learnings.jsonl"].Target).GetContentText()); // git keeps the old text
    }

    [Theory]
    [InlineData(new[] { "" }, 2, "TEXT: the learning is empty")]
    [InlineData(new[] { "x", "--rig", "nope" }, 3, "no rig 'nope'")]
    [InlineData(new[] { "x", "--rig", "../etc" }, 2, "rig: '../etc' is not a valid name")]
    [InlineData(new[] { "x", "--role", "king" }, 2, "--role: 'king' is not a role")]
    [InlineData(new[] { "x", "--tag", "two words" }, 2, "--tag:")]
    [InlineData(new[] { "line one\nline two" }, 2, "a learning is one line")]
    [InlineData(new[] { "red \u001b[31m alert" }, 2, "control character (ESC at position 5)")]
    public void Bad_input_is_one_clear_error_and_nothing_is_stored(string[] args, int code, string message)
    {
        var commits = _ws.CommitCount();
        var r = _ws.Orc(["learn", "add", .. args]);
        Assert.Equal(code, r.ExitCode);
        var line = Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
        Assert.Contains(message, line);
        Assert.DoesNotContain('\u001b', r.Err);
        Assert.False(File.Exists(LearningsPath));
        Assert.Equal(commits, _ws.CommitCount());
    }

    [Fact]
    public void Too_long_a_learning_a_duplicate_and_unknown_ids_are_refused()
    {
        var r = _ws.Orc("learn", "add", new string('a', 401));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is 401 characters long; a learning is at most 400", r.Err);
        var id = Add("Keep the gate green");
        r = _ws.Orc("learn", "add", "keep the  GATE green");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"already learnt as {id}", r.Err);
        Assert.Equal(3, _ws.Orc("learn", "remove", "ln-zzzzzz").ExitCode);
        Assert.Equal(2, _ws.Orc("learn", "remove", "../../etc").ExitCode);
        Assert.Single(List());
    }

    [Fact]
    public void Hostile_text_is_stored_as_data_and_printed_escaped()
    {
        var marker = Path.Combine(_ws.Root, "pwned");
        var id = Add($"Quote paths: $(touch {marker}) `touch {marker}` ; rm -rf / \u202eevil", "--rig", "app");
        // A hand edit (or a bad merge) puts an escape sequence in the file: orc shows it, never sends it.
        var lines = File.ReadAllLines(LearningsPath).ToList();
        lines.Add("{\"id\":\"ln-zzzzzz\",\"text\":\"title \\u001b]0;owned\\u0007 \\u001b[2J\",\"created_at\":\"2026-01-01T00:00:00Z\"}");
        File.WriteAllLines(LearningsPath, lines);

        var text = Ok("learn", "list").Out;
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.DoesNotContain('\u202e', text);
        Assert.Contains("title \\e]0;owned\\x07 \\e[2J", text);
        Assert.Contains("\\u202eevil", text);
        Assert.Contains($"$(touch {marker})", text);
        Assert.False(File.Exists(marker));
        Assert.Contains(List().Select(l => l.GetProperty("text").GetString()), t => t!.Contains('\u202e')); // JSON keeps the data as it is
        Assert.Contains(id, text);
    }

    [Fact]
    public void A_line_that_does_not_parse_is_reported_with_its_number_and_kept_by_the_next_change()
    {
        var id = Add("First lesson");
        File.AppendAllText(LearningsPath, "<<<<<<< HEAD {broken\n");
        var r = _ws.Orc("learn", "list");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("learnings/learnings.jsonl:2:", r.Err);
        Assert.Contains(id, r.Out);
        Add("Second lesson");
        Assert.Contains("<<<<<<< HEAD {broken", File.ReadAllText(LearningsPath));
        Assert.Equal(2, List().Count);
    }

    [Fact]
    public async Task Several_orc_processes_adding_at_once_lose_nothing()
    {
        var env = new Dictionary<string, string> { ["USER"] = "tester" };
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => OrcProcess.Run(_ws.Root, ["learn", "add", $"Lesson number {i}", "--rig", i % 2 == 0 ? "app" : "web"], env))));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var texts = List().Select(l => l.GetProperty("text").GetString()).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"Lesson number {i}"), texts);
        Assert.True(_ws.IsClean(), "each add committed");
    }
}

/// <summary>
/// Learnings reaching agents: <c>orc prime</c> with the workspace's, the rig's and the role's
/// learnings within the configured budget; and a landed convoy's history (a real conflict met and
/// reworked by sim agents, merged by the refinery) turned into learnings. Real git, a private tmux
/// server per test.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class LearningAgentTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _source;

    public LearningAgentTests()
    {
        TmuxServer.CheckVersion();
        _ws.Env["ORC_TMUX_SOCKET"] = _socket;
        _source = RigFixture.CreateSource(_ws, "app\n");
        Ok("rig", "add", "app", _source);
        Ok("rig", "add", "web", _source, "--link");
        Ok("rig", "set", "app", "grace", "0");
    }

    public void Dispose()
    {
        using (var tmux = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks")))
            PrivateTmux.Stop(tmux, _ws.Root);
        _ws.Dispose();
        RigFixture.DeleteSource(_source);
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string Sling(string item) => JsonDocument.Parse(Ok("sling", item, "--json").Out).RootElement.GetProperty("agent").GetString()!;

    private string State(string agent) =>
        JsonDocument.Parse(Ok("agents", "--json").Out).RootElement.EnumerateArray().Single(a => a.GetProperty("agent").GetString() == agent).GetProperty("state").GetString()!;

    private static string Section(string prime, string title)
    {
        var start = prime.IndexOf("## " + title, StringComparison.Ordinal);
        Assert.True(start >= 0, prime);
        var end = prime.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        return end < 0 ? prime[start..] : prime[start..end];
    }

    [Fact]
    public void Prime_gives_the_workspace_rig_and_role_learnings_most_relevant_first_within_its_budget()
    {
        Ok("learn", "add", "Everyone: write the item id in each commit");
        Ok("learn", "add", "App: run make gen before the gate", "--rig", "app");
        Ok("learn", "add", "Web: the tests need a browser", "--rig", "web");
        Ok("learn", "add", "Mayor: split by owned files", "--role", "mayor");
        Ok("learn", "add", "The lexer keeps state between calls", "--rig", "app", "--tag", "lexer");
        Ok("learn", "add", "Hostile \u202e text $(touch pwned)");
        var item = _ws.Create("Speed up the lexer", "--prefix", "app", "-l", "sim:hang", "--file", "src/lexer.c");
        var agent = Sling(item);

        var learnings = Section(Ok("prime", "--agent", agent).Out, "Learnings");
        var lines = learnings.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(4, lines.Count);
        Assert.StartsWith("- [rig app] The lexer keeps state between calls", lines[0]); // its rig and a tag naming its file
        Assert.StartsWith("- [rig app] App: run make gen before the gate", lines[1]);
        Assert.Contains("Everyone: write the item id", learnings);
        Assert.Contains("Hostile \\u202e text $(touch pwned)", learnings);
        Assert.DoesNotContain('\u202e', learnings);
        Assert.DoesNotContain("Web:", learnings);
        Assert.DoesNotContain("Mayor:", learnings);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "pwned")));

        // A small budget keeps the prime short and says what was left out and how to see it.
        var config = Path.Combine(_ws.Root, ".orc", "config.yaml");
        File.AppendAllText(config, "learnings:\n  budget: 120\n");
        learnings = Section(Ok("prime", "--agent", agent).Out, "Learnings");
        var shown = learnings.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
        Assert.True(shown.Sum(l => l.Length + 1) <= 120, learnings);
        Assert.StartsWith("- [rig app] The lexer keeps state", shown[0]);
        Assert.Contains($"({4 - shown.Count} more relevant learnings left out to keep this short; see them: `orc learn list --rig app`)", learnings);

        File.WriteAllText(config, File.ReadAllText(config).Replace("budget: 120", "budget: lots"));
        var bad = _ws.Orc("prime", "--agent", agent);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("config.yaml:", bad.Err);
        Assert.Contains("'learnings.budget' must be a number of characters", bad.Err);
    }

    [Fact]
    public void A_landed_convoys_conflict_becomes_a_learning_for_its_rig_once()
    {
        var first = _ws.Create("First", "--prefix", "app", "-l", "sim:touch=README.md", "-p", "1");
        var second = _ws.Create("Second", "--prefix", "app", "-l", "sim:touch=README.md", "-p", "3");
        Ok("convoy", "create", "readme", first, second);
        var r = _ws.Orc("learn", "from-convoy", "readme");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("convoy readme has not landed (open, 0 of 2 items closed)", r.Err);

        var a = Sling(first);
        var b = Sling(second);
        RigFixture.Eventually(() => State(a) == "done" && State(b) == "done", () => $"{a}: {State(a)}, {b}: {State(b)}");
        Assert.Contains($"{second}: rejected (conflicts with", Ok("refinery", "run", "app", "--once").Out);
        Ok("witness", "run", "app", "--once");
        RigFixture.Eventually(() => State(b) == "done", () => $"{b} did not submit again: {State(b)}");
        Assert.Contains($"{second}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal("landed", JsonDocument.Parse(Ok("convoy", "show", "readme", "--json").Out).RootElement.GetProperty("state").GetString());

        var commits = _ws.CommitCount();
        var proposed = Ok("learn", "from-convoy", "readme", "--dry-run").Out;
        Assert.Contains($"would add  [rig app] In convoy readme, {second} met merge conflicts in README.md", proposed);
        Assert.Contains("new learning", proposed);
        Assert.Equal(commits, _ws.CommitCount());
        Assert.False(File.Exists(Path.Combine(_ws.Root, "learnings", "learnings.jsonl")));

        var added = JsonDocument.Parse(Ok("learn", "from-convoy", "readme", "--json").Out).RootElement.EnumerateArray().ToList();
        var conflict = Assert.Single(added, l => l.GetProperty("tags").EnumerateArray().Any(t => t.GetString() == "conflict"));
        Assert.Equal(("added", "app", "convoy:readme"), (conflict.GetProperty("status").GetString(), conflict.GetProperty("rig").GetString(), conflict.GetProperty("source").GetString()));
        Assert.Contains("readme", conflict.GetProperty("tags").EnumerateArray().Select(t => t.GetString())); // the convoy, and README.md's name
        Assert.Contains("learn from-convoy", _ws.Head().MessageShort);
        Assert.True(_ws.IsClean(), _ws.Dirty());

        // Running it again adds nothing.
        var again = Ok("learn", "from-convoy", "readme").Out;
        Assert.Contains("known", again);
        Assert.Contains("0 learnings added", again);
        Assert.Equal(added.Count(l => l.GetProperty("status").GetString() == "added"), JsonDocument.Parse(Ok("learn", "list", "--json").Out).RootElement.GetArrayLength());
        Assert.Contains(added, l => l.GetProperty("tags").EnumerateArray().Any(t => t.GetString() == "done-note") && l.GetProperty("item").GetString() == second);
    }
}
