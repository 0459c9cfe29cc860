using System.Diagnostics;
using System.IO.Enumeration;

namespace Orchestrator.Bench;

/// <summary>One tmux process that appeared while <see cref="ProcSampler"/> watched.</summary>
/// <param name="Ours">Its command line names the bench's socket (<c>-L SOCKET</c>).</param>
internal sealed record TmuxSpawn(int Pid, int ParentPid, string Comm, string CommandLine, bool Ours, double AtMs);

/// <summary>
/// Watches /proc for new tmux processes: <c>comm</c> <c>tmux</c>, or <c>tmux: client</c> and
/// <c>tmux: server</c> as tmux renames itself once connected (a command run as a process, a
/// control-mode client, a server started meanwhile). Every pid that ran when the sampler was
/// made (the server among them) is left out. A new pid whose comm is not tmux yet
/// (forked, not yet exec'd) is looked at again for a while. A process that starts and exits
/// between two samples is missed, so a count is a lower bound; strace gives the exact one.
/// </summary>
internal sealed class ProcSampler(string socket)
{
    private const int RecheckSamples = 60;
    private const string SocketVariable = "ORC_TMUX_SOCKET";

    private readonly HashSet<int> _baseline = Pids();
    private readonly HashSet<int> _done = [];
    private readonly Dictionary<int, int> _pending = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public List<TmuxSpawn> Spawns { get; } = [];

    public int Samples { get; private set; }

    public IEnumerable<TmuxSpawn> OursSpawned => Spawns.Where(s => s.Ours);

    public IEnumerable<TmuxSpawn> OthersSpawned => Spawns.Where(s => !s.Ours);

    /// <summary>Samples every <paramref name="interval"/> until <paramref name="duration"/> has passed (or <paramref name="stop"/> says so).</summary>
    public void RunFor(TimeSpan duration, TimeSpan interval, Func<bool>? stop = null)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < duration && stop?.Invoke() != true)
        {
            SampleOnce();
            Thread.Sleep(interval);
        }
    }

    /// <summary>Samples every <paramref name="interval"/> on a background thread until the token is cancelled, then once more.</summary>
    public Task RunUntil(CancellationToken stop, TimeSpan interval) => Task.Factory.StartNew(() =>
    {
        while (!stop.IsCancellationRequested)
        {
            SampleOnce();
            Thread.Sleep(interval);
        }
        SampleOnce();
    }, TaskCreationOptions.LongRunning);

    public void SampleOnce()
    {
        Samples++;
        var alive = Pids();
        foreach (var pid in alive)
        {
            if (_baseline.Contains(pid) || _done.Contains(pid)) continue;
            var comm = Read($"/proc/{pid}/comm")?.TrimEnd('\n');
            if (comm is not null && (comm == "tmux" || comm.StartsWith("tmux: ", StringComparison.Ordinal)))
            {
                var args = (Read($"/proc/{pid}/cmdline") ?? "").TrimEnd('\0').Split('\0');
                var parent = ParentOf(pid);
                // An exiting process (a zombie) shows an empty command line: then it is ours if its parent carries the bench's socket.
                var ours = args.Contains(socket) || (args is [""] && HasEnvironment(parent, $"{SocketVariable}={socket}"));
                Spawns.Add(new TmuxSpawn(pid, parent, comm, args is [""] ? "(exiting; command line gone)" : string.Join(' ', args), ours,
                    _clock.Elapsed.TotalMilliseconds));
                _done.Add(pid);
                _pending.Remove(pid);
                continue;
            }
            // Not tmux (yet): a fork execs within microseconds to milliseconds; look again a few times.
            var left = _pending.TryGetValue(pid, out var n) ? n - 1 : RecheckSamples;
            if (left <= 0) { _done.Add(pid); _pending.Remove(pid); }
            else _pending[pid] = left;
        }
        foreach (var gone in _pending.Keys.Where(p => !alive.Contains(p)).ToList()) _pending.Remove(gone);
    }

    /// <summary>The pids in /proc now.</summary>
    public static HashSet<int> Pids()
    {
        var e = new FileSystemEnumerable<int>("/proc", (ref entry) => int.Parse(entry.FileName),
            new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true })
        {
            ShouldIncludePredicate = (ref entry) => entry.IsDirectory && IsDigits(entry.FileName),
        };
        return [.. e];
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (!char.IsAsciiDigit(c)) return false;
        return s.Length > 0;
    }

    /// <summary>The contents of a /proc file, or null when the process is gone or unreadable.</summary>
    public static string? Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The parent pid (field 4 of /proc/PID/stat, after the parenthesised comm), or 0.</summary>
    public static int ParentOf(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        if (stat is null) return 0;
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], out var ppid) ? ppid : 0;
    }

    /// <summary>Every process whose environment holds <paramref name="assignment"/> (NAME=VALUE).</summary>
    public static List<int> WithEnvironment(string assignment)
    {
        var self = Environment.ProcessId;
        return Pids().Where(pid => pid != self && HasEnvironment(pid, assignment)).ToList();
    }

    public static bool HasEnvironment(int pid, string assignment) =>
        pid > 0 && Read($"/proc/{pid}/environ") is { } env && env.Split('\0').Contains(assignment);

    /// <summary>The pid and all its descendants, by parent pid.</summary>
    public static List<int> Tree(int root)
    {
        var byParent = Pids().GroupBy(ParentOf).ToDictionary(g => g.Key, g => g.ToList());
        var tree = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var pid))
        {
            tree.Add(pid);
            if (byParent.TryGetValue(pid, out var children)) foreach (var c in children) queue.Enqueue(c);
        }
        return tree;
    }
}
