using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Bench;

/// <summary>
/// <c>orc-bench fleet</c>: the agent runtime with real orc processes, a real rig and a private
/// tmux server. (1) Sling N sim polecats onto a rig of F files, one after another: total and
/// per-sling wall time, and when every agent is live. (2) <c>orc agents --json</c> with L live
/// agents, as a whole process. (3) The steady state: tmux processes started per second while
/// the agents idle (expected 0), and by one <c>orc agents --json</c> (expected 1, its control client).
/// Everything lives in a temporary directory and a tmux server of its own, both removed at the end.
/// </summary>
internal sealed class FleetBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(180);

    private readonly OrcCommand _orc;
    private readonly bool _keep;
    private readonly string _root;
    private readonly string _src;
    private readonly string _ws;
    private readonly string _socket;
    private int _cleaned;
    private volatile bool _interrupted;

    internal sealed record Agent(string Name, string State, bool WindowAlive, string HookState, int? ExitStatus);

    /// <summary>One orc process: its run and its wall-clock start and end (for matching orc's log).</summary>
    internal sealed record Timed(string Label, ProcessRun Run, DateTimeOffset Start, DateTimeOffset End)
    {
        public double Ms => Run.Milliseconds;
    }

    internal FleetBench(OrcCommand orc, bool keep, string parent)
    {
        _orc = orc;
        _keep = keep;
        if (!Directory.Exists(parent)) throw new BenchException($"--dir {parent}: no such directory");
        _root = Path.Combine(parent, "orc-bench-fleet-" + Path.GetRandomFileName().Replace(".", ""));
        Directory.CreateDirectory(_root);
        _src = Path.Combine(_root, "src");
        _ws = Path.Combine(_root, "ws");
        _socket = "orc-bench-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
    }

    /// <summary>The bench's directory, its orc workspace, its private tmux socket name, the orc it runs (for other scenarios).</summary>
    internal string Root => _root;
    internal string Workspace => _ws;
    internal string Source => _src;
    internal string Socket => _socket;
    internal OrcCommand OrcBinary => _orc;

    /// <summary>Set by Ctrl-C: the next orc process is not started.</summary>
    internal bool Interrupted { get => _interrupted; set => _interrupted = value; }

    public static int Run(Options o)
    {
        var orc = OrcCommand.Locate(o.Optional("orc"));
        var agents = o.Int("agents", 20);
        var live = o.Int("live", 30);
        var files = o.Int("files", 1000);
        var runs = o.Int("runs", 20);
        var warmup = o.Int("warmup", 2);
        var seconds = o.Int("sample-seconds", 10);
        if (agents < 1 || live < 1 || files < 1 || runs < 1 || seconds < 1)
            throw new UsageException("--agents, --live, --files, --runs and --sample-seconds must be at least 1");
        var behaviour = o.Optional("behaviour") ?? o.Optional("behavior") ?? "hang";
        if (behaviour is not ("hang" or "normal")) throw new UsageException("--behaviour is 'hang' (the default: agents stay alive) or 'normal' (they finish and run 'orc done')");
        var strace = !o.Flag("no-strace") && Strace.Available();

        var bench = new FleetBench(orc, o.Flag("keep"), Path.GetFullPath(o.Optional("dir") ?? "/tmp"));
        // Ctrl-C: stop before the next orc process and clean up on the main thread; a second Ctrl-C aborts.
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (bench._interrupted) return;
            bench._interrupted = true;
            e.Cancel = true;
            Console.Error.WriteLine("orc-bench: interrupted; cleaning up after the current step (Ctrl-C again to abort without cleaning up)");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return bench.Execute(agents, live, files, runs, warmup, seconds, behaviour == "hang", strace);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            bench.Cleanup();
        }
    }

    private int Execute(int n, int live, int files, int runs, int warmup, int seconds, bool hang, bool strace)
    {
        Console.WriteLine($"orc-bench fleet   orc: {_orc} ({(_orc.IsDll ? "JIT" : "NativeAOT")}; the sim agents run the same)");
        Console.WriteLine($"dir {_root}   tmux -L {_socket}   {Environment.ProcessorCount} cores   load {Load()}");

        // Setup: a source repository, a workspace, a rig cloned from it, the items.
        var sw = Stopwatch.StartNew();
        var folders = MakeSource(files);
        var sourceMs = sw.Elapsed.TotalMilliseconds;
        var init = RunOrc(_root, "init", _ws);
        var maxPolecats = Math.Max(40, Math.Max(n, live));
        var rigAdd = RunOrc(_ws, "rig", "add", "app", _src, "--max-polecats", maxPolecats.ToString(Inv));
        var (ids, creates) = CreateItems(n, hang, first: 1);
        Console.WriteLine(F($"setup: source repo {files:N0} files in {folders} folders, 1 commit ({sourceMs:F0} ms); orc init {init.Ms:F0} ms; rig add (clone) {rigAdd.Ms:F0} ms; {n} items created (median {Stats(creates).Median:F1} ms each)"));
        var version = ProcessTimer.Measure(Orc(_ws, "--version"), 5, 1);
        var worktree = WorktreeReference(3);
        var probe = CreateFilesProbe(1000);
        Console.WriteLine(F($"reference: orc --version {version.Median:F1} ms; git worktree add of the source repo (git CLI, {files:N0} files) median {worktree:F0} ms; creating 1,000 empty files in {_root} {probe:F0} ms"));

        // 1. Slinging N polecats one after another.
        Console.WriteLine();
        Console.WriteLine(F($"1. sling {n} sim polecats ({(hang ? "label sim:hang: they stay alive" : "no label: they work, commit and run 'orc done'")}) onto a rig of {files:N0} files, one after another"));
        var cpu = CpuTimes.Now();
        var clock = Stopwatch.StartNew();
        var slings = ids.Select(id => RunOrc(_ws, "sling", id)).ToList();
        var slingTotal = clock.Elapsed.TotalMilliseconds;
        var s = Stats(slings.Select(x => x.Ms));
        Console.WriteLine(F($"   total {slingTotal:N0} ms   target < 5,000 ms: {(slingTotal < 5000 ? "met" : "MISSED")}   (machine meanwhile: {CpuTimes.Now().Since(cpu)})"));
        Console.WriteLine(F($"   per sling ms: min {s.Min:F0}   median {s.Median:F0}   p90 {s.P90:F0}   max {s.Max:F0}   (in order: {string.Join(' ', slings.Select(x => x.Ms.ToString("F0", Inv)))})"));
        PrintPhases(slings);
        if (hang)
        {
            var (alive, polls1) = WaitAgents(clock, a => a.Count(x => x.WindowAlive && !Ended(x.State)) >= n, hang, $"{n} live windows");
            var (working, polls2) = WaitAgents(clock, a => a.Count(x => x.State == "working") >= n, hang, $"{n} agents working");
            Console.WriteLine(F($"   every window live {alive - slingTotal:F0} ms after the last sling returned ({alive / 1000:F2} s after the first began); every agent working (sim started, printed its first line) after {working - slingTotal:F0} ms ({working / 1000:F2} s)   [{polls1 + polls2} polls of orc agents --json]"));
        }
        else
        {
            var (done, polls) = WaitAgents(clock, a => a.Count(x => x.HookState == "completed") >= n, hang, $"{n} agents done");
            Console.WriteLine(F($"   every agent done (committed, 'orc done' recorded the submission) {done - slingTotal:F0} ms after the last sling returned ({done / 1000:F2} s after the first began)   [{polls} polls]"));
        }

        // 2. orc agents --json with L live agents.
        var liveNow = hang ? n : 0;
        var more = Math.Max(0, live - liveNow);
        var expected = liveNow + more;
        Console.WriteLine();
        Console.WriteLine(F($"2. orc agents --json with {expected} live agents (sim:hang)"));
        if (!hang)
        {
            var cleanup = RunOrc(_ws, "cleanup");
            Console.WriteLine(F($"   orc cleanup archived the {n} finished agents ({cleanup.Ms:F0} ms)"));
        }
        if (more > 0)
        {
            var (moreIds, _) = CreateItems(more, hang: true, first: n + 1);
            var moreClock = Stopwatch.StartNew();
            var moreSlings = moreIds.Select(id => RunOrc(_ws, "sling", id)).ToList();
            var ms = Stats(moreSlings.Select(x => x.Ms));
            var (working, _) = WaitAgents(moreClock, a => a.Count(x => x.State == "working") >= expected, true, $"{expected} agents working");
            Console.WriteLine(F($"   slung {more} more{(liveNow > 0 ? $" (with {liveNow} running)" : "")}: per sling median {ms.Median:F0} ms, max {ms.Max:F0}; all {expected} working {working / 1000:F2} s after the first of them began"));
        }
        var cpu2 = CpuTimes.Now();
        var report = ProcessTimer.Measure(Orc(_ws, "agents", "--json"), runs, warmup);
        var machine2 = CpuTimes.Now().Since(cpu2);
        var listed = ParseAgents(report.LastStdout);
        var byState = string.Join(", ", listed.GroupBy(a => a.State).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
        Console.WriteLine($"   output: JSON array of {listed.Count} agents ({byState}), {report.LastStdout.Length:N0} bytes   check: {(listed.Count == expected && listed.All(a => a.WindowAlive) ? "ok" : $"EXPECTED {expected} live")}");
        Console.WriteLine("   " + report.Summary());
        Console.WriteLine(F($"   target median < 100 ms: {(report.Median < 100 ? "met" : "MISSED")}   (machine meanwhile: {machine2})"));

        // 3. The steady state: nothing should start tmux while the agents idle.
        Console.WriteLine();
        Console.WriteLine(F($"3. steady state with {expected} idle agents and no orc command running: /proc sampled every ~5 ms for {seconds} s   (load {Load()})"));
        Thread.Sleep(1000);
        var servers = OurTmux().Where(p => Comm(p) == "tmux: server").ToList();
        var cpu3 = CpuTimes.Now();
        var sampler = new ProcSampler(_socket);
        var traced = strace ? servers.SelectMany(ProcSampler.Tree).Distinct().ToList() : [];
        var attach = traced.Count > 0 ? Task.Run(() => Strace.Attach(traced, TimeSpan.FromSeconds(seconds), _root)) : null;
        sampler.RunFor(TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(5), () => _interrupted);
        if (_interrupted) throw new BenchException("interrupted");
        var machine3 = CpuTimes.Now().Since(cpu3);
        var ours = sampler.OursSpawned.ToList();
        Console.WriteLine(F($"   tmux server pid {string.Join(",", servers)} (comm 'tmux: server', left out); {sampler.Samples:N0} samples; new tmux processes on this server: {ours.Count} = {ours.Count / (double)seconds:F1}/s   target 0/s: {(ours.Count == 0 ? "met" : "MISSED")}   (machine meanwhile, sampler and strace included: {machine3})"));
        foreach (var p in ours.Take(5)) Console.WriteLine(F($"     at {p.AtMs:F0} ms pid {p.Pid} [{p.Comm}] (parent {p.ParentPid} {Comm(p.ParentPid)}): {p.CommandLine}"));
        var others = sampler.OthersSpawned.Count();
        if (others > 0) Console.WriteLine($"   (meanwhile other tmux servers on this machine started {others} tmux processes: not counted)");
        if (attach?.Result is { } execs)
            Console.WriteLine(F($"   strace cross-check, attached to the server and its {traced.Count - servers.Count} descendant processes (the agents) for {seconds} s: {execs.Count} programs executed, {execs.Count(IsTmux)} of them tmux"));
        else if (strace) Console.WriteLine("   strace cross-check: could not attach");
        else Console.WriteLine("   (no strace cross-check: strace is not on PATH, or --no-strace)");

        const int calls = 5;
        var perCall = new List<int>();
        var samples = new List<int>();
        var seen = new List<string>();
        for (var i = 0; i < calls; i++)
        {
            var one = new ProcSampler(_socket);
            using var stop = new CancellationTokenSource();
            var task = one.RunUntil(stop.Token, TimeSpan.FromMilliseconds(1));
            Thread.Sleep(5);
            Must(ProcessTimer.RunOnce(Orc(_ws, "agents", "--json"), captureStdout: false), "orc agents --json");
            Thread.Sleep(20);
            stop.Cancel();
            task.GetAwaiter().GetResult();
            perCall.Add(one.OursSpawned.Count());
            samples.Add(one.Samples);
            seen.AddRange(one.OursSpawned.Select(p => p.CommandLine));
        }
        Console.WriteLine($"   one orc agents --json: tmux processes started, per call (/proc sampled every ~1 ms, {samples.Min()}-{samples.Max()} samples a call): {string.Join(' ', perCall)}   expected 1: {(perCall.All(c => c == 1) ? "yes" : "NO")}");
        foreach (var cmd in seen.Distinct().Take(3)) Console.WriteLine($"     {cmd}");
        if (strace)
        {
            var (run, execs1) = Strace.RunTraced(Orc(_ws, "agents", "--json"), _root);
            Must(run, "strace orc agents --json");
            var tmux = execs1.Where(IsTmux).ToList();
            Console.WriteLine($"   strace cross-check, one orc agents --json: {tmux.Count} tmux process{(tmux.Count == 1 ? "" : "es")} executed (of {execs1.Count} programs)");
            foreach (var e in tmux.Take(3)) Console.WriteLine($"     {Argv(e.Line)}");
        }
        Console.WriteLine();
        Console.WriteLine($"load at the end {Load()}");
        return 0;
    }

    // ---- setup -------------------------------------------------------------------------------

    /// <summary>A git repository of <paramref name="files"/> small C# files under src/modM/partP/, one commit. Returns the number of folders.</summary>
    internal int MakeSource(int files)
    {
        var folders = new HashSet<string>();
        for (var i = 0; i < files; i++)
        {
            var dir = Path.Combine(_src, "src", $"mod{i % 10}", $"part{i / 10 % 5}");
            if (folders.Add(dir)) Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, $"File{i:D4}.cs"),
                $"namespace App.Mod{i % 10};\n\n/// <summary>File {i} of the benchmark rig.</summary>\npublic static class File{i:D4}\n{{\n    public const int Value = {i};\n}}\n");
        }
        File.WriteAllText(Path.Combine(_src, "README.md"), $"# bench rig\n\n{files} files made by orc-bench fleet.\n");
        Git(_src, "init", "-q", "-b", "main");
        Git(_src, "add", "-A");
        Git(_src, "-c", "user.name=orc-bench", "-c", "user.email=orc-bench@localhost", "-c", "commit.gpgsign=false", "commit", "-q", "-m", $"{files} files");
        return folders.Count;
    }

    /// <summary>Median time of <c>git worktree add</c> on the source repo: what checking out the files costs outside orc.</summary>
    private double WorktreeReference(int times)
    {
        var ms = new List<double>();
        for (var i = 0; i < times; i++)
        {
            var path = Path.Combine(_root, $"reference-worktree-{i}");
            ms.Add(Git(_src, "worktree", "add", "-q", "--detach", path, "main").Milliseconds);
            Git(_src, "worktree", "remove", "--force", path);
        }
        return Stats(ms).Median;
    }

    /// <summary>
    /// Milliseconds to create <paramref name="count"/> empty files in a new folder of the bench's
    /// directory: what a checkout costs in the file system alone. On ext4 without a journal this
    /// grows a lot for minutes after many files were deleted nearby (the inode allocator skips
    /// recently deleted inodes one by one), e.g. after a previous run's cleanup.
    /// </summary>
    private double CreateFilesProbe(int count)
    {
        var dir = Path.Combine(_root, "fs-probe");
        Directory.CreateDirectory(dir);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) File.Create(Path.Combine(dir, $"f{i}")).Dispose();
        var ms = sw.Elapsed.TotalMilliseconds;
        Directory.Delete(dir, recursive: true);
        return ms;
    }

    private (List<string> Ids, List<double> Ms) CreateItems(int count, bool hang, int first) =>
        CreateItems(count, hang ? ["sim:hang"] : [], first);

    /// <summary>Creates items <c>Task FIRST</c>… with the given labels; their ids and each create's wall time.</summary>
    internal (List<string> Ids, List<double> Ms) CreateItems(int count, IReadOnlyList<string> labels, int first)
    {
        var ids = new List<string>();
        var ms = new List<double>();
        for (var i = first; i < first + count; i++)
        {
            List<string> args = ["item", "create", $"Task {i}", "--prefix", "app", "--json"];
            foreach (var label in labels) args.AddRange(["--label", label]);
            var t = RunOrc(_ws, [.. args]);
            using var doc = JsonDocument.Parse(t.Run.Stdout);
            ids.Add(doc.RootElement.GetProperty("id").GetString() ?? throw new BenchException("orc item create --json printed no id"));
            ms.Add(t.Ms);
        }
        return (ids, ms);
    }

    // ---- agents ------------------------------------------------------------------------------

    internal static bool Ended(string state) => state is "dead" or "stopped" or "done";

    /// <summary>Polls <c>orc agents --json</c> until <paramref name="until"/> holds; returns the clock's time then and the number of polls.</summary>
    internal (double Ms, int Polls) WaitAgents(Stopwatch clock, Func<List<Agent>, bool> until, bool hang, string what)
    {
        var deadline = clock.Elapsed + WaitLimit;
        for (var polls = 1; ; polls++)
        {
            var agents = Agents();
            if (until(agents)) return (clock.Elapsed.TotalMilliseconds, polls);
            var crashed = agents.Where(a => a.State == "dead" && (hang || a.HookState != "completed")).ToList();
            if (crashed.Count > 0 || clock.Elapsed > deadline)
            {
                var states = string.Join(", ", agents.GroupBy(a => a.State).Select(g => $"{g.Key} {g.Count()}"));
                var dead = string.Join(", ", crashed.Take(5).Select(a => $"{a.Name} (exit {a.ExitStatus?.ToString(Inv) ?? "?"}, hook {a.HookState})"));
                throw new BenchException($"waiting for {what}: {(crashed.Count > 0 ? $"agents died: {dead}" : $"not after {WaitLimit.TotalSeconds:0} s")}; states now: {states}");
            }
            Thread.Sleep(50);
        }
    }

    internal List<Agent> Agents() => ParseAgents(RunOrc(_ws, "agents", "--json").Run.Stdout);

    private static List<Agent> ParseAgents(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateArray().Select(e => new Agent(
                e.GetProperty("agent").GetString() ?? "",
                e.TryGetProperty("state", out var st) ? st.GetString() ?? "" : "",
                e.TryGetProperty("window_alive", out var wa) && wa.ValueKind == JsonValueKind.True,
                e.TryGetProperty("hook_state", out var hs) ? hs.GetString() ?? "" : "",
                e.TryGetProperty("exit_status", out var x) && x.TryGetInt32(out var code) ? code : null)).ToList();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new BenchException($"orc agents --json did not print an array of agents: {ex.Message}");
        }
    }

    /// <summary>Splits each sling's wall time at the two commits orc logs (.orc/logs): the sling commit and the hook activation.</summary>
    private void PrintPhases(List<Timed> slings)
    {
        var log = ReadLog();
        var a = new List<double>();
        var b = new List<double>();
        var c = new List<double>();
        foreach (var s in slings)
        {
            var sling = log.FirstOrDefault(e => e.Verb == "sling" && e.At >= s.Start.AddMilliseconds(-2) && e.At <= s.End.AddMilliseconds(2));
            if (sling.Pid == 0) continue;
            var hook = log.FirstOrDefault(e => e.Verb == "hook" && e.Pid == sling.Pid);
            if (hook.Pid == 0) continue;
            a.Add((sling.At - s.Start).TotalMilliseconds);
            b.Add((hook.At - sling.At).TotalMilliseconds);
            c.Add((s.End - hook.At).TotalMilliseconds);
        }
        if (a.Count == 0) { Console.WriteLine("   (no sling/hook lines found in .orc/logs to split the time)"); return; }
        Console.WriteLine(F($"   where a sling's time goes (median / max ms, {a.Count} slings, from .orc/logs, ±1 ms): start → worktree+hook+item committed {Stats(a).Median:F0} / {Stats(a).Max:F0};  → tmux window started, hook active {Stats(b).Median:F0} / {Stats(b).Max:F0};  → exit {Stats(c).Median:F0} / {Stats(c).Max:F0}"));
    }

    private List<(DateTimeOffset At, int Pid, string Verb)> ReadLog()
    {
        var entries = new List<(DateTimeOffset, int, string)>();
        var dir = Path.Combine(_ws, ".orc", "logs");
        if (!Directory.Exists(dir)) return entries;
        foreach (var file in Directory.EnumerateFiles(dir, "*.log"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var space = line.IndexOf(' ');
                var pidAt = line.IndexOf(" pid=", StringComparison.Ordinal);
                var svc = line.IndexOf("LedgerService: ", StringComparison.Ordinal);
                if (space < 0 || pidAt < 0 || svc < 0) continue;
                if (!DateTimeOffset.TryParse(line[..space], Inv, DateTimeStyles.None, out var at)) continue;
                var pidEnd = line.IndexOf(' ', pidAt + 5);
                if (pidEnd < 0 || !int.TryParse(line.AsSpan(pidAt + 5, pidEnd - pidAt - 5), Inv, out var pid)) continue;
                var rest = line[(svc + "LedgerService: ".Length)..];
                var by = rest.IndexOf(" by ", StringComparison.Ordinal);
                if (by > 0) entries.Add((at, pid, rest[..by]));
            }
        }
        return entries;
    }

    // ---- processes ---------------------------------------------------------------------------

    /// <summary>orc with the bench's workspace and private tmux server.</summary>
    private System.Diagnostics.ProcessStartInfo Orc(string cwd, params string[] args)
    {
        var psi = _orc.Start(args);
        psi.WorkingDirectory = cwd;
        psi.Environment["ORC_WORKSPACE"] = _ws;
        psi.Environment["ORC_TMUX_SOCKET"] = _socket;
        psi.Environment.Remove("TMUX");
        psi.Environment.Remove("TMUX_PANE");
        return psi;
    }

    internal Timed RunOrc(string cwd, params string[] args)
    {
        if (_interrupted) throw new BenchException("interrupted");
        var start = DateTimeOffset.Now;
        var run = ProcessTimer.RunOnce(Orc(cwd, args), captureStdout: true);
        var end = DateTimeOffset.Now;
        var label = "orc " + string.Join(' ', args);
        Must(run, label);
        return new Timed(label, run, start, end);
    }

    private static ProcessRun Must(ProcessRun run, string what) =>
        run.ExitCode == 0 ? run : throw new BenchException($"{what} exited with {run.ExitCode}: {run.Stderr.Trim()} {System.Text.Encoding.UTF8.GetString(run.Stdout).Trim()}");

    private static ProcessRun Git(string cwd, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = cwd };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Must(ProcessTimer.RunOnce(psi, captureStdout: false), "git " + string.Join(' ', args));
    }

    /// <summary>The tmux processes (the server, whose comm is 'tmux: server', and clients, 'tmux') whose command line names the bench's socket.</summary>
    private List<int> OurTmux() =>
        ProcSampler.Pids().Where(p => Comm(p).StartsWith("tmux", StringComparison.Ordinal)
            && (ProcSampler.Read($"/proc/{p}/cmdline") ?? "").Split('\0').Contains(_socket)).ToList();

    private static bool IsTmux(Strace.Exec e) => Path.GetFileName(e.Path) == "tmux";

    private static string Comm(int pid) => ProcSampler.Read($"/proc/{pid}/comm")?.TrimEnd('\n') ?? "?";

    /// <summary>The argv of a strace execve line, as words.</summary>
    private static string Argv(string line)
    {
        var open = line.IndexOf(", [", StringComparison.Ordinal);
        var close = line.IndexOf("], ", StringComparison.Ordinal);
        return open > 0 && close > open ? line[(open + 3)..close].Replace("\", \"", " ").Trim('"') : line;
    }

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    internal static string Load() => string.Join(' ', (ProcSampler.Read("/proc/loadavg") ?? "?").Split(' ').Take(3));

    private static TimingReport Stats(IEnumerable<double> ms) => new(ms.ToList(), 0, []);

    private static string F(FormattableString s) => s.ToString(Inv);

    // ---- cleanup -----------------------------------------------------------------------------

    /// <summary>Stops the private tmux server and every process that carries its socket, removes its socket file and (unless --keep) the directory. Runs
    /// once.</summary>
    internal void Cleanup()
    {
        if (Interlocked.Exchange(ref _cleaned, 1) != 0) return;
        var notes = new List<string>();
        try
        {
            var kill = new System.Diagnostics.ProcessStartInfo("tmux");
            foreach (var a in new[] { "-L", _socket, "kill-server" }) kill.ArgumentList.Add(a);
            kill.Environment.Remove("TMUX");
            ProcessTimer.RunOnce(kill, captureStdout: false);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or BenchException) { notes.Add($"kill-server: {ex.Message}"); }

        // The agents get SIGHUP from the server; anything still carrying the socket after that is ours.
        var marker = $"ORC_TMUX_SOCKET={_socket}";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        List<int> left;
        while ((left = ProcSampler.WithEnvironment(marker)).Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(100);
        foreach (var pid in left)
        {
            try { using var p = Process.GetProcessById(pid); p.Kill(entireProcessTree: true); }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
        if (left.Count > 0) notes.Add($"killed {left.Count} leftover processes");

        // tmux 3.3 leaves the socket file behind after kill-server.
        var socketFile = Path.Combine(Environment.GetEnvironmentVariable("TMUX_TMPDIR") is { Length: > 0 } t ? t : "/tmp", $"tmux-{Uid()}", _socket);
        try { File.Delete(socketFile); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { notes.Add($"socket {socketFile}: {ex.Message}"); }

        if (_keep) notes.Add($"kept {_root}");
        else
        {
            for (var attempt = 0; ; attempt++)
            {
                try { Directory.Delete(_root, recursive: true); notes.Add($"removed {_root}"); break; }
                catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && attempt < 5) { Thread.Sleep(200); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { notes.Add($"could not remove {_root}: {ex.Message}"); break; }
            }
        }
        Console.WriteLine($"cleanup: tmux server {_socket} stopped; {string.Join("; ", notes)}");
    }

    private static string Uid()
    {
        foreach (var line in (ProcSampler.Read("/proc/self/status") ?? "").Split('\n'))
            if (line.StartsWith("Uid:", StringComparison.Ordinal)) return line[4..].Trim().Split('\t', ' ')[0];
        return "0";
    }
}

/// <summary>The machine's CPU time from /proc/stat, to say how busy it was during a measurement.</summary>
internal sealed record CpuTimes(long Busy, long IoWait, long Total)
{
    public static CpuTimes Now()
    {
        var line = (ProcSampler.Read("/proc/stat") ?? "cpu 0 0 0 0").Split('\n')[0];
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(x => long.TryParse(x, out var v) ? v : 0).ToArray();
        long At(int i) => i < f.Length ? f[i] : 0;
        var total = f.Sum();
        return new CpuTimes(total - At(3) - At(4), At(4), total);
    }

    /// <summary>E.g. "CPU busy 83% of 2 cores, iowait 4%".</summary>
    public string Since(CpuTimes before)
    {
        var total = Math.Max(1, Total - before.Total);
        return string.Create(CultureInfo.InvariantCulture,
            $"CPU busy {100.0 * (Busy - before.Busy) / total:F0}% of {Environment.ProcessorCount} cores, iowait {100.0 * (IoWait - before.IoWait) / total:F0}%");
    }
}
