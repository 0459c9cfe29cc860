using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// The review funnel against real git: a rig with <c>land: review</c>, submissions made with the
/// real 'orc done', the refinery run as 'orc refinery run', and the person's 'orc review' verbs.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class ReviewTests : IDisposable
{
    private readonly FleetFixture _fleet = new(readme: "line one\nline two\nline three\n");
    private readonly TempWorkspace _ws;
    private int _agents;

    public ReviewTests()
    {
        _ws = _fleet.Ws;
        Ok("rig", "set", "app", "land", "review");
    }

    public void Dispose() => _fleet.Dispose();

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string RigDir => Path.Combine(_ws.Root, "rigs", "app");

    private string Submit(string title, Dictionary<string, string> files, params string[] createArgs) =>
        RigFixture.Submit(_ws, "app", "w" + (++_agents), title, files, "master", createArgs);

    private JsonElement Item(string id) => JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0];

    private JsonElement Mq(string id) => JsonDocument.Parse(Ok("mq", "show", id, "--json").Out).RootElement;

    private string Main()
    {
        using var repo = new Repository(RigDir);
        return repo.Branches["master"].Tip.Sha;
    }

    private List<string> MainLog()
    {
        using var repo = new Repository(RigDir);
        return repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = repo.Branches["master"].Tip, FirstParentOnly = true,
            SortBy = CommitSortStrategies.Topological })
            .Select(c => c.MessageShort).ToList();
    }

    private List<JsonElement> OverseerMail() => JsonDocument.Parse(Ok("mail", "inbox", "--json").Out).RootElement.EnumerateArray().ToList();

    [Fact]
    public void A_green_submission_waits_for_review_main_stays_and_approval_lands_it()
    {
        var main = Main();
        var id = Submit("Add a", new() { ["a.txt"] = "alpha\n", ["extra.txt"] = "x\n" },
            "--file", "a.txt", "--file", "docs/", "-d", "the a file", "--acceptance", "a.txt says alpha");
        var run = Ok("refinery", "run", "app", "--once").Out;
        Assert.Contains($"{id}: review", run);
        Assert.Equal(main, Main());
        var mq = Mq(id);
        Assert.Equal("review", mq.GetProperty("state").GetString());
        Assert.Equal(main, mq.GetProperty("onto").GetString());
        Assert.Equal("no gate", mq.GetProperty("gate").GetString()); // the rig has no gate
        Assert.NotEqual("closed", Item(id).GetProperty("status").GetString());
        Assert.Contains("waits for review", Ok("feed").Out);
        var letters = OverseerMail();
        Assert.Equal($"{id} waits for your review", Assert.Single(letters).GetProperty("subject").GetString());

        // Another pass changes nothing and tells nobody twice.
        Ok("refinery", "run", "app", "--once");
        Assert.Single(OverseerMail());
        Assert.Equal(main, Main());

        var list = Ok("review", "list").Out.Split('\n');
        Assert.Matches(@"^ITEM\s+RIG\s+AGENT\s+WAITED\s+UNBLOCKS\s+CONVOY\s+REVIEWER\s+TITLE$", list[0]);
        Assert.Matches($@"^{id}\s+app\s+w1\s+\d+s\s+0\s+-\s+-\s+Add a$", list[1]); // no convoy, no reviewer agent on this rig
        Assert.StartsWith(id, Ok("review", "list", "--no-headers").Out);
        Assert.Equal(id, JsonDocument.Parse(Ok("review", "list", "--json").Out).RootElement[0].GetProperty("item").GetString());

        var show = Ok("review", "show", id).Out;
        Assert.Contains($"{id}: Add a", show);
        Assert.Contains("the a file", show);
        Assert.Contains("a.txt says alpha", show);
        Assert.Contains("gate: no gate", show);
        Assert.Contains("diff --git a/a.txt b/a.txt", show);
        Assert.Contains("+alpha", show);
        Assert.Contains("2 files changed, 2 insertions(+), 0 deletions(-)", show);
        Assert.Contains("touched but not declared: extra.txt", show);
        Assert.Contains("declared but not touched: docs/", show);
        var json = JsonDocument.Parse(Ok("review", "show", id, "--json").Out).RootElement;
        Assert.Equal(["extra.txt"], json.GetProperty("undeclared_files").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("+alpha", json.GetProperty("diff").GetString());

        Assert.Contains($"approved {id}", Ok("review", "approve", id).Out);
        Assert.Equal("approved", Mq(id).GetProperty("state").GetString());
        Assert.Equal(main, Main()); // the refinery lands it, not the verb
        Assert.Contains($"{id}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal($"{id}: Add a", MainLog()[0]);
        Assert.Equal(mq.GetProperty("candidate").GetString(), Main()); // the candidate that was reviewed
        Assert.Equal("closed", Item(id).GetProperty("status").GetString());
        Assert.Equal("merged", Mq(id).GetProperty("state").GetString());
        Assert.Equal("nothing waits for review", Ok("review", "list").Out.Trim());
        var hooks = new RecordStore<Hook>(Path.Combine(_ws.Root, "agents"), OrcJsonContext.Default.Hook);
        Assert.Equal(HookStates.Completed, hooks.Find("w1")!.State);
    }

    [Fact]
    public void The_rest_of_the_queue_goes_on_and_an_approval_after_main_moved_is_rebuilt_and_gated_again()
    {
        var counter = Path.Combine(_ws.Root, ".orc", "tmp", "gate-runs");
        Directory.CreateDirectory(Path.GetDirectoryName(counter)!);
        Ok("rig", "set", "app", "gate", $"echo run >> '{counter}'");
        int GateRuns() => File.Exists(counter) ? File.ReadAllLines(counter).Length : 0;
        var a = Submit("Add a", new() { ["a.txt"] = "a\n" });
        var b = Submit("Add b", new() { ["b.txt"] = "b\n" });
        Ok("item", "dep", "add", Ok("item", "create", "Needs b", "--quiet").Out.Trim(), b);
        Ok("refinery", "run", "app", "--once");
        Assert.Equal(2, GateRuns());
        Assert.Equal("review", Mq(a).GetProperty("state").GetString());
        Assert.Equal("review", Mq(b).GetProperty("state").GetString());
        // b unblocks an open item: it comes first.
        var order = JsonDocument.Parse(Ok("review", "list", "--json").Out).RootElement.EnumerateArray().Select(e => e.GetProperty("item").GetString()).ToList();
        Assert.Equal([b, a], order);

        Ok("review", "approve", a);
        Ok("refinery", "run", "app", "--once");
        Assert.Equal(2, GateRuns()); // main had not moved: it landed as reviewed
        Assert.Equal($"{a}: Add a", MainLog()[0]);

        var built = Mq(b).GetProperty("onto").GetString();
        Assert.NotEqual(built, Main()); // main moved since b's candidate was built
        Ok("review", "approve", b);
        Assert.Contains($"{b}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal(3, GateRuns()); // rebuilt on the new main and gated again, then landed without a second review
        Assert.Equal([$"{b}: Add b", $"{a}: Add a", "first"], MainLog());
        Assert.Equal("closed", Item(b).GetProperty("status").GetString());
        Assert.Contains("rebuilding it on master", Ok("feed").Out);
        Assert.True(File.Exists(Path.Combine(RigDir, "b.txt")));
    }

    [Fact]
    public void Rejecting_returns_the_work_to_its_worker_with_the_reason()
    {
        var id = Submit("Add a", new() { ["a.txt"] = "a\n" });
        var main = Main();
        Ok("refinery", "run", "app", "--once");
        Assert.Contains($"returned {id}", Ok("review", "reject", id, "--reason", "needs a test").Out);
        var mq = Mq(id);
        Assert.Equal("rejected", mq.GetProperty("state").GetString());
        Assert.Contains("needs a test", mq.GetProperty("reason").GetString());
        var item = Item(id);
        Assert.Equal("hooked", item.GetProperty("status").GetString());
        Assert.Equal("w1", item.GetProperty("assignee").GetString());
        Assert.Contains("needs a test", item.GetProperty("comments").EnumerateArray().Last().GetProperty("text").GetString());
        var hooks = new RecordStore<Hook>(Path.Combine(_ws.Root, "agents"), OrcJsonContext.Default.Hook);
        Assert.Equal(HookStates.Active, hooks.Find("w1")!.State);
        var letter = JsonDocument.Parse(Ok("mail", "inbox", "--as", "w1", "--json").Out).RootElement.EnumerateArray().Single();
        Assert.Contains("needs a test", letter.GetProperty("subject").GetString());
        Assert.Contains("\"tag\":\"review\"", Ok("feed", "--json").Out.Replace(" ", ""));
        Assert.Equal(main, Main());
        Assert.Equal("nothing waits for review", Ok("review", "list").Out.Trim());
    }

    [Fact]
    public void Four_people_answering_one_review_at_once_give_one_answer()
    {
        var id = Submit("Add c", new() { ["c.txt"] = "gamma\n" });
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("review", Mq(id).GetProperty("state").GetString());
        string[][] answers = [["review", "approve", id], ["review", "reject", id, "--reason", "no"], ["review", "approve", id], ["review", "reject", id,
            "--reason", "nope"]];
        var results = new CliResult[answers.Length];
        Parallel.For(0, answers.Length, i => results[i] = _fleet.Process(answers[i]));
        var won = Assert.Single(results.Select((r, i) => (r, i)), x => x.r.ExitCode == 0);
        var state = Mq(id).GetProperty("state").GetString();
        Assert.Equal(answers[won.i][1] == "approve" ? "approved" : "rejected", state);
        Assert.All(results.Where(r => r.ExitCode != 0), r =>
        {
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"{id} is {state}", r.Err); // one line saying it was answered already
        });
    }

    [Fact]
    public void Bad_input_is_one_clear_line_a_non_zero_exit_and_changes_nothing()
    {
        var id = Submit("Add a", new() { ["a.txt"] = "a\n" }); // queued, not yet reviewed
        var commits = _ws.CommitCount();
        void Refused(int exit, string message, params string[] args)
        {
            var r = _ws.Orc(args);
            Assert.True(r.ExitCode == exit, string.Join(' ', args) + ": " + r);
            Assert.Contains(message, r.Err);
            Assert.Equal("", r.Out);
            Assert.Equal(commits, _ws.CommitCount());
        }
        Refused(1, $"{id} is queued, not waiting for review", "review", "approve", id);
        Refused(1, $"{id} is queued, not waiting for review", "review", "reject", id, "--reason", "no");
        Refused(1, "not waiting for review", "review", "show", id);
        Refused(ExitCodes.NotFound, "no submission for 'hq-nope'", "review", "approve", "hq-nope");
        Refused(ExitCodes.NotFound, "no submission for 'hq-nope'", "review", "reject", "hq-nope", "--reason", "x");
        Assert.Equal("queued", Mq(id).GetProperty("state").GetString());

        Ok("refinery", "run", "app", "--once");
        commits = _ws.CommitCount();
        Refused(ExitCodes.Usage, "--reason", "review", "reject", id);
        Refused(ExitCodes.Usage, "--reason", "review", "reject", id, "--reason", "  ");
        Assert.Equal("review", Mq(id).GetProperty("state").GetString());
        Ok("review", "approve", id);
        commits = _ws.CommitCount();
        Refused(1, $"{id} is approved, not waiting for review", "review", "approve", id);
        Refused(1, $"{id} is approved, not waiting for review", "review", "reject", id, "--reason", "late");
        Assert.Equal("approved", Mq(id).GetProperty("state").GetString());
    }

    [Fact]
    public void The_review_queue_puts_the_convoy_nearest_to_landing_before_older_work()
    {
        var a = Submit("Add a", new() { ["a.txt"] = "a\n" });
        var b = Submit("Add b", new() { ["b.txt"] = "b\n" });
        var c = Submit("Add c", new() { ["c.txt"] = "c\n" });
        var other = Ok("item", "create", "Later work", "--quiet").Out.Trim();
        Ok("convoy", "create", "near", b);        // b is all that is left of it
        Ok("convoy", "create", "far", c, other);  // c and one more
        Ok("refinery", "run", "app", "--once");
        var entries = JsonDocument.Parse(Ok("review", "list", "--json").Out).RootElement.EnumerateArray().ToList();
        Assert.Equal([b, c, a], entries.Select(e => e.GetProperty("item").GetString()));
        Assert.Equal("near", entries[0].GetProperty("convoy").GetString());
        Assert.Equal(1, entries[0].GetProperty("convoy_left").GetInt32());
        Assert.Equal(2, entries[1].GetProperty("convoy_left").GetInt32());
        Assert.False(entries[2].TryGetProperty("convoy", out _));
        Assert.Matches($@"^{b}\s+app\s+w2\s+\d+s\s+0\s+near \(1 left\)\s+-\s+Add b$", Ok("review", "list", "--no-headers").Out.Split('\n')[0]);
    }

    [Fact]
    public void Work_that_depends_on_an_item_waiting_for_review_waits_until_that_item_lands()
    {
        var a = Submit("Add a", new() { ["a.txt"] = "a\n" });
        Ok("refinery", "run", "app", "--once");
        Assert.Equal("review", Mq(a).GetProperty("state").GetString());
        var b = Submit("Add b", new() { ["b.txt"] = "b\n" });
        Ok("item", "dep", "add", b, a);
        Assert.Contains($"{b}: waiting (waits for {a})", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal("queued", Mq(b).GetProperty("state").GetString());
        Ok("review", "approve", a);
        var run = Ok("refinery", "run", "app", "--once").Out;
        Assert.Contains($"{a}: merged", run);
        Assert.Contains($"{b}: review", run); // built on main with a in it
        Assert.Equal(Main(), Mq(b).GetProperty("onto").GetString());
    }
}
