using System.Text;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Merging;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>
/// Random walks over the lifecycle verbs (sling, done in its four forms, kill, crash, resume, up,
/// unsling, close, the refinery with a gate that is sometimes red, mq retry, the witness, the
/// deacon), on real git and a real tmux server with sim agents, checking after every step what
/// must always hold: at most one live hook per item; a closed item is never hooked and no agent
/// is started on it; every hook that holds work has its worktree; max_polecats holds; no commit
/// an agent made is lost (it is on a branch, or its item landed). A failure prints the seed and
/// the steps that led to it.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class LifecycleModelTests : IDisposable
{
    private const int MaxPolecats = 3;
    private readonly FleetFixture _f = new(grace: 0);
    private readonly List<string> _log = [];
    private readonly Dictionary<string, string> _commits = []; // sha -> item
    private readonly string _red;

    public LifecycleModelTests()
    {
        _red = Path.Combine(_f.Root, ".orc", "tmp", "red");
        Directory.CreateDirectory(Path.GetDirectoryName(_red)!);
        _f.Ok("rig", "set", "app", "max_polecats", MaxPolecats.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _f.Ok("rig", "set", "app", "gate", $"test ! -e '{_red}'");
    }

    public void Dispose() => _f.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]

    public void Random_interleavings_keep_every_lifecycle_invariant(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 4; i++) Create();
        for (var step = 1; step <= 45; step++)
        {
            var before = LiveWindows();
            var op = random.Next(14);
            var what = Do(op, random);
            _log.Add($"{step}: {what}");
            Check(seed, op, before);
        }
    }

    private string Create() => _f.Item($"work {Guid.NewGuid().ToString("N")[..6]}", "-l", "sim:hang");

    private List<Hook> Hooks() => new RecordStore<Hook>(Path.Combine(_f.Root, "agents"), OrcJsonContext.Default.Hook).All();

    private Dictionary<string, JsonElement> Items() =>
        JsonDocument.Parse(_f.Ok("item", "list", "--all", "--json").Out).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!,
            e => e.Clone());

    private HashSet<string> LiveWindows() => _f.Tmux.ListWindows().Where(w => w.Session == "app" && !w.PaneDead).Select(w => w.Window).ToHashSet();

    private static T? Pick<T>(Random r, IReadOnlyList<T> from) => from.Count == 0 ? default : from[r.Next(from.Count)];

    /// <summary>One random operation; returns what it did (for the failure report).</summary>
    private string Do(int op, Random r)
    {
        var hooks = Hooks();
        var working = hooks.Where(h => h.Role == Roles.Polecat && h.State == HookStates.Active).ToList();
        var items = Items();
        string Run(params string[] args) { var x = _f.Ws.Orc(args); return $"orc {string.Join(' ', args)} -> {x.ExitCode} {x.Out.Trim().Split('\n')[0]}{x.Err.Trim().Split('\n')[0]}"; }
        switch (op)
        {
            case 0: return "created " + Create();
            case 1 or 2:
                var open = items.Values.Where(i => i.GetProperty("status").GetString() == "open").Select(i => i.GetProperty("id").GetString()!).ToList();
                return Pick(r, open) is { } id ? Run("sling", id) : "no open item";
            case 3:
                if (Pick(r, working) is not { } h) return "nobody to finish";
                if (!Directory.Exists(h.Worktree)) return Run("done", "--agent", h.Agent);
                var file = Path.Combine(h.Worktree, $"{h.Agent}-{r.Next(1000)}.txt");
                File.WriteAllText(file, "work\n");
                using (var repo = new Repository(h.Worktree))
                {
                    Commands.Stage(repo, Path.GetFileName(file));
                    var sig = new Signature(h.Agent, "a@orc.local", DateTimeOffset.Now);
                    _commits[repo.Commit($"{h.Item}: work", sig, sig, new CommitOptions()).Sha] = h.Item!;
                }
                return Run("done", "--agent", h.Agent, "--note", "model");
            case 4:
                return Pick(r, working) is { } f ? Run("done", "--agent", f.Agent, "--status", Pick(r, ["no-changes", "deferred", "escalated"])!, "--note",
                    "model") : "nobody to end";
            case 5: return Pick(r, working) is { } k ? Run("kill", k.Agent) : "nobody to kill";
            case 6:
                if (Pick(r, working) is not { } c) return "nobody to crash";
                _f.Tmux.KillWindow("app", c.Agent);
                return "crashed " + c.Agent;
            case 7:
                return Pick(r, hooks.Where(h => h.State == HookStates.Suspended).ToList()) is { } s ? Run("resume", s.Agent) : "nobody to resume";
            case 8: return Run("up", "--no-services");
            case 9:
                return Pick(r, hooks.Where(h => h.HoldsWork).ToList()) is { } u ? Run(["unsling", r.Next(2) == 0 ? u.Agent : u.Item!,
                    .. r.Next(3) == 0 ? new[] { "--remove-worktree" } : []]) : "nothing to unsling";
            case 10:
                var notClosed = items.Values.Where(i => i.GetProperty("status").GetString() != "closed").Select(i => i.GetProperty("id").GetString()!).ToList();
                return Pick(r, notClosed) is { } x ? Run("item", "close", x, "--reason", "model") : "nothing to close";
            case 11:
                if (r.Next(3) == 0) File.WriteAllText(_red, ""); else File.Delete(_red);
                return (File.Exists(_red) ? "red gate: " : "green gate: ") + Run("refinery", "run", "app", "--once");
            case 12:
                var rejected = new RecordStore<Submission>(Path.Combine(_f.Root, "mq", "app"),
                    OrcJsonContext.Default.Submission).All().Where(s => s.State == SubmissionStates.Rejected).ToList();
                return Pick(r, rejected) is { } q ? Run("mq", "retry", q.Item) : Run("witness", "run", "app", "--once");
            default: return Run("deacon", "run", "--once", "--no-supervise");
        }
    }

    private void Check(int seed, int op, HashSet<string> liveBefore)
    {
        var problems = new List<string>();
        var hooks = Hooks();
        var items = Items();
        var live = LiveWindows();
        foreach (var g in hooks.Where(h => h.HoldsWork && h.Item is not null).GroupBy(h => h.Item!))
            if (g.Count() > 1) problems.Add($"{g.Key} is held by {string.Join(", ", g.Select(h => h.Agent))}");
        foreach (var (id, item) in items.Where(i => i.Value.GetProperty("status").GetString() == "closed"))
        {
            if (item.TryGetProperty("assignee",
                out var a) && hooks.Any(h => h.Agent == a.GetString() && h.Item == id
                && h.State == HookStates.Created)) problems.Add($"closed {id} was just slung");
            foreach (var h in hooks.Where(h => h.Item == id && live.Contains(h.Agent) && !liveBefore.Contains(h.Agent)))
                problems.Add($"{h.Agent} was started on closed {id}");
        }
        foreach (var h in hooks.Where(h => h.HoldsWork && !Directory.Exists(h.Worktree)))
            problems.Add($"{h.Agent} holds {h.Item} ({h.State}) but its worktree {h.Worktree} is gone");
        var inQueue = new RecordStore<Submission>(Path.Combine(_f.Root, "mq", "app"),
            OrcJsonContext.Default.Submission).All().Where(s => s.IsOpen).Select(s => s.Agent).ToHashSet();
        var busy = hooks.Count(h => h.Role == Roles.Polecat && (h.State is HookStates.Created or HookStates.Active || (h.State == HookStates.Completed
            && inQueue.Contains(h.Agent))));
        // (the same count as SlingService.Busy, written out: the test states the rule, it does not call it)
        if (busy > MaxPolecats) problems.Add($"{busy} polecats at work (max {MaxPolecats})");
        using (var repo = new Repository(_f.RigDir))
        {
            var merged = new RecordStore<Submission>(Path.Combine(_f.Root, "mq", "app"), OrcJsonContext.Default.Submission).All()
                .Where(s => s.State == SubmissionStates.Merged).Select(s => s.Item).ToHashSet();
            var tips = repo.Refs.Select(x => x.ResolveToDirectReference()?.Target).OfType<Commit>().ToList();
            var reachable = repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = tips }).Select(c => c.Sha).ToHashSet();
            foreach (var (sha, item) in _commits)
                if (!reachable.Contains(sha) && !merged.Contains(item)) problems.Add($"commit {sha[..12]} of {item} is on no branch and its item did not land");
        }
        if (problems.Count > 0)
            Assert.Fail($"seed {seed}, after op {op}: {string.Join("; ", problems)}\nsteps:\n{string.Join("\n", _log)}\n{_f.Ok("agents").Out}");
    }
}
