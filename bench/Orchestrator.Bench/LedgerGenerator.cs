using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Bench;

/// <summary>What <see cref="LedgerGenerator.Write"/> produced.</summary>
internal sealed record GeneratedLedger(
    int Count, long Bytes, Dictionary<string, int> ByStatus, int Epics, int Children, int WithBlocks, int BlocksEdges, int ExpectedReady);

/// <summary>
/// A synthetic ledger of realistic shape, the same for the same seed. Items are made in creation
/// order on a one-year timeline; every dependency points to an item made earlier, so there is
/// no cycle. Shape:
/// <list type="bullet">
/// <item>status ≈ 70% open, 10% in_progress, 15% closed, 2% hooked, 2% blocked, 1% deferred;</item>
/// <item>priority 0–4 weighted 5/15/50/20/10 (skewed to 2);</item>
/// <item>≈6% of top-level items are epics with 3–10 children <c>EPIC.1</c>… (parent-child deps);</item>
/// <item>≈40% of items have 1–3 <c>blocks</c> deps on earlier items (mostly recent ones);</item>
/// <item>0–3 labels, 100–400 character descriptions, created/updated (and closed) timestamps;</item>
/// <item>ids <c>hq-</c> + base36 of a SHA-256, 7 characters, 8 once the ledger passes the size where
///       orc's <see cref="IdGenerator.HashLength"/> asks for 8 (≈40k items).</item>
/// </list>
/// The file is written with orc's own <see cref="LedgerCodec.WriteLedger"/>, so it is sorted with
/// <see cref="IdComparer"/> and has exactly the field order and escaping orc writes.
/// </summary>
internal sealed class LedgerGenerator
{
    private const string Prefix = "hq";
    private const string Base36Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    private static readonly DateTimeOffset TimelineStart = new(2024, 11, 4, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan TimelineLength = TimeSpan.FromDays(365);
    /// <summary>Far enough ahead that deferred items stay deferred whenever the benchmark runs.</summary>
    private static readonly DateTimeOffset FutureBase = new(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly (string Value, int Weight)[] StatusWeights =
    [
        (Statuses.Open, 70), (Statuses.InProgress, 10), (Statuses.Closed, 15),
        (Statuses.Hooked, 2), (Statuses.Blocked, 2), (Statuses.Deferred, 1),
    ];
    private static readonly (int Value, int Weight)[] PriorityWeights = [(0, 5), (1, 15), (2, 50), (3, 20), (4, 10)];
    private static readonly (string Value, int Weight)[] TypeWeights =
        [(IssueTypes.Task, 50), (IssueTypes.Bug, 25), (IssueTypes.Feature, 20), (IssueTypes.Chore, 5)];

    private static readonly string[] Labels =
    [
        "backend", "frontend", "cli", "tui", "ledger", "git", "merge", "perf", "docs", "tests", "ci",
        "security", "ux", "refactor", "agents", "mail", "rigs", "config", "aot", "windows", "linux", "tech-debt",
    ];
    private static readonly string[] Humans = ["alice", "bob", "carol", "dmitri", "erin", "mayor"];
    private static readonly string[] Agents = ["polecat-1", "polecat-2", "polecat-3", "polecat-4", "witness", "refinery", "crew-ana", "crew-ben"];
    private static readonly string[] Verbs =
    [
        "Add", "Fix", "Refactor", "Remove", "Document", "Speed up", "Harden", "Split", "Rename", "Test", "Port", "Validate",
    ];
    private static readonly string[] Nouns =
    [
        "ledger merge", "ready query", "id generator", "workspace lock", "mail queue", "agent hooks", "rig config",
        "TUI layout", "import of Beads JSONL", "export", "quarantine file", "commit messages", "dependency graph",
        "epic progress", "log rotation", "error messages", "help text", "status colours", "git fetch", "worktrees",
    ];
    private static readonly string[] Words =
    [
        "the", "ledger", "item", "agent", "should", "when", "a", "workspace", "is", "blocked", "by", "its", "epic", "and",
        "we", "need", "to", "make", "sure", "that", "every", "change", "commits", "atomically", "under", "lock", "with",
        "clear", "errors", "for", "users", "on", "slow", "machines", "large", "repositories", "many", "rigs", "merge",
        "conflicts", "are", "resolved", "field", "by", "field", "timestamps", "stay", "as", "written", "see", "also",
        "follow-up", "after", "review", "tests", "cover", "edge", "cases", "like", "empty", "files", "unicode", "titles",
        "café", "naïve", "— dash", "\"quoted\"", "path/to/file.cs", "line\nbreaks", "tabs\tinside",
    ];

    private readonly Random _rng;
    private readonly int _target;
    private readonly List<WorkItem> _created = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly int _seed;
    private DateTimeOffset _clock = TimelineStart;
    private readonly double _meanStepSeconds;

    private LedgerGenerator(int count, int seed)
    {
        _target = count;
        _seed = seed;
        _rng = new Random(seed);
        _meanStepSeconds = TimelineLength.TotalSeconds / count;
    }

    /// <summary>Generates <paramref name="count"/> items and writes them to <paramref name="ledgerPath"/>.</summary>
    public static GeneratedLedger Write(string ledgerPath, int count, int seed)
    {
        var gen = new LedgerGenerator(count, seed);
        var (epics, children) = gen.Generate();
        var buffer = new ArrayBufferWriter<byte>(count * 700);
        LedgerCodec.WriteLedger(buffer, gen._created);
        File.WriteAllBytes(ledgerPath, buffer.WrittenSpan.ToArray());

        // Read it back with orc's own code: every line must parse, and the ids must be unique.
        var doc = LedgerDocument.Parse(File.ReadAllBytes(ledgerPath));
        if (doc.Errors.Count > 0 || doc.DuplicateIds.Count > 0 || doc.Count != count)
            throw new BenchException($"generated ledger does not read back cleanly: {doc.Count} items, {doc.Errors.Count} errors, {doc.DuplicateIds.Count} duplicate ids");
        var ready = new DependencyGraph(doc).Ready(DateTimeOffset.UtcNow).Count;
        var byStatus = gen._created.GroupBy(i => i.Status).ToDictionary(g => g.Key, g => g.Count());
        var withBlocks = gen._created.Count(i => i.Dependencies.Any(d => d.Type == DependencyTypes.Blocks));
        var blocksEdges = gen._created.Sum(i => i.Dependencies.Count(d => d.Type == DependencyTypes.Blocks));
        return new GeneratedLedger(count, buffer.WrittenCount, byStatus, epics, children, withBlocks, blocksEdges, ready);
    }

    private (int Epics, int Children) Generate()
    {
        var epics = 0;
        var children = 0;
        while (_created.Count < _target)
        {
            var remaining = _target - _created.Count;
            if (remaining >= 4 && _rng.NextDouble() < 0.06)
            {
                var epic = NewItem(NewHashId(), IssueTypes.Epic);
                epics++;
                var n = Math.Min(_rng.Next(3, 11), remaining - 1);
                for (var c = 1; c <= n; c++)
                {
                    var child = NewItem($"{epic.Id}.{c}", Pick(TypeWeights));
                    child.Dependencies.Add(Dep(child, epic.Id, DependencyTypes.ParentChild));
                    children++;
                }
            }
            else
            {
                NewItem(NewHashId(), Pick(TypeWeights));
            }
        }
        return (epics, children);
    }

    /// <summary>A new item, made now on the timeline, with its blocks deps on earlier items.</summary>
    private WorkItem NewItem(string id, string type)
    {
        _clock += TimeSpan.FromSeconds(_rng.NextDouble() * 2 * _meanStepSeconds);
        var status = Pick(StatusWeights);
        var author = _rng.NextDouble() < 0.6 ? Pick(Humans) : Pick(Agents);
        var item = new WorkItem
        {
            Id = id,
            Title = $"{Pick(Verbs)} {Pick(Nouns)}{(_rng.NextDouble() < 0.3 ? $" ({Pick(Labels)})" : "")}",
            Description = Text(_rng.Next(100, 401)),
            Status = status,
            Priority = Pick(PriorityWeights),
            IssueType = type,
            CreatedBy = author,
            CreatedAt = Timestamps.Format(_clock),
        };
        if (status is Statuses.InProgress or Statuses.Hooked || (status == Statuses.Open && _rng.NextDouble() < 0.15))
            item.Assignee = Pick(Agents);
        var labelCount = _rng.NextDouble() < 0.25 ? 0 : _rng.Next(1, 4);
        for (var i = 0; i < labelCount; i++)
        {
            var label = Pick(Labels);
            if (!item.Labels.Contains(label)) item.Labels.Add(label);
        }
        var updated = _clock + TimeSpan.FromMinutes(_rng.NextDouble() * 60 * 24 * 30);
        item.UpdatedAt = Timestamps.Format(updated);
        if (status == Statuses.Closed)
        {
            item.ClosedAt = item.UpdatedAt;
            item.CloseReason = _rng.NextDouble() < 0.8 ? "done" : "duplicate of an older item";
        }
        if (status == Statuses.Deferred || (status == Statuses.Open && _rng.NextDouble() < 0.02))
            item.DeferUntil = Timestamps.Format(FutureBase + TimeSpan.FromDays(_rng.Next(0, 365)));
        else if (status == Statuses.Open && _rng.NextDouble() < 0.02)
            item.DeferUntil = Timestamps.Format(_clock + TimeSpan.FromDays(7)); // a deferral that has passed

        if (_created.Count > 0 && _rng.NextDouble() < 0.4)
        {
            var parent = id.Contains('.') ? id[..id.LastIndexOf('.')] : null;
            var want = _rng.Next(1, 4);
            for (var attempt = 0; attempt < want * 4 && item.Dependencies.Count(d => d.Type == DependencyTypes.Blocks) < want; attempt++)
            {
                // Mostly recent work (a window of the last 200 items), sometimes anything older.
                var index = _rng.NextDouble() < 0.7
                    ? _created.Count - 1 - _rng.Next(Math.Min(200, _created.Count))
                    : _rng.Next(_created.Count);
                var target = _created[index].Id;
                if (target == parent || item.Dependencies.Any(d => d.DependsOnId == target)) continue;
                item.Dependencies.Add(Dep(item, target, DependencyTypes.Blocks));
            }
        }
        _created.Add(item);
        _ids.Add(id);
        return item;
    }

    private Dependency Dep(WorkItem item, string dependsOn, string type) => new()
    {
        IssueId = item.Id,
        DependsOnId = dependsOn,
        Type = type,
        CreatedAt = item.CreatedAt,
        CreatedBy = item.CreatedBy,
    };

    /// <summary>
    /// <c>hq-</c> and a base36 SHA-256 hash, as <see cref="IdGenerator"/> makes them: the length is
    /// what orc would ask for at the ledger's size when the item is made, at least 7.
    /// </summary>
    private string NewHashId()
    {
        var len = Math.Max(7, IdGenerator.HashLength(_created.Count + 1));
        for (var attempt = 0; ; attempt++)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{_seed}\n{_created.Count}\n{attempt}"));
            var id = $"{Prefix}-{Base36(hash, len + attempt / 100)}";
            if (!_ids.Contains(id)) return id;
        }
    }

    private static string Base36(byte[] hash, int length)
    {
        var sb = new StringBuilder(length);
        var value = new BigInteger(hash, isUnsigned: true);
        for (var i = 0; i < length; i++)
        {
            sb.Append(Base36Alphabet[(int)(value % 36)]);
            value /= 36;
        }
        return sb.ToString();
    }

    private string Text(int length)
    {
        var sb = new StringBuilder(length + 16);
        while (sb.Length < length)
        {
            if (sb.Length > 0) sb.Append(_rng.NextDouble() < 0.08 ? ". " : " ");
            sb.Append(Pick(Words));
        }
        sb.Length = length;
        return sb.ToString().TrimEnd() + ".";
    }

    private T Pick<T>(T[] values) => values[_rng.Next(values.Length)];

    private T Pick<T>((T Value, int Weight)[] weighted)
    {
        var total = 0;
        foreach (var (_, w) in weighted) total += w;
        var r = _rng.Next(total);
        foreach (var (v, w) in weighted)
        {
            if (r < w) return v;
            r -= w;
        }
        return weighted[^1].Value;
    }
}
