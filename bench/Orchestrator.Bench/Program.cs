using Orchestrator.Bench;

return BenchCli.Run(args);

namespace Orchestrator.Bench
{
    /// <summary>The subcommands of orc-bench; see <see cref="Usage"/>.</summary>
    internal static class BenchCli
    {
        private const string Usage = """
            orc-bench: benchmarks of orc (see BENCHMARKS.md)

              generate --items N --out DIR [--seed S] [--orc PATH] [--force]
                  make an orc workspace at DIR with the real 'orc init DIR', then write
                  DIR/ledger/issues.jsonl with N synthetic items (deterministic for a seed)
              ready --orc PATH --workspace DIR [--runs R] [--warmup W]
                  time 'orc ready --json' as a whole process (ORC_WORKSPACE=DIR)
              version --orc PATH [--runs R] [--warmup W]
                  time 'orc --version' as a whole process
              exec [--runs R] [--warmup W] [--cwd DIR] -- COMMAND [ARGS...]
                  time any command the same way (stdout is read fully and discarded)
              ratios --orc PATH [--runs R] [--warmup W] [--items N] [--large N] [--seed S] [--dir DIR]
                  orc against references on the same machine, side by side (the two commands of a row
                  alternate), as a table of medians: wall time, CPU (user+sys), peak RSS and minor faults
                  of each child (wait4): orc --version, hook and prime (small workspace) vs git --version;
                  ready --json on N (10000) and --large (100000; 0 skips) items, index fresh and stale,
                  vs jq; item create vs git commit. Workspaces are made anew under DIR
                  (/tmp/orc-bench-ratios). Runs: --runs, else ORC_BENCH_RUNS, else 10 (CI: 3).
              profile --workspace DIR [--runs R] [--warmup W]
                  in-process split of 'ready --json' with Orchestrator.Core: read, parse, graph, sort, output
              fleet [--orc PATH] [--agents N] [--live L] [--files F] [--behaviour hang|normal]
                    [--runs R] [--warmup W] [--sample-seconds S] [--dir DIR] [--no-strace] [--keep]
                  the agent runtime, in a new dir under DIR (default /tmp) with a private tmux server
                  (ORC_TMUX_SOCKET=orc-bench-RANDOM): a git repo of F files (default 1000) as a rig;
                  1. 'orc sling' N sim polecats (default 20) one after another: total (target < 5 s),
                     per sling, where the time goes, until every agent is live; 'hang' labels the
                     items sim:hang (agents stay alive), 'normal' lets them finish with 'orc done'
                  2. 'orc agents --json' with L live agents (default 30; target < 100 ms)
                  3. tmux processes started per second while the agents idle, S s (default 10) of
                     /proc sampling (target 0), and by one 'orc agents --json' (expected 1);
                     cross-checked with strace when it is on PATH (unless --no-strace)
                  at the end the server is killed and the dir removed (--keep keeps the dir).
                  The slings mostly create files: on ext4 without a journal, creating files is
                  many times slower for minutes after many were deleted nearby (as the previous
                  run's cleanup does); the 'creating 1,000 empty files' reference shows it.
              tui [--orc PATH] [--agents N] [--printing P] [--sample-seconds S] [--markers M] [--keys K]
                  [--width W] [--height H] [--layout NAME] [--warmup-seconds S] [--max-fps N]
                  [--files F] [--dir DIR] [--no-binary] [--tui-orc PATH] [--keep]
                  the TUI in this process (FleetFeed + FleetWindow, Terminal.Gui's ANSI driver with no
                  terminal, the real main loop) against a workspace like fleet's with N live agents
                  (default 30): N-P sim agents waiting at their prompt (sim:idle) and P (default 10)
                  shell loops printing a line a second while the bench lets them; screen W x H
                  (default 200 x 50). Measures this process's CPU (S s, default 10; target a few % of
                  a core) and the tmux processes the TUI starts (target 0/s) with the fleet quiet and
                  printing; K key presses (default 40; j, k, Tab, Shift+Tab fed to the driver's input)
                  to the end of the frame that drew them (target: one frame); M markers (default 20)
                  typed into quiet agents' panes until a frame shows them (target ~200 ms). Then
                  (unless --no-binary) the orc binary itself, 'orc tui' in a W x H pane of a second
                  tmux server: its CPU quiet and printing, and the programs it runs (strace);
                  --tui-orc PATH runs that binary there instead (e.g. an older build, to compare),
                  --tui-env NAME=VALUE[,...] sets its environment. Experiments: --snapshot-ms N sets
                  the in-process feed's snapshot interval (orc's is 1000).
                  --max-fps sets Terminal.Gui's MaximumIterationsPerSecond in this process (default: orc tui's, 100).

            PATH is the orc binary (NativeAOT) or orc.dll (run with 'dotnet').
            Defaults: --runs 20, --warmup 2, --seed 42. Times are wall-clock milliseconds.
            """;

