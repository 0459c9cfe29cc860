using System.Diagnostics;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Core.Ledger;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public class LedgerDurabilityTests
{
    [Fact]
    public void A_bad_line_is_reported_with_its_number_the_rest_loads_and_the_next_write_quarantines_it()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("first");
        var b = ws.Create("second");
        var lines = File.ReadAllLines(ws.LedgerPath).ToList();
        lines.Insert(1, "<<<<<<< HEAD");
        lines.Add("{\"id\":\"hq-trunc\",\"title\":\"cut off");
        File.WriteAllLines(ws.LedgerPath, lines);

        var read = ws.Orc("item", "list", "--json");
        Assert.Equal(0, read.ExitCode);
        Assert.Equal(2, JsonDocument.Parse(read.Out).RootElement.GetArrayLength());
        Assert.Contains("ledger/issues.jsonl:2:", read.Err);
        Assert.Contains("ledger/issues.jsonl:4:", read.Err);

        Assert.Equal(0, ws.Orc("item", "create", "third").ExitCode);
        var quarantine = File.ReadAllText(ws.QuarantinePath);
        Assert.Contains("<<<<<<< HEAD", quarantine);
        Assert.Contains("\"title\":\"cut off", quarantine);
        Assert.Contains("issues.jsonl:2:", quarantine);
        var after = ws.Orc("item", "list", "--json");
        Assert.Equal("", after.Err);
        Assert.Equal(3, JsonDocument.Parse(after.Out).RootElement.GetArrayLength());
        Assert.True(ws.IsClean(), "the quarantine file is committed with the ledger");
        Assert.Contains(a, ws.LedgerText());
        Assert.Contains(b, ws.LedgerText());
    }

    [Fact]
    public void Mail_a_killed_sender_wrote_but_did_not_commit_is_committed_by_the_next_change()
    {
        using var ws = new TempWorkspace();
        Assert.Equal(0, ws.Orc("mail", "send", "overseer", "kept", "--body", "the first").ExitCode);
        // As a sender killed between its atomic write and its commit leaves it: a complete message
        // file git does not track (copied from the committed one, under a new id), and a temp file.
        var box = Path.Combine(ws.Root, "mail", "overseer");
        var sent = Directory.EnumerateFiles(box, "*.json").Single();
        var orphan = Path.Combine(box, "m-0rphan.json");
        File.WriteAllText(orphan, File.ReadAllText(sent).Replace(Path.GetFileNameWithoutExtension(sent), "m-0rphan"));
        var temp = Path.Combine(box, ".m-half.json.123.tmp");
        File.WriteAllText(temp, "{\"id\":");
        Assert.Contains("m-0rphan.json", ws.Dirty());

        Assert.Equal(0, ws.Orc("item", "create", "any later change").ExitCode);
        Assert.DoesNotContain("m-0rphan.json", ws.Dirty());
        using (var repo = new Repository(ws.Root))
        {
            Assert.NotNull(repo.Index["mail/overseer/m-0rphan.json"]);
            Assert.Null(repo.Index["mail/overseer/.m-half.json.123.tmp"]); // a half-written temp file is never committed
        }
        Assert.Contains("m-0rphan", ws.Orc("mail", "inbox").Out + ws.Orc("mail", "inbox", "--json").Out);
    }

    [Fact]
    public void A_record_a_killed_writer_changed_or_removed_but_did_not_commit_is_committed_by_the_next_change()
    {
        using var ws = new TempWorkspace();
        // Two committed records of different folders (a convoy, a queue entry): as a refinery killed
        // between writing "merged" and committing it leaves one, and as a killed writer that removed one.
        var queue = Path.Combine(ws.Root, "mq", "app");
        Directory.CreateDirectory(queue);
        File.WriteAllText(Path.Combine(queue, "app-1.json"), "{\"item\":\"app-1\",\"state\":\"merging\"}\n");
        var convoys = Path.Combine(ws.Root, "convoys");
        Directory.CreateDirectory(convoys);
        File.WriteAllText(Path.Combine(convoys, "old.json"), "{\"name\":\"old\"}\n");
        using (var repo = new Repository(ws.Root))
        {
            Commands.Stage(repo, ["mq/app/app-1.json", "convoys/old.json"]);
            repo.Commit("records", new Signature("t", "t@t", DateTimeOffset.Now), new Signature("t", "t@t", DateTimeOffset.Now));
        }
        File.WriteAllText(Path.Combine(queue, "app-1.json"), "{\"item\":\"app-1\",\"state\":\"merged\"}\n");
        File.Delete(Path.Combine(convoys, "old.json"));
        File.WriteAllText(Path.Combine(queue, ".app-2.json.9.tmp"), "{\"item\":");
        Assert.Contains("mq/app/app-1.json (ModifiedInWorkdir)", ws.Dirty());
        Assert.Contains("convoys/old.json (DeletedFromWorkdir)", ws.Dirty());

        Assert.Equal(0, ws.Orc("item", "create", "any later change").ExitCode);
        Assert.DoesNotContain("app-1.json", ws.Dirty());
        Assert.DoesNotContain("old.json", ws.Dirty());
        using (var repo = new Repository(ws.Root))
        {
            Assert.Contains("merged", ((Blob)repo.Head.Tip["mq/app/app-1.json"].Target).GetContentText());
            Assert.Null(repo.Head.Tip["convoys/old.json"]);
            Assert.Null(repo.Index["mq/app/.app-2.json.9.tmp"]); // a half-written temp file is never committed
        }
    }

    [Fact]
    public void An_item_written_twice_by_a_bad_merge_is_merged_and_written_once()
    {
        using var ws = new TempWorkspace();
        var id = ws.Create("original");
        var line = File.ReadAllLines(ws.LedgerPath)[0];
        var newer = line.Replace("\"title\":\"original\"", "\"title\":\"newer\"").Replace("\"updated_at\":\"2", "\"updated_at\":\"3");
        File.AppendAllText(ws.LedgerPath, newer + "\n");
        var r = ws.Orc("item", "list");
        Assert.Contains("appears on more than one line", r.Err);
        Assert.Equal(0, ws.Orc("item", "label", "add", id, "fixed").ExitCode);
        var lines = File.ReadAllLines(ws.LedgerPath);
        Assert.Single(lines);
        Assert.Contains("\"title\":\"newer\"", lines[0]);
    }

    [Fact]
    public void A_ledger_that_cannot_be_replaced_gives_a_clear_error_and_stays_unchanged()
    {
        using var ws = new TempWorkspace();
        ws.Create("kept");
        var before = ws.LedgerBytes();
        var commits = ws.CommitCount();
        // A directory where the temp file would be renamed to makes the replace fail (for root too,
        // who ignores read-only permissions): the write must fail cleanly and leave no temp file.
        var ledgerDir = Path.Combine(ws.Root, "ledger");
        var blocked = Path.Combine(ws.Root, "ledger-real");
        Directory.Move(ledgerDir, blocked);
        Directory.CreateDirectory(Path.Combine(ledgerDir, "issues.jsonl", "in-the-way"));
        var r = ws.Orc("item", "create", "cannot land");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("issues.jsonl: cannot write", r.Err);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.Empty(Directory.GetFiles(ledgerDir, "*.tmp"));
        Directory.Delete(ledgerDir, recursive: true);
        Directory.Move(blocked, ledgerDir);
        Assert.Equal(before, ws.LedgerBytes());
        Assert.Equal(commits, ws.CommitCount());
    }

    [Fact]
    public async Task Concurrent_orc_processes_lose_and_duplicate_nothing()
    {
        using var ws = new TempWorkspace();
        const int writers = 4, perWriter = 12;
        var acknowledged = new List<string>[writers];
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            acknowledged[w] = [];
            for (var i = 0; i < perWriter; i++)
            {
                var r = OrcProcess.Run(ws.Root, ["item", "create", $"writer {w} item {i}", "--json"], new Dictionary<string,
                    string> { ["ORC_AGENT"] = $"agent-{w}" });
                Assert.True(r.ExitCode == 0, r.ToString());
                acknowledged[w].Add(JsonDocument.Parse(r.Out).RootElement.GetProperty("id").GetString()!);
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        var all = acknowledged.SelectMany(x => x).ToList();
        Assert.Equal(writers * perWriter, all.Distinct().Count());
        var ledger = LedgerDocument.Parse(ws.LedgerBytes());
        Assert.Empty(ledger.Errors);
        Assert.Equal(all.Order(), ledger.Ids.Order());
        Assert.Equal(writers * perWriter + 1, ws.CommitCount());
        Assert.True(ws.IsClean());
        using var repo = new Repository(ws.Root);
        var committed = repo.Head.Tip["ledger/issues.jsonl"].Target as Blob;
        Assert.Equal(ws.LedgerText(), committed!.GetContentText());
    }

    [Fact]
    public async Task Killing_writers_at_random_instants_never_loses_an_acknowledged_write()
    {
        using var ws = new TempWorkspace();
        var rng = new Random(1234);
        var acknowledged = new List<string>();
        for (var round = 0; round < 16; round++)
        {
            var running = Enumerable.Range(0, 3).Select(k =>
            {
                var p = Process.Start(OrcProcess.StartInfo(ws.Root, ["item", "create", $"round {round} writer {k}", "--json"]))!;
                p.StandardInput.Close();
                return (Process: p, Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync());
            }).ToList();
            // Kill one of them somewhere between start-up and the end of its write.
            Thread.Sleep(rng.Next(60, 400));
            var victim = running[rng.Next(running.Count)].Process;
            try { victim.Kill(); } catch (InvalidOperationException) { }
            foreach (var (p, o, _) in running)
            {
                Assert.True(p.WaitForExit(60_000));
                if (p.ExitCode == 0) acknowledged.Add(JsonDocument.Parse(await o).RootElement.GetProperty("id").GetString()!);
                p.Dispose();
            }
            var ledger = LedgerDocument.Parse(ws.LedgerBytes());
            Assert.Empty(ledger.Errors);
            foreach (var id in acknowledged) Assert.True(ledger.Contains(id), $"acknowledged {id} is missing after round {round}");
        }
        // After the storm, writes still work and commit (stale git locks are cleared).
        var after = OrcProcess.Run(ws.Root, ["item", "create", "after the storm"]);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.True(ws.IsClean(), "everything on disk ends up committed");
        Assert.True(acknowledged.Count >= 16, $"only {acknowledged.Count} writes were acknowledged");
    }

    [Fact]
    public void A_save_streamed_to_the_file_writes_what_the_codec_writes_long_lines_included()
    {
        var dir = Directory.CreateTempSubdirectory("orc-save-");
        try
        {
            var path = Path.Combine(dir.FullName, "issues.jsonl");
            var lines = Enumerable.Range(0, 300).Select(i =>
                $"{{\"id\":\"hq-{i:x4}\",\"title\":\"t{i}\",\"description\":\"{new string((char)('a' + i % 26), i % 50 == 0 ? 200_000 : i * 13)}\",\"status\":\"open\",\"priority\":2,\"issue_type\":\"task\"}}");
            File.WriteAllText(path, string.Join("\n", lines) + "\n");
            var file = new Orchestrator.Adapters.Storage.LedgerFile(path, path + ".quarantine");
            var doc = file.Load();
            doc.Add(new Orchestrator.Core.Items.WorkItem { Id = "hq-0000a", Title = "new", Description = new string('z', 100_000) });
            var expected = new System.Buffers.ArrayBufferWriter<byte>();
            LedgerCodec.WriteLedger(expected, doc.Items);
            file.Save(doc, DateTimeOffset.UtcNow);
            Assert.Equal(expected.WrittenSpan.ToArray(), File.ReadAllBytes(path));
            Assert.Empty(Directory.GetFiles(dir.FullName, "*.tmp"));
        }
        finally { dir.Delete(recursive: true); }
    }
}
