using System.Globalization;
using System.Text;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Bench;

/// <summary>
/// <c>orc-bench ratios</c>: orc's most frequent commands against a reference doing comparable work
/// on the same machine at the same moment (<c>git --version</c>, <c>jq</c>, <c>git commit</c>),
/// measured side by side: the two commands of a row alternate run by run, so load that comes and
/// goes affects both. Every figure is a median over the runs of the child's own wall time, CPU
/// time (user + sys), peak RSS and minor page faults (<see cref="ChildUsage"/>). Informational:
/// the exit code says only whether every command ran.
/// </summary>
internal static class RatiosBench
{
    private sealed record Command(string Label, IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string>? Env = null, Action? Prepare = null);

    /// <summary>One row: orc's command, the reference, and the target for orc's wall time as a multiple of the reference's (null: none).</summary>
    private sealed record Pair(string What, Command Orc, Command Reference, double? Target);

    private sealed record Row(Pair Pair, Stats Orc, Stats Reference)
    {
        public double WallRatio => Orc.Wall / Reference.Wall;
        public double CpuRatio => Orc.Cpu / Reference.Cpu;
    }

    private sealed record Stats(double Wall, double Cpu, double RssMb, double MinorFaults)
    {
        public static Stats Median(List<ChildRun> runs) => new(
            Med(runs.Select(r => r.WallMs)), Med(runs.Select(r => r.CpuMs)), double.NaN, Med(runs.Select(r => (double)r.MinorFaults)));
    }

    public static int Run(Options o)
    {
        var orc = OrcCommand.Locate(o.Required("orc"));
        if (orc.IsDll) throw new UsageException("ratios measures a binary: give --orc the NativeAOT orc (or any executable), not orc.dll");
        var runs = o.Int("runs", int.TryParse(Environment.GetEnvironmentVariable("ORC_BENCH_RUNS"), out var r) ? r : 10);
        var warmup = o.Int("warmup", 1);
        var small = o.Int("items", 10_000);
        var large = o.Int("large", 100_000);
        var seed = o.Int("seed", 42);
        var dir = Path.GetFullPath(o.Optional("dir") ?? "/tmp/orc-bench-ratios");
        if (runs < 1) throw new UsageException("--runs must be at least 1");
        ChildUsage.Resolve("git");
        ChildUsage.Resolve("jq");

        Console.WriteLine($"orc-bench ratios: {orc.Path}");
        Console.WriteLine($"{runs} runs per command after {warmup} warm-up, the two commands of a row alternating; workspaces under {dir}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} CPUs, load average {LoadAverage()}");
        Directory.CreateDirectory(dir);
        var tiny = SmallWorkspace(orc, Path.Combine(dir, "small"));
        var ws = Ledger(orc, Path.Combine(dir, $"ws-{small}"), small, seed, commit: true);
        var big = large > 0 ? Ledger(orc, Path.Combine(dir, $"ws-{large}"), large, seed, commit: false) : null;

        var gitVersion = new Command("git --version", ["git", "--version"]);
        var pairs = new List<Pair>
        {
            new("orc --version vs git --version", new("orc --version", [orc.Path, "--version"]), gitVersion, null),
            new("orc hook (small workspace) vs git --version", Agent(orc, tiny, "hook"), gitVersion, null),
            new("orc prime (small workspace) vs git --version", Agent(orc, tiny, "prime"), gitVersion, null),
        };
        foreach (var (w, n, target) in new[] { (ws, small, 0.25), (big, large, 0.2) })
        {
            if (w is null) continue;
            CheckReady(orc, w);
            var jq = new Command("jq -c 'select(.status==\"open\")'", ["jq", "-c", "select(.status==\"open\")", LedgerPath(w)]);
            pairs.Add(new($"orc ready --json, {n / 1000}k items, index fresh, vs jq", Ready(orc, w, stale: false), jq, target));
            pairs.Add(new($"orc ready --json, {n / 1000}k items, after a write (index stale), vs jq", Ready(orc, w, stale: true), jq, 1.0));
        }
        var counter = 0;
        pairs.Add(new($"orc item create, {small / 1000}k items, vs git commit of the ledger (one line appended)",
            new("orc item create", [orc.Path, "item", "create", "bench item", "--quiet"], Workspace(ws)),
            new("git commit ledger", Git(ws, "commit", "-q", "-m", "bench: one line", "--", "ledger/issues.jsonl"), GitIdentity,
                () => File.AppendAllText(LedgerPath(ws),
                    $"{{\"id\":\"zzz-bench-{++counter}\",\"title\":\"bench line {counter}\",\"status\":\"closed\",\"priority\":2,\"issue_type\":\"task\"}}\n")),
            2.0));
        pairs.Add(new($"orc item create, {small / 1000}k items, vs git commit of a small file (context)",
            new("orc item create", [orc.Path, "item", "create", "bench item", "--quiet"], Workspace(ws)),
            new("git commit small file", Git(ws, "commit", "-q", "-m", "bench: notes", "--", "bench-notes.txt"), GitIdentity,
                () => File.AppendAllText(Path.Combine(ws, "bench-notes.txt"), "another line\n")),
            null));

        var rows = new List<Row>();
        foreach (var p in pairs)
        {
            Console.Error.Write($"  {p.What} ...");
            rows.Add(Measure(p, runs, warmup));
            Console.Error.WriteLine(" done");
        }
        Print(rows);
        return 0;
    }

