using System.Text.Json;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// Convoys and the coordination plan against real git, a real tmux server and sim agents: plans
/// on constructed cases, a convoy across two rigs launched in waves, merged by the refinery and
/// landing with mail and its on-land command, and the live overlap check.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class ConvoyTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _app;
    private readonly string _web;

    public ConvoyTests()
    {
        _ws.Env["ORC_TMUX_SOCKET"] = _socket;
        _app = RigFixture.CreateSource(_ws, "app\n");
        Ok("rig", "add", "app", _app);
        _web = _app + "-web";
        Directory.Move(RigFixture.CreateSource(_ws, "web\n"), _web);
        Ok("rig", "add", "web", _web);
    }

    public void Dispose()
    {
        using (var tmux = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks")))
            PrivateTmux.Stop(tmux, _ws.Root);
        _ws.Dispose();
        RigFixture.DeleteSource(_app);
        RigFixture.DeleteSource(_web);
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string Item(string rig, string title, params string[] extra) => _ws.Create(title, ["--prefix", rig, .. extra]);

    private JsonElement Plan(params string[] targets) => JsonDocument.Parse(Ok(["plan", .. targets, "--json"]).Out).RootElement;

    private static List<List<string>> Waves(JsonElement plan) =>
        plan.GetProperty("waves").EnumerateArray().Select(w => w.EnumerateArray().Select(x => x.GetString()!).ToList()).ToList();

    private JsonElement Show(string convoy) => JsonDocument.Parse(Ok("convoy", "show", convoy, "--json").Out).RootElement;

    [Fact]
    public void The_plan_runs_disjoint_items_together_serialises_a_shared_file_and_orders_dependencies()
    {
        var count = Item("app", "count", "--file", "cli.py", "--file", "src/count.py");
        var docs = Item("app", "docs", "--file", "docs/");
        var clear = Item("app", "clear", "--file", "cli.py", "-p", "3");
        var notes = Item("app", "notes", "--file", "docs/notes.md", "--deps", count);
        var web = Item("web", "web page", "--file", "cli.py"); // same name, other rig: no conflict
        Ok("convoy", "create", "feat", count, docs, clear, notes, web);

        var plan = Plan("feat");
        var waves = Waves(plan);
        Assert.Equal(2, waves.Count);
        Assert.Equal(new[] { count, docs, web }.Order(StringComparer.Ordinal), waves[0].Order(StringComparer.Ordinal));
        Assert.Equal(new[] { clear, notes }.Order(StringComparer.Ordinal), waves[1].Order(StringComparer.Ordinal));
        var conflicts = plan.GetProperty("conflicts").EnumerateArray().Select(c => string.Join("|", new[] { c.GetProperty("a").GetString()!,
            c.GetProperty("b").GetString()! }.Order(StringComparer.Ordinal))).ToList();
        Assert.Contains(string.Join("|", new[] { count, clear }.Order(StringComparer.Ordinal)), conflicts);
        Assert.Contains(string.Join("|", new[] { docs, notes }.Order(StringComparer.Ordinal)), conflicts);
        Assert.DoesNotContain(conflicts, c => c.Contains(web));
        var rows = plan.GetProperty("items").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal("web", rows[web].GetProperty("rig").GetString());
        Assert.Equal([count], rows[notes].GetProperty("depends_on").EnumerateArray().Select(x => x.GetString()));

        // Claims that match no file are warned about (on stderr), not refused.
        var text = _ws.Orc("plan", "feat");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("warning:", text.Err);
        Assert.Contains("cli.py", text.Err);
        Assert.Contains("wave 1:", text.Out);
        Assert.Contains("predicted conflicts", text.Out);

        // Items can be planned without a convoy.
        Assert.Equal(2, Waves(Plan(count, clear)).Count);
        Assert.Single(Waves(Plan(count, docs)));
    }

    [Fact]
    public void Bad_convoys_are_refused_and_nothing_is_stored()
    {
        var a = Item("app", "a");
        var b = Item("app", "b");
        Ok("convoy", "create", "one", a);
        var commits = _ws.CommitCount();
        void Refused(int code, string expected, params string[] args)
        {
            var r = _ws.Orc(args);
            Assert.True(r.ExitCode == code, string.Join(' ', args) + ": " + r);
            Assert.Contains(expected, r.Err);
        }
        Refused(3, "no work item 'app-nope'", "convoy", "create", "two", a, "app-nope");
        Refused(2, "named twice", "convoy", "create", "two", a, b, a);
        Refused(1, "exists already", "convoy", "create", "one", b);
        Refused(2, "not a valid name", "convoy", "create", "../x", a);
        Refused(2, "named twice", "convoy", "add", "one", a);
        Refused(3, "no convoy 'nope'", "convoy", "show", "nope");
        Refused(3, "no work item or convoy", "plan", "nothing-here");
        Refused(2, "--on-land", "convoy", "create", "two", b, "--on-land", "echo a\necho b");
        Assert.Equal(commits, _ws.CommitCount());
        Assert.False(File.Exists(Path.Combine(_ws.Root, "convoys", "two.json")));
        Assert.True(_ws.IsClean());
    }

    [Fact]
    public void A_convoy_across_two_rigs_launches_in_waves_lands_and_notifies()
    {
        TmuxServer.CheckVersion();
        var a1 = Item("app", "first on app", "--file", "shared.txt", "-p", "1"); // more urgent: it goes first
        var a2 = Item("app", "second on app", "--file", "shared.txt"); // conflicts with a1: waits for it to land
        var w1 = Item("web", "on web", "--file", "page.html");
        var flag = Path.Combine(_ws.Root, "..", Path.GetFileName(_ws.Root) + "-landed.txt");
        try
        {
            Ok("convoy", "create", "ship", a1, a2, w1, "--title", "ship it", "--on-land", $"echo \"$ORC_CONVOY $ORC_CONVOY_ITEMS\" > '{flag}'");

            var step = Ok("convoy", "launch", "ship", "--once", "--max", "5").Out;
            Assert.Contains($"slung {a1}", step);
            Assert.Contains($"slung {w1}", step);
            Assert.DoesNotContain($"slung {a2}", step);
            Assert.Contains($"{a2} waits for {a1} (predicted conflict)", step);

            // Both agents finish and submit; the refineries land them.
            RigFixture.Eventually(() => Show("ship").GetProperty("items").EnumerateArray().All(i => i.GetProperty("status").GetString() != "hooked"),
                () => Ok("agents").Out);
            Ok("refinery", "run", "app", "--once");
            Ok("refinery", "run", "web", "--once");
            var mid = Show("ship");
            Assert.Equal(2, mid.GetProperty("done").GetInt32());
            Assert.Equal(["app", "web"], mid.GetProperty("rigs").EnumerateArray().Select(r => r.GetProperty("rig").GetString()));

            // a1 has landed: a2 may start now.
            Assert.Contains($"slung {a2}", Ok("convoy", "launch", "ship", "--once").Out);
            RigFixture.Eventually(() => Show("ship").GetProperty("in_flight").GetInt32() == 1
                && Show("ship").GetProperty("items").EnumerateArray().All(i => i.GetProperty("status").GetString() != "hooked"), () => Ok("agents").Out);
            Ok("refinery", "run", "app", "--once");

            // The refinery's merge closed the last item; the next look lands the convoy.
            Assert.Contains("has landed", Ok("convoy", "launch", "ship", "--once").Out);
            var landed = Show("ship");
            Assert.Equal("landed", landed.GetProperty("state").GetString());
            Assert.Equal(3, landed.GetProperty("done").GetInt32());
            var mail = JsonDocument.Parse(Ok("mail", "inbox",
                "--json").Out).RootElement.EnumerateArray().Single(m => m.GetProperty("subject").GetString() == "convoy ship landed");
            Assert.Equal("convoy", mail.GetProperty("from").GetString());
            Assert.Equal($"ship {a1} {a2} {w1}", File.ReadAllText(flag).Trim());
            Assert.Contains("convoy-landed", Ok("feed", "-n", "50").Out);

            var report = JsonDocument.Parse(Ok("convoy", "report", "ship", "--json").Out).RootElement;
            Assert.Equal(3, report.GetProperty("items").GetInt32());
            Assert.Equal(1, report.GetProperty("conflicts_predicted").GetInt32());
            Assert.Equal(0, report.GetProperty("conflicts_met").GetInt32());
            Assert.True(report.GetProperty("agent_seconds").GetDouble() >= report.GetProperty("agent_wall_seconds").GetDouble());
            Assert.Contains("conflicts: 1 predicted", Ok("convoy", "report", "ship").Out);

            // Only once: another look does not land it again.
            Ok("deacon", "run", "--once", "--no-supervise");
            Assert.Single(JsonDocument.Parse(Ok("mail", "inbox", "--json").Out).RootElement.EnumerateArray(),
                m => m.GetProperty("subject").GetString() == "convoy ship landed");
        }
        finally { File.Delete(flag); }
    }

    [Fact]
    public void The_report_counts_each_items_wait_in_review_and_the_total()
    {
        Ok("rig", "set", "app", "land", "review");
        var a = RigFixture.Submit(_ws, "app", "ra", "Add a", new() { ["a.txt"] = "a\n" });
        var b = RigFixture.Submit(_ws, "app", "rb", "Add b", new() { ["b.txt"] = "b\n" });
        var c = RigFixture.Submit(_ws, "app", "rc", "Add c", new() { ["c.txt"] = "c\n" });
        Ok("convoy", "create", "rev", a, b, c);
        Ok("refinery", "run", "app", "--once");
        Ok("review", "approve", a);
        Ok("review", "reject", b, "--reason", "needs a test");
        Ok("refinery", "run", "app", "--once"); // a lands; c still waits for a person

        var report = JsonDocument.Parse(Ok("convoy", "report", "rev", "--json").Out).RootElement;
        Assert.Equal(3, report.GetProperty("review_items").GetInt32());
        var waits = report.GetProperty("review_waits").EnumerateArray().ToDictionary(w => w.GetProperty("item").GetString()!);
        Assert.Equal(new[] { a, b, c }.Order(StringComparer.Ordinal), waits.Keys.Order(StringComparer.Ordinal));
        Assert.All(waits.Values, w => Assert.Equal(1, w.GetProperty("rounds").GetInt32()));
        Assert.False(waits[a].GetProperty("waiting").GetBoolean());
        Assert.False(waits[b].GetProperty("waiting").GetBoolean());
        Assert.True(waits[c].GetProperty("waiting").GetBoolean());
        Assert.Equal(waits.Values.Sum(w => w.GetProperty("seconds").GetDouble()), report.GetProperty("review_seconds").GetDouble(), 0.5);
        var text = Ok("convoy", "report", "rev").Out;
        Assert.Matches(@"review: 3 items, waited \S+ in total, longest \S+ \((" + a + "|" + b + "|" + c + @")\)", text);
        Assert.Contains($"    {c}: ", text);
        Assert.Contains(", still waiting", text);
    }

    [Fact]
    public void Launch_never_runs_more_than_max_agents_and_says_what_waits()
    {
        TmuxServer.CheckVersion();
        var ids = Enumerable.Range(1, 3).Select(i => Item("app", $"part {i}", "--file", $"part{i}.txt", "-l", "sim:hang")).ToArray();
        Ok(["convoy", "create", "wide", .. ids]);
        var out1 = Ok("convoy", "launch", "wide", "--once", "--max", "2").Out;
        Assert.Equal(2, out1.Split('\n').Count(l => l.StartsWith("slung ", StringComparison.Ordinal)));
        Assert.Contains("waits for a free slot (--max 2)", out1);
        var out2 = Ok("convoy", "launch", "wide", "--once", "--max", "2").Out;
        Assert.DoesNotContain(out2.Split('\n'), l => l.StartsWith("slung ", StringComparison.Ordinal));
        Assert.Equal(2, Show("wide").GetProperty("in_flight").GetInt32());
    }

    [Fact]
    public void Sling_of_several_items_can_make_a_convoy_of_them()
    {
        TmuxServer.CheckVersion();
        var a = Item("app", "one", "-l", "sim:hang");
        var w = Item("web", "two", "-l", "sim:hang");
        Assert.Equal(2, _ws.Orc("sling", a, w, "--agent", "bob").ExitCode);
        var r = JsonDocument.Parse(Ok("sling", a, w, "--convoy", "pair", "--json").Out).RootElement;
        Assert.Equal([a, w], r.EnumerateArray().Select(h => h.GetProperty("item").GetString()));
        Assert.Equal(["app", "web"], r.EnumerateArray().Select(h => h.GetProperty("rig").GetString()));
        var show = Show("pair");
        Assert.Equal(2, show.GetProperty("in_flight").GetInt32());
        // One that cannot go (already hooked) does not stop the others, and the exit says so.
        var again = _ws.Orc("sling", a, Item("app", "three", "-l", "sim:hang"));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"{a}: {a} is already hooked", again.Err);
        Assert.Contains("slung ", again.Out);
    }

    [Fact]
    public void A_stalled_convoy_says_why_and_fails()
    {
        var outside = Item("app", "outside the convoy");
        var inside = Item("app", "inside", "--deps", outside);
        Ok("convoy", "create", "stuck", inside);
        var r = _ws.Orc("convoy", "launch", "stuck", "--interval", "0.2");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"blocked by {outside}", r.Out);
        Assert.Contains("cannot go on", r.Err);
    }

    [Fact]
    public void Two_agents_changing_the_same_file_are_reported_before_the_merge_queue()
    {
        TmuxServer.CheckVersion();
        // Neither declares the file: the plan cannot predict it; the live check sees it.
        var x = Item("app", "x", "-l", "sim:touch=config.yaml", "-l", "sim:hang");
        var y = Item("app", "y", "-l", "sim:touch=config.yaml", "-l", "sim:hang");
        Ok("convoy", "create", "pair", x, y);
        Assert.Single(Waves(Plan("pair")));
        Ok("sling", x);
        Ok("sling", y);
        // sim:hang stops after its first step, before writing: write the change as the agents would.
        foreach (var agent in JsonDocument.Parse(Ok("agents", "--json").Out).RootElement.EnumerateArray())
            File.WriteAllText(Path.Combine(agent.GetProperty("worktree").GetString()!, "config.yaml"),
                "mine: " + agent.GetProperty("agent").GetString() + "\n");

        var overlaps = Plan("pair").GetProperty("overlaps").EnumerateArray().ToList();
        var o = Assert.Single(overlaps);
        Assert.Equal(["config.yaml"], o.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.False(o.GetProperty("predicted").GetBoolean());
        Assert.Contains("NOT predicted", Ok("plan", "pair").Out);

        Ok("deacon", "run", "--once", "--no-supervise");
        var mail = JsonDocument.Parse(Ok("mail", "inbox", "--json").Out).RootElement.EnumerateArray().ToList();
        var m = Assert.Single(mail);
        Assert.Contains("changed the same files", m.GetProperty("subject").GetString());
        Assert.Contains("config.yaml", m.GetProperty("body").GetString());
        // Told once, not on every pass.
        Ok("deacon", "run", "--once", "--no-supervise");
        Assert.Single(JsonDocument.Parse(Ok("mail", "inbox", "--json").Out).RootElement.EnumerateArray());
    }
}
