using System.Diagnostics;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Faults;

/// <summary>
/// Faults against the ledger with real orc processes: many concurrent writers, writers killed
/// with SIGKILL mid-write, a workspace that cannot be written. Seeds are printed on failure.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public class LedgerFaultTests(ITestOutputHelper output)
{
    /// <summary>What the writers were told was done (by an answer with exit 0), to find in the end.</summary>
    private sealed class Acknowledged
    {
        public readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal);
        public readonly List<(string Item, string Text)> Comments = [];
        public readonly List<(string From, string To)> Dependencies = [];
        public readonly HashSet<string> Closed = new(StringComparer.Ordinal);
        public int Mutations;
    }

    [Fact]
    public async Task Eight_concurrent_batch_writers_of_250_mixed_mutations_lose_tear_and_duplicate_nothing()
    {
        const int writers = 8, perWriter = 250, seedsPerWriter = 4;
        var seed = Environment.TickCount;
        using var ws = new TempWorkspace();
        var clock = Stopwatch.StartNew();

        // Setup: every writer's first items, created in one batch (one commit each).
        var seeds = new string[writers * seedsPerWriter];
        var setup = new Acknowledged();
        using (var batch = new BatchProcess(ws.Root))
        {
            for (var i = 0; i < seeds.Length; i++)
            {
                var title = $"seed {i} of writer {i / seedsPerWriter}";
                seeds[i] = batch.Run("item", "create", title, "--json").Id();
                setup.Titles[seeds[i]] = title;
            }
            Assert.Equal("", batch.Finish());
        }
        var setupCommits = ws.CommitCount();

        var acks = new Acknowledged[writers];
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            var ack = acks[w] = new Acknowledged();
            var rng = new Random(seed + w);
            var mine = Enumerable.Range(w * seedsPerWriter, seedsPerWriter).Select(i => seeds[i]).ToList();
            var open = new List<string>(mine);
            var deps = new HashSet<(string, string)>();
            using var batch = new BatchProcess(ws.Root, new Dictionary<string, string> { ["ORC_AGENT"] = $"writer-{w}" });
            for (var i = 0; i < perWriter; i++)
            {
                var op = rng.Next(100);
                if (op < 25 || open.Count == 0)
                {
                    var title = $"w{w} created {i}";
                    var id = batch.Run("item", "create", title, "--json").Id();
                    ack.Titles[id] = title;
                    open.Add(id);
                }
                else if (op < 45)
                {
                    var id = open[rng.Next(open.Count)];
                    var title = $"w{w} renamed {i}";
                    batch.Run("item", "update", id, "--title", title);
                    ack.Titles[id] = title;
                }
                else if (op < 65)
                {
                    // A dependency on a seed (anyone's) of lower rank: no cycle is ever possible.
                    // From one of this writer's own items (so no other writer adds the same one, which would be no change and no commit).
                    var own = ack.Titles.Keys.Concat(mine).ToList();
                    var from = own[rng.Next(own.Count)];
                    if (from == seeds[0]) { i--; continue; }
                    var fromRank = Array.IndexOf(seeds, from) is var r && r >= 0 ? r : seeds.Length;
                    var to = seeds[rng.Next(fromRank)];
                    if (!deps.Add((from, to))) { i--; continue; }
                    batch.Run("item", "dep", "add", from, to);
                    ack.Dependencies.Add((from, to));
                }
                else if (op < 90)
                {
                    var id = rng.Next(2) == 0 ? open[rng.Next(open.Count)] : seeds[rng.Next(seeds.Length)];
                    var text = $"w{w} comment {i} on {id}";
                    batch.Run("item", "comment", id, text);
                    ack.Comments.Add((id, text));
                }
                else
                {
                    var id = open[rng.Next(open.Count)];
                    batch.Run("item", "close", id, "--reason", $"w{w} closed {i}");
                    open.Remove(id);
                    ack.Closed.Add(id);
                }
                ack.Mutations++;
            }
            Assert.Equal("", batch.Finish());
        }, TestContext.Current.CancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"seed {seed}: {ex}");
        }
        var elapsed = clock.Elapsed;

        var ledger = LedgerDocument.Parse(ws.LedgerBytes());
        Assert.Empty(ledger.Errors);
        Assert.Empty(ledger.DuplicateIds);
        var created = acks.SelectMany(a => a.Titles.Keys).Concat(seeds).Distinct().Count();
        Assert.Equal(created, ledger.Count);
        foreach (var (id, title) in setup.Titles.Concat(acks.SelectMany(a => a.Titles)).GroupBy(p => p.Key).Select(g => g.Last()))
            Assert.True(ledger.Find(id)?.Title == title, $"seed {seed}: {id} should be titled '{title}', is '{ledger.Find(id)?.Title}'");
        foreach (var (id, text) in acks.SelectMany(a => a.Comments))
            Assert.True(ledger.Get(id).Comments.Any(c => c.Text == text), $"seed {seed}: comment '{text}' missing");
        foreach (var (from, to) in acks.SelectMany(a => a.Dependencies))
            Assert.True(ledger.Get(from).Dependencies.Any(d => d.DependsOnId == to && d.Type == DependencyTypes.Blocks), $"seed {seed}: {from} → {to} missing");
        foreach (var id in acks.SelectMany(a => a.Closed))
            Assert.Equal(Statuses.Closed, ledger.Get(id).Status);

        // The history: one commit per acknowledged change, linear, each commit's ledger readable, HEAD = the file.
        var mutations = acks.Sum(a => a.Mutations);
        Assert.Equal(writers * perWriter, mutations);
        Assert.True(ws.IsClean(), ws.Dirty());
        using var repo = new Repository(ws.Root);
        var commits = repo.Commits.ToList();
        Assert.Equal(setupCommits + mutations, commits.Count);
        Assert.All(commits, c => Assert.True(c.Parents.Count() <= 1, $"{c.Sha} is a merge in a history only orc writes"));
        foreach (var c in commits)
        {
            if (c["ledger/issues.jsonl"]?.Target is not Blob blob) continue;
            var doc = LedgerDocument.Parse(blob.GetContentStream().ReadAllBytes());
            Assert.True(doc.Errors.Count == 0 && doc.DuplicateIds.Count == 0, $"commit {c.Sha}: the committed ledger does not read cleanly");
        }
        Assert.Equal(ws.LedgerText(), ((Blob)repo.Head.Tip["ledger/issues.jsonl"].Target).GetContentText());
        output.WriteLine($"seed {seed}: {mutations} mutations by {writers} concurrent orc batch processes in {elapsed.TotalSeconds:0.0}s ({elapsed.TotalMilliseconds / mutations:0.0} ms each), {ledger.Count} items, {commits.Count} commits");
    }

    [Fact]
    public void A_batch_writer_killed_at_random_points_of_200_writes_never_loses_an_acknowledged_write()
    {
        const int rounds = 5, writes = 200;
        var seed = Environment.TickCount;
        using var ws = new TempWorkspace();
        var titles = new Dictionary<string, string>(StringComparer.Ordinal);
        var comments = new List<(string Item, string Text)>();
        var acknowledged = 0;
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            var rng = new Random(seed + round);
            var known = titles.Keys.ToList();
            var sent = new List<(string Kind, string Item, string Text)>();
            using (var batch = new BatchProcess(ws.Root))
            {
                // The whole round is queued at once: the writer runs flat out and is killed somewhere in it.
                for (var i = 0; i < writes; i++)
                {
                    if (known.Count > 0 && rng.Next(4) == 0)
                    {
                        var item = known[rng.Next(known.Count)];
                        var text = $"round {round} comment {i}";
                        batch.Write("item", "comment", item, text);
                        sent.Add(("comment", item, text));
                    }
                    else
                    {
                        var title = $"round {round} write {i}";
                        batch.Write("item", "create", title, "--json");
                        sent.Add(("create", "", title));
                    }
                }
                var killAfter = rng.Next(writes);
                var answers = new List<BatchAnswer>();
                while (answers.Count < killAfter && batch.ReadAnswer() is { } a) answers.Add(a);
                Thread.Sleep(rng.Next(40));
                try { batch.Process.Kill(); } catch (InvalidOperationException) { }
                // Answers already in the pipe were written after their commit: they count too. A line cut short does not.
                while (batch.ReadAnswer() is { } a) answers.Add(a);
                Assert.True(batch.Process.WaitForExit(60_000));
                foreach (var a in answers)
                {
                    Assert.True(a.Exit == 0, $"seed {seed} round {round}: {a}");
                    var (kind, item, text) = sent[a.Line - 1];
                    if (kind == "create") titles[a.Id()] = text;
                    else comments.Add((item, text));
                }
                acknowledged += answers.Count;
            }

            var ledger = LedgerDocument.Parse(ws.LedgerBytes());
            Assert.True(ledger.Errors.Count == 0, $"seed {seed} round {round}: {string.Join("; ", ledger.Errors.Select(e => $"{e.LineNumber}: {e.Message}"))}");
            Assert.Empty(ledger.DuplicateIds);
            foreach (var (id, title) in titles)
                Assert.True(ledger.Find(id)?.Title == title, $"seed {seed} round {round}: acknowledged {id} '{title}' is missing");
            foreach (var (id, text) in comments)
                Assert.True(ledger.Get(id).Comments.Any(c => c.Text == text), $"seed {seed} round {round}: acknowledged comment '{text}' is missing");
        }

        // After the kills, writes still work, and everything on disk ends up committed.
        using (var batch = new BatchProcess(ws.Root))
        {
            batch.Run("item", "create", "after the kills", "--json");
            Assert.Equal("", batch.Finish());
        }
        Assert.True(ws.IsClean(), $"seed {seed}: {ws.Dirty()}");
        using var repo = new Repository(ws.Root);
        Assert.Equal(ws.LedgerText(), ((Blob)repo.Head.Tip["ledger/issues.jsonl"].Target).GetContentText());
        foreach (var c in repo.Commits)
            if (c["ledger/issues.jsonl"]?.Target is Blob blob)
                Assert.True(LedgerDocument.Parse(blob.GetContentStream().ReadAllBytes()).Errors.Count == 0,
                    $"seed {seed}: commit {c.Sha} holds an unreadable ledger");
        Assert.True(acknowledged >= rounds, $"seed {seed}: only {acknowledged} writes were acknowledged");
        output.WriteLine($"seed {seed}: {rounds} SIGKILLs, {acknowledged} acknowledged writes all present, in {clock.Elapsed.TotalSeconds:0.0}s");
    }

    [Fact]
    public void A_read_only_workspace_refuses_a_change_with_one_clear_line_and_changes_nothing()
    {
        using var ws = new TempWorkspace();
        ws.Create("kept");
        var before = ws.LedgerBytes();
        var commits = ws.CommitCount();
        using var readOnly = ReadOnly.Make(ws.Root, ws.Root);
        output.WriteLine($"read-only by: {readOnly.Mechanism}");

        var write = readOnly.Orc(["item", "create", "cannot land"]);
        var read = readOnly.Orc(["item", "list", "--json"]);

        Assert.True(write.ExitCode != 0, write.ToString());
        var error = Assert.Single(write.Err.TrimEnd().Split('\n'));
        Assert.StartsWith("orc: error: ", error);
        Assert.Contains(ws.Root, error); // names the file it could not write
        Assert.Contains("read-only", error);
        Assert.True(read.ExitCode == 0, read.ToString()); // reads still answer
        Assert.Contains("kept", read.Out);
        readOnly.Dispose();
        Assert.Equal(before, ws.LedgerBytes());
        Assert.Equal(commits, ws.CommitCount());
        Assert.True(ws.IsClean(), ws.Dirty());
        Assert.Empty(Directory.GetFiles(Path.Combine(ws.Root, "ledger"), "*.tmp"));
    }

    [Fact]
    public void A_ledger_file_that_cannot_be_replaced_gives_one_clear_line_and_nothing_changes()
    {
        using var ws = new TempWorkspace();
        ws.Create("kept");
        var before = ws.LedgerBytes();
        var commits = ws.CommitCount();
        using var readOnly = ReadOnly.Make(ws.LedgerPath, ws.Root);
        output.WriteLine($"ledger made unreplaceable by: {readOnly.Mechanism}");

        var write = readOnly.Orc(["item", "create", "cannot land"]);

        Assert.True(write.ExitCode != 0, write.ToString());
        var error = Assert.Single(write.Err.TrimEnd().Split('\n'));
        Assert.StartsWith($"orc: error: {ws.LedgerPath}: cannot write", error);
        Assert.Contains("(the file is unchanged)", error);
        readOnly.Dispose();
        Assert.Equal(before, ws.LedgerBytes());
        Assert.Equal(commits, ws.CommitCount());
        Assert.True(ws.IsClean(), ws.Dirty());
        Assert.Empty(Directory.GetFiles(Path.Combine(ws.Root, "ledger"), "*.tmp"));
    }

    [Fact]
    public void A_write_whose_commit_fails_is_undone_and_a_retry_makes_one_item()
    {
        using var ws = new TempWorkspace();
        ws.Create("kept");
        var before = ws.LedgerBytes();
        var commits = ws.CommitCount();
        var retry = new[] { "item", "create", "exactly once" };
        CliResult write;
        using (var readOnly = ReadOnly.Make(Path.Combine(ws.Root, ".git", "objects"), ws.Root))
        {
            output.WriteLine($"git's objects made read-only by: {readOnly.Mechanism}");
            write = readOnly.Orc(retry);
        }
        Assert.Equal(1, write.ExitCode);
        var error = Assert.Single(write.Err.TrimEnd().Split('\n'));
        Assert.Contains("could not be committed", error);
        Assert.Contains("the change was undone, nothing was changed", error);
        // Exit 1 means nothing changed: the ledger as it was, no commit, nothing left for the next change to pick up.
        Assert.Equal(before, ws.LedgerBytes());
        Assert.Equal(commits, ws.CommitCount());
        Assert.True(ws.IsClean(), ws.Dirty());
        // The retry makes it once.
        Assert.Equal(0, ws.Orc(retry).ExitCode);
        Assert.Single(JsonDocument.Parse(ws.Orc("item", "list", "--json").Out).RootElement.EnumerateArray(),
            e => e.GetProperty("title").GetString() == "exactly once");
    }
}

internal static class StreamBytes
{
    public static byte[] ReadAllBytes(this Stream s)
    {
        using (s)
        {
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }
    }
}