    private static Row Measure(Pair p, int runs, int warmup)
    {
        for (var i = 0; i < warmup; i++) { Once(p.Orc); Once(p.Reference); }
        var a = new List<ChildRun>(runs);
        var b = new List<ChildRun>(runs);
        for (var i = 0; i < runs; i++)
        {
            // ABBA: neither command always runs right after the other.
            if (i % 2 == 0) { a.Add(Once(p.Orc)); b.Add(Once(p.Reference)); }
            else { b.Add(Once(p.Reference)); a.Add(Once(p.Orc)); }
        }
        // Peak RSS varies little: a few runs through the shell's fork (see ChildUsage).
        var rssRuns = Math.Min(runs, 3);
        var ra = new List<double>();
        var rb = new List<double>();
        for (var i = 0; i < rssRuns; i++) { ra.Add(Once(p.Orc, rss: true).MaxRssKb / 1024.0); rb.Add(Once(p.Reference, rss: true).MaxRssKb / 1024.0); }
        return new Row(p, Stats.Median(a) with { RssMb = Med(ra) }, Stats.Median(b) with { RssMb = Med(rb) });
    }

    private static ChildRun Once(Command c, bool rss = false)
    {
        c.Prepare?.Invoke();
        var run = rss ? ChildUsage.PeakRss(c.Argv, c.Env) : ChildUsage.Run(c.Argv, c.Env);
        if (run.ExitCode != 0)
            throw new BenchException($"'{string.Join(' ', c.Argv)}' exited with {run.ExitCode}: {run.Stderr.Trim()}");
        return run;
    }

    private static void Print(List<Row> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("| row | orc wall ms | ref wall ms | wall ratio | target | orc CPU ms | ref CPU ms | CPU ratio | orc RSS MB | ref RSS MB | orc minflt | ref minflt |");
        sb.AppendLine("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var target = r.Pair.Target is { } t ? $"≤ {t:0.##}x {(r.WallRatio <= t ? "met" : "NOT met")}" : "–";
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Pair.What} | {r.Orc.Wall:F1} | {r.Reference.Wall:F1} | {r.WallRatio:F2} | {target} | {r.Orc.Cpu:F1} | {r.Reference.Cpu:F1} | {r.CpuRatio:F2} | {r.Orc.RssMb:F1} | {r.Reference.RssMb:F1} | {r.Orc.MinorFaults:F0} | {r.Reference.MinorFaults:F0} |"));
        }
        sb.AppendLine();
        sb.AppendLine("Medians of each command's runs: wall time from spawn to reap; CPU = user + sys of the child (wait4);");
        sb.AppendLine("minflt = its minor page faults; stdout goes to /dev/null. RSS = the child's peak resident set, median of");
        sb.AppendLine("up to 3 more runs forked by /bin/sh (a child's own ru_maxrss; includes the shell's ~1-2 MB at most).");
        sb.AppendLine("References: git --version; jq 'select(.status==\"open\")' over the same ledger file; git commit of");
        sb.AppendLine("the ledger after appending one line (the same file orc commits), and of a one-line change to a small file.");
        sb.AppendLine("'after a write': a blank line is appended to the ledger before each run, so orc finds its index stale.");
        Console.Write(sb.ToString());
    }

    private static Command Ready(OrcCommand orc, string ws, bool stale)
    {
        return new Command(stale ? "orc ready --json (stale)" : "orc ready --json", [orc.Path, "ready", "--json"], Workspace(ws),
            // A blank line (which every reader skips) changes the file's bytes, so orc's index no longer matches it.
            stale ? () => File.AppendAllText(LedgerPath(ws), "\n") : null);
    }

    private static Command Agent(OrcCommand orc, string ws, string verb) =>
        new($"orc {verb}", [orc.Path, verb], new Dictionary<string, string> { ["ORC_WORKSPACE"] = ws, ["ORC_AGENT"] = AgentName });

