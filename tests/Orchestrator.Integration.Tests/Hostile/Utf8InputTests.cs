using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Orchestrator.Integration.Tests.Support;
using static Orchestrator.Integration.Tests.Hostile.HostileRun;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>Bytes that are not UTF-8, in a file or on standard input: refused with where they are, never silently replaced.</summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class Utf8InputTests
{
    [Fact]
    public void Invalid_utf8_in_an_imported_file_names_the_file_and_line()
    {
        using var ws = new TempWorkspace();
        ws.Create("kept");
        var (before, commits) = (ws.LedgerBytes(), ws.CommitCount());
        var file = Path.Combine(ws.Root, "bad.jsonl");
        var good = Encoding.UTF8.GetBytes(HostileCorpus.ItemLine("hq-g1", "fine") + "\n");
        var bad = Encoding.UTF8.GetBytes(HostileCorpus.ItemLine("hq-g2", "TITLE") + "\n");
        var at = bad.AsSpan().IndexOf("TITLE"u8);
        File.WriteAllBytes(file, [.. good, .. bad[..at], .. BadUtf8, .. bad[(at + 5)..]]);
        AssertRefused(ws, before, commits, ws.Orc("import", file), "bad.jsonl:2: is not valid UTF-8");
    }

    [Fact]
    public void Invalid_utf8_on_standard_input_is_refused_not_replaced()
    {
        using var ws = new TempWorkspace();
        var id = ws.Create("kept");
        var (before, commits) = (ws.LedgerBytes(), ws.CommitCount());
        var line = Encoding.UTF8.GetBytes(HostileCorpus.ItemLine("hq-s1", "TITLE") + "\n");
        var at = line.AsSpan().IndexOf("TITLE"u8);
        AssertRefused(ws, before, commits, RunWithStdin(ws.Root, [.. "\n"u8, .. line[..at], .. BadUtf8, .. line[(at + 5)..]], "import", "-"), "<stdin>:2: is not valid UTF-8");
        AssertRefused(ws, before, commits, RunWithStdin(ws.Root, BadUtf8, "item", "create", "t", "-d", "-"), "<stdin>:1: is not valid UTF-8");
        AssertRefused(ws, before, commits, RunWithStdin(ws.Root, BadUtf8, "item", "comment", id, "-"), "<stdin>:1: is not valid UTF-8");
        var mails = Directory.GetFiles(Path.Combine(ws.Root, "mail"), "*.json", SearchOption.AllDirectories).Length;
        AssertRefused(ws, before, commits, RunWithStdin(ws.Root, BadUtf8, "mail", "send", "mayor", "s", "-b", "-"), "<stdin>:1: is not valid UTF-8");
        Assert.Equal(mails, Directory.GetFiles(Path.Combine(ws.Root, "mail"), "*.json", SearchOption.AllDirectories).Length);
        // Valid UTF-8 (not ASCII) on stdin is fine.
        var ok = RunWithStdin(ws.Root, "naïve café ✓\n"u8.ToArray(), "item", "create", "t", "-d", "-", "--json");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal("naïve café ✓\n", JsonDocument.Parse(ok.Out).RootElement.GetProperty("description").GetString());
    }
}
