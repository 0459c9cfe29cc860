using System.Text.Json;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Integration.Tests.Faults;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>
/// One caller cannot lock every writer out: input over a documented limit (<see cref="ItemLimits"/>,
/// docs/cli.md "Limits") is refused before the workspace lock is taken, and input at the limits is
/// worked in linear time under it. Real orc processes and the real workspace lock.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class InputLimitTests
{
    private static string[] Many(string prefix, int n) => Enumerable.Range(0, n).Select(i => prefix + i).ToArray();

    [Fact]
    public void Input_over_a_limit_is_refused_naming_the_argument_and_the_limit_without_waiting_for_the_lock()
    {
        using var ws = new TempWorkspace();
        var item = ws.Create("existing");
        var (before, commits) = (ws.LedgerBytes(), ws.CommitCount());
        var labels = Many("l", 260_000);
        var text = new string('n', ItemLimits.TextLength + 1);
        (string[] Args, string Error)[] cases =
        [
            (["item", "create", "many labels", "-l", string.Join(',', labels)], "--label: 260,000 labels; the limit is 100 per item"),
            (["item", "label", "add", item, string.Join(",", labels)], "label: 260,000 labels; the limit is 100 per item"),
            (["item", "label", "remove", item, string.Join(",", labels)], "label: 260,000 labels; the limit is 100 per item"),
            (["item", "create", "long label", "-l", new string('l', ItemLimits.LabelLength + 1)], "--label: is 65 characters long; the limit is 64"),
            (["item", "create", new string('t', ItemLimits.TitleLength + 1)], "title: is 501 characters long; the limit is 500"),
            (["item", "create", "long text", "-d", text], "--description: is 262,145 characters long; the limit is 262,144"),
            (["item", "update", item, "--notes", text], "--notes: is 262,145 characters long; the limit is 262,144"),
            (["item", "comment", item, text], "comment: is 262,145 characters long; the limit is 262,144"),
            (["item", "close", item, "--reason", text], "--reason: is 262,145 characters long; the limit is 262,144"),
            (["item", "create", "many files", .. Many("src/f", 501).SelectMany(f => new[] { "--file", f })], "--file: 501 files; the limit is 500 per item"),
            (["item", "create", "many deps", "--deps", string.Join(',', Many("hq-d", 501))], "--deps: 501 dependencies; the limit is 500 per item"),
        ];

        // This test holds the workspace lock throughout: a command that went for it would wait 60 s
        // and end with exit 5 (busy), so each answer below shows the check ran before the lock.
        using (FileLock.Acquire(Path.Combine(ws.Root, ".orc", "locks", "workspace.lock"), TimeSpan.FromSeconds(10), "InputLimitTests"))
        using (var batch = new BatchProcess(ws.Root))
        {
            foreach (var (args, error) in cases)
            {
                batch.Write(args);
                var answer = batch.ReadAnswer() ?? throw new InvalidOperationException($"orc batch ended at {args[1]}: {batch.Finish()}");
                Assert.True(answer.Exit == 1, $"{string.Join(' ', args.Take(3))}: {answer}");
                Assert.Equal($"orc: error: {error}\n", answer.Err);
            }
            Assert.Equal("", batch.Finish());
        }
        Assert.Equal(before, ws.LedgerBytes());
        Assert.Equal(commits, ws.CommitCount());
    }

    [Fact]
    public async Task The_largest_allowed_input_leaves_the_lock_to_a_concurrent_writer()
    {
        using var ws = new TempWorkspace();
        // 260,000 labels, as in the finding, but repeats of the 100 one item may have: allowed.
        var distinct = Enumerable.Range(0, ItemLimits.Labels).Select(i => $"label-{i:D2}").ToArray();
        var labels = string.Join(',', Enumerable.Repeat(distinct, 2_600).SelectMany(l => l));
        var title = new string('t', ItemLimits.TitleLength);
        var text = new string('d', ItemLimits.TextLength);
        var files = Many("src/file-", ItemLimits.Files).SelectMany(f => new[] { "--file", f }).ToArray();
        const int lines = 4;

        using var batch = new BatchProcess(ws.Root);
        // Written from another thread: each line waits in the pipe until the batch has answered the one before.
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < lines; i++)
                batch.Write(["item", "create", title, "-l", labels, "-d", text, "--notes", text, .. files]);
        }, TestContext.Current.CancellationToken);
        var first = batch.ReadAnswer() ?? throw new InvalidOperationException("orc batch ended: " + batch.Finish());
        Assert.True(first.Exit == 0, first.ToString());

        // While the batch works through the other lines, another writer must get the lock.
        var other = OrcProcess.Run(ws.Root, ["item", "create", "a concurrent writer", "--json"]);
        Assert.True(other.ExitCode == 0, other.ToString());

        for (var i = 1; i < lines; i++)
        {
            var answer = batch.ReadAnswer() ?? throw new InvalidOperationException("orc batch ended: " + batch.Finish());
            Assert.True(answer.Exit == 0, answer.ToString());
        }
        await writer;
        Assert.Equal("", batch.Finish());

        var ledger = LedgerDocument.Parse(ws.LedgerBytes());
        Assert.Equal(lines + 1, ledger.Count);
        Assert.Contains(JsonDocument.Parse(other.Out).RootElement.GetProperty("id").GetString()!, ledger.Ids);
        Assert.All(ledger.Items.Where(i => i.Title == title), i =>
        {
            Assert.Equal(distinct, i.Labels);
            Assert.Equal(ItemLimits.Files, i.Files.Count);
        });
    }
}