        public static int Run(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            try
            {
                var opts = Options.Parse(args.AsSpan(1));
                return args[0] switch
                {
                    "generate" => Generate(opts),
                    "ready" => Ready(opts),
                    "version" => Version(opts),
                    "exec" => Exec(opts),
                    "ratios" => RatiosBench.Run(opts),
                    "profile" => InProcessProfile.Run(opts.Required("workspace"), opts.Int("runs", 20), opts.Int("warmup", 2)),
                    "fleet" => FleetBench.Run(opts),
                    "tui" => TuiBench.Run(opts),
                    _ => throw new UsageException($"unknown subcommand '{args[0]}'"),
                };
            }
            catch (UsageException ex)
            {
                Console.Error.WriteLine($"orc-bench: {ex.Message}");
                Console.Error.WriteLine("orc-bench: see 'orc-bench --help'");
                return 2;
            }
            catch (BenchException ex)
            {
                Console.Error.WriteLine($"orc-bench: error: {ex.Message}");
                return 1;
            }
        }

        private static int Generate(Options o)
        {
            var items = o.Int("items", -1);
            if (items < 1) throw new UsageException("--items N (N ≥ 1) is required");
            var outDir = Path.GetFullPath(o.Required("out"));
            var seed = o.Int("seed", 42);
            var orc = OrcCommand.Locate(o.Optional("orc"));
            if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            {
                if (!o.Flag("force")) throw new BenchException($"{outDir} exists and is not empty (pass --force to replace it)");
                Directory.Delete(outDir, recursive: true);
            }

            var init = ProcessTimer.RunOnce(orc.Start(["init", outDir]), captureStdout: true);
            if (init.ExitCode != 0)
                throw new BenchException($"'{orc} init {outDir}' failed with exit code {init.ExitCode}: {init.Stderr.Trim()}");
            var ledgerPath = Path.Combine(outDir, "ledger", "issues.jsonl");
            if (!File.Exists(ledgerPath)) throw new BenchException($"'orc init' made no {ledgerPath}");

            var sw = System.Diagnostics.Stopwatch.StartNew();
            var result = LedgerGenerator.Write(ledgerPath, items, seed);
            Console.WriteLine($"workspace {outDir} (orc init via {orc})");
            Console.WriteLine($"wrote {result.Count} items ({result.Bytes:N0} bytes) to {ledgerPath} in {sw.ElapsedMilliseconds} ms, seed {seed}");
            Console.WriteLine("status: " + string.Join("  ", result.ByStatus.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));
            Console.WriteLine($"epics {result.Epics} (children {result.Children}), items with blocks deps {result.WithBlocks}, blocks edges {result.BlocksEdges}");
            Console.WriteLine($"expected ready (computed with Orchestrator.Core): {result.ExpectedReady}");
            return 0;
        }

