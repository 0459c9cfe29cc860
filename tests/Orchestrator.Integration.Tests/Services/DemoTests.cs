using System.Diagnostics;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// <c>orc demo --no-attach</c>: the demo workspace is built in a temp directory on a private tmux
/// server, its services, launch and sim agents run as real processes, and the convoy lands with
/// the conflict reworked and the crash restarted. Each test stops its server and removes its directory.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class DemoTests : IDisposable
{
    private readonly TempWorkspace _ws = new(init: false);
    private readonly string _socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];

    public DemoTests()
    {
        TmuxServer.CheckVersion();
        _ws.Env["ORC_TMUX_SOCKET"] = _socket;
    }

    private string Dir => Path.Combine(_ws.Root, "demo");

    public void Dispose()
    {
        // The server, and every process of the demo (its services and agents, a launch that would
        // start the server again), before the folder goes.
        using (var tmux = new TmuxServer(_socket, Path.Combine(Dir, ".orc", "tmp", "tmux.conf"), Path.Combine(Dir, ".orc", "locks")))
            PrivateTmux.Stop(tmux, Dir);
        _ws.Dispose();
    }

    /// <summary>orc in-process, in the demo's workspace.</summary>
    private CliResult Orc(params string[] args) => _ws.Run(args, new() { ["ORC_WORKSPACE"] = Dir }, null, Dir);

    private CliResult Ok(params string[] args)
    {
        var r = Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private JsonElement Json(params string[] args) => JsonDocument.Parse(Ok([.. args, "--json"]).Out).RootElement;

    private CliResult Demo()
    {
        var r = _ws.Orc("demo", "--no-attach", "--dir", Dir);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    [Fact]
    public void The_demo_runs_the_whole_loop_and_its_convoy_lands_with_a_conflict_reworked_and_a_crash_restarted()
    {
        Demo();
        var convoy = Json("convoy", "show", "checkout");
        var items = convoy.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
        Assert.Equal(6, items.Count);
        var byTitle = Json("item", "list", "--all").EnumerateArray().ToDictionary(i => i.GetProperty("title").GetString()!,
            i => i.GetProperty("id").GetString()!);
        var epic = byTitle["Checkout v2"];
        var payments = byTitle["Payment settings"];
        var model = byTitle["Cart model: line items and totals"];
        var guide = byTitle["Checkout guide"];

        // The plan the newcomer sees: waves, and the one conflict it can predict.
        var plan = Json("plan", "checkout");
        Assert.Equal(3, plan.GetProperty("waves").GetArrayLength());
        Assert.Single(plan.GetProperty("conflicts").EnumerateArray());

        RigFixture.Eventually(() => Json("convoy", "show", "checkout").GetProperty("state").GetString() == "landed",
            () => "the convoy did not land:\n" + Ok("convoy", "show", "checkout").Out + "\n" + Ok("agents").Out + "\n" + Ok("feed", "-n", "80").Out,
                seconds: 150);

        // Every item closed; the on-land command closes the epic too.
        RigFixture.Eventually(() => Json("item", "list", "--all").EnumerateArray().All(i => i.GetProperty("status").GetString() == "closed"),
            () => Ok("item", "list", "--all").Out + "\n" + Ok("convoy", "show", "checkout").Out);

        // One commit per item on the rig's main, with the item's id.
        using (var repo = new Repository(Path.Combine(Dir, "rigs", "shop")))
        {
            var log = repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = repo.Branches["main"].Tip }).ToList();
            foreach (var id in items)
                Assert.Single(log, c => c.Message.StartsWith(id + ": ", StringComparison.Ordinal) && c.Message.Contains($"Orc-Item: {id}\n",
                    StringComparison.Ordinal));
            Assert.Equal(items.Count + 1, log.Count);
            var ini = ((Blob)repo.Branches["main"].Tip["config/shop.ini"].Target).GetContentText();
            Assert.Contains(model + ":", ini);
            Assert.Contains(payments + ":", ini); // both sides of the conflict kept
        }

        // The payment settings conflicted with the model, went back to their agent, and landed after rework.
        var events = Json("feed", "-n", "2000").EnumerateArray().ToList();
        int Index(Func<JsonElement, bool> match) => events.FindIndex(e => match(e));
        string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
        var returned = Index(e => Str(e, "kind") == "rejected" && Str(e, "subject") == payments && Str(e, "tag") == "conflict");
        Assert.True(returned >= 0, "no conflict return of " + payments + ":\n" + Ok("feed", "-n", "80").Out);
        Assert.True(Index(e => Str(e, "kind") == "merged" && Str(e, "subject") == payments) > returned);
        Assert.DoesNotContain(events, e => Str(e, "kind") == "rejected" && Str(e, "subject") != payments);

        // The guide's agent crashed once, was restarted once by the witness, and its work landed.
        var hooks = Directory.GetFiles(Path.Combine(Dir, "agents"), "*.json").Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement).ToList();
        var guideHook = hooks.Single(h => Str(h, "item") == guide);
        Assert.Equal(1, guideHook.GetProperty("restarts").GetInt32());
        var guideAgent = Str(guideHook, "agent");
        Assert.Single(events, e => Str(e, "kind") == "restarted" && Str(e, "subject") == guideAgent);
        Assert.Contains(events, e => Str(e, "kind") == "merged" && Str(e, "subject") == guide);
        Assert.Equal(1, hooks.Single(h => Str(h, "item") == payments).GetProperty("restarts").GetInt32()); // restarted for its rework

        var report = Json("convoy", "report", "checkout");
        Assert.Equal(1, report.GetProperty("conflicts_predicted").GetInt32());
        Assert.Equal(1, report.GetProperty("conflicts_met").GetInt32());
    }

    [Fact]
    public void Demo_no_attach_prints_where_it_is_and_how_to_look_and_refuses_a_folder_in_use()
    {
        var r = Demo();
        Assert.Contains("orc demo: workspace " + Dir, r.Out);
        Assert.Contains("ORC_WORKSPACE=" + Dir, r.Out);
        Assert.Contains("convoy show checkout", r.Out);
        Assert.Contains(" down && rm -rf " + Dir, r.Out);
        Assert.True(File.Exists(Path.Combine(Dir, ".orc", "config.yaml")));
        Assert.True(File.Exists(Path.Combine(Dir, "convoys", "checkout.json")));
        using (var tmux = new TmuxServer(_socket, Path.Combine(Dir, ".orc", "tmp", "tmux.conf"), Path.Combine(Dir, ".orc", "locks")))
        {
            // Once (CI, NativeAOT, a loaded machine) the first listing came back empty; look again for
            // a while, and if it stays empty say what tmux itself answers, so a dead server shows as one.
            List<string> Windows() => tmux.ListWindows().Where(w => w.Session == "orc").Select(w => w.Window).ToList();
            RigFixture.Eventually(() => Windows() is var w && w.Contains("convoy") && w.Contains("refinery-shop") && w.Contains("witness-shop"),
                () => $"windows of session orc: [{string.Join(", ", Windows())}]; listening: {tmux.IsListening()}; tmux list-windows -a: {tmux.RunProcess("list-windows", "-a")}", 20);
        }

        // A folder that is not new or empty is refused before anything is touched (the demo removes its folder when it ends).
        var again = _ws.Orc("demo", "--no-attach", "--dir", Dir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("not a new or empty directory", again.Err);
        Assert.True(File.Exists(Path.Combine(Dir, "convoys", "checkout.json")));
    }
}