    private const string AgentName = "bench-agent";

    private static Dictionary<string, string> Workspace(string ws) => new() { ["ORC_WORKSPACE"] = ws };

    private static readonly Dictionary<string, string> GitIdentity = new()
    {
        ["GIT_AUTHOR_NAME"] = "bench", ["GIT_AUTHOR_EMAIL"] = "bench@orc.local",
        ["GIT_COMMITTER_NAME"] = "bench", ["GIT_COMMITTER_EMAIL"] = "bench@orc.local",
    };

    private static string[] Git(string ws, params string[] args) => ["git", "-C", ws, "-c", "gc.auto=0", .. args];

    private static string LedgerPath(string ws) => Path.Combine(ws, "ledger", "issues.jsonl");

    /// <summary>A fresh workspace with one item hooked to an agent, for hook and prime.</summary>
    private static string SmallWorkspace(OrcCommand orc, string ws)
    {
        Init(orc, ws);
        var create = ProcessTimer.RunOnce(WithWorkspace(orc.Start(["item", "create", "the bench's item", "--quiet", "-d", "What the agent is to do."]), ws),
            captureStdout: true);
        if (create.ExitCode != 0) throw new BenchException($"orc item create failed: {create.Stderr.Trim()}");
        var id = Encoding.UTF8.GetString(create.Stdout).Trim();
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        new RecordStore<Hook>(Path.Combine(ws, "agents"), OrcJsonContext.Default.Hook).Write(AgentName, new Hook
        {
            Agent = AgentName, Rig = "bench", Item = id, Branch = $"polecat/{AgentName}", Worktree = Path.Combine(ws, "worktrees", AgentName),
            BaseCommit = new string('0', 40), Profile = "sim", State = HookStates.Active, CreatedAt = now,
        });
        return ws;
    }

    /// <summary>A workspace with a synthetic ledger of <paramref name="items"/> items (made anew each time, so runs start alike).</summary>
    private static string Ledger(OrcCommand orc, string ws, int items, int seed, bool commit)
    {
        Init(orc, ws);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var result = LedgerGenerator.Write(LedgerPath(ws), items, seed);
        Console.WriteLine($"{ws}: {result.Count:N0} items, {result.Bytes:N0} bytes, {result.ExpectedReady:N0} ready (made in {sw.ElapsedMilliseconds} ms)");
        if (commit)
        {
            File.WriteAllText(Path.Combine(ws, "bench-notes.txt"), "notes\n");
            foreach (var args in new[] { Git(ws, "add", "ledger/issues.jsonl", "bench-notes.txt"), Git(ws, "commit", "-q", "-m",
                "bench: the synthetic ledger") })
            {
                var run = ChildUsage.Run(args, GitIdentity);
                if (run.ExitCode != 0) throw new BenchException($"{string.Join(' ', args)}: {run.Stderr.Trim()}");
            }
        }
        return ws;
    }

    private static void Init(OrcCommand orc, string ws)
    {
        if (Directory.Exists(ws)) Directory.Delete(ws, recursive: true);
        var init = ProcessTimer.RunOnce(orc.Start(["init", ws]), captureStdout: true);
        if (init.ExitCode != 0) throw new BenchException($"'{orc} init {ws}' failed: {init.Stderr.Trim()}");
    }

    private static System.Diagnostics.ProcessStartInfo WithWorkspace(System.Diagnostics.ProcessStartInfo psi, string ws)
    {
        psi.Environment["ORC_WORKSPACE"] = ws;
        return psi;
    }

    /// <summary>orc's answer must be right before its speed means anything: the ids Orchestrator.Core computes, in its order.</summary>
    private static void CheckReady(OrcCommand orc, string ws)
    {
        var expected = new DependencyGraph(LedgerDocument.Parse(File.ReadAllBytes(LedgerPath(ws)))).Ready(DateTimeOffset.UtcNow).Select(i => i.Id).ToList();
        for (var pass = 0; pass < 2; pass++) // the first builds the index, the second reads it
        {
            var run = ProcessTimer.RunOnce(WithWorkspace(orc.Start(["ready", "--json"]), ws), captureStdout: true);
            if (run.ExitCode != 0) throw new BenchException($"orc ready --json failed in {ws}: {run.Stderr.Trim()}");
            using var doc = System.Text.Json.JsonDocument.Parse(run.Stdout);
            var ids = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
            if (!ids.SequenceEqual(expected))
                throw new BenchException($"orc ready --json in {ws} (pass {pass + 1}) answered {ids.Count} items, not the {expected.Count} Orchestrator.Core computes (or in another order)");
        }
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    private static double Med(IEnumerable<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