        private static int Ready(Options o)
        {
            var orc = OrcCommand.Locate(o.Required("orc"));
            var ws = Path.GetFullPath(o.Required("workspace"));
            if (!File.Exists(Path.Combine(ws, ".orc", "config.yaml"))) throw new BenchException($"{ws} is not an orc workspace");
            var start = orc.Start(["ready", "--json"]);
            start.Environment["ORC_WORKSPACE"] = ws;
            start.WorkingDirectory = ws;
            var report = ProcessTimer.Measure(start, o.Int("runs", 20), o.Int("warmup", 2));
            Console.WriteLine($"{orc} ready --json   (ORC_WORKSPACE={ws})");
            Console.WriteLine($"ready items: {CountJsonArray(report.LastStdout)}   stdout {report.LastStdout.Length:N0} bytes");
            Console.WriteLine(report.Summary());
            return 0;
        }

        private static int Version(Options o)
        {
            var orc = OrcCommand.Locate(o.Required("orc"));
            var report = ProcessTimer.Measure(orc.Start(["--version"]), o.Int("runs", 20), o.Int("warmup", 2));
            Console.WriteLine($"{orc} --version   -> {System.Text.Encoding.UTF8.GetString(report.LastStdout).Trim()}");
            Console.WriteLine(report.Summary());
            return 0;
        }

        private static int Exec(Options o)
        {
            if (o.Rest.Count == 0) throw new UsageException("exec needs '-- COMMAND [ARGS...]'");
            var psi = new System.Diagnostics.ProcessStartInfo(o.Rest[0]);
            foreach (var a in o.Rest.Skip(1)) psi.ArgumentList.Add(a);
            if (o.Optional("cwd") is { } cwd) psi.WorkingDirectory = Path.GetFullPath(cwd);
            var report = ProcessTimer.Measure(psi, o.Int("runs", 20), o.Int("warmup", 2));
            Console.WriteLine(string.Join(' ', o.Rest.Select(Quote)) + $"   (stdout {report.LastStdout.Length:N0} bytes, read and discarded)");
            Console.WriteLine(report.Summary());
            return 0;
        }

        private static string Quote(string s) => s.Length > 0
            && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or '=') ? s : $"'{s}'";

        private static int CountJsonArray(byte[] json)
        {
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(json);
                return doc.RootElement.GetArrayLength();
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
            {
                throw new BenchException($"orc's stdout is not a JSON array: {ex.Message}");
            }
        }
    }

    /// <summary>A bad command line (exit 2).</summary>
    internal sealed class UsageException(string message) : Exception(message);

    /// <summary>A failure while benchmarking (exit 1).</summary>
    internal sealed class BenchException(string message) : Exception(message);

    /// <summary><c>--name value</c> options, <c>--flag</c> switches, and everything after <c>--</c>.</summary>
    internal sealed class Options
    {
        private static readonly HashSet<string> Flags = ["force", "keep", "no-strace", "no-binary"];
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

        public List<string> Rest { get; } = [];

        public static Options Parse(ReadOnlySpan<string> args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i];
                if (a == "--")
                {
                    o.Rest.AddRange(args[(i + 1)..].ToArray());
                    break;
                }
                if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2) throw new UsageException($"unexpected argument '{a}'");
                var name = a[2..];
                var eq = name.IndexOf('=');
                if (eq > 0) { o._values[name[..eq]] = name[(eq + 1)..]; continue; }
                if (Flags.Contains(name)) { o._flags.Add(name); continue; }
                if (i + 1 >= args.Length) throw new UsageException($"--{name} needs a value");
                o._values[name] = args[++i];
            }
            return o;
        }

        public string? Optional(string name) => _values.GetValueOrDefault(name);

        public string Required(string name) => Optional(name) ?? throw new UsageException($"--{name} is required");

        public bool Flag(string name) => _flags.Contains(name);

        public int Int(string name, int fallback)
        {
            if (Optional(name) is not { } s) return fallback;
            return int.TryParse(s, out var n) && n >= 0 ? n : throw new UsageException($"--{name} must be a non-negative integer, got '{s}'");
        }
    }
}
