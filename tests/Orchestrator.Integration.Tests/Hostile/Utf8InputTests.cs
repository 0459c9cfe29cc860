using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Orchestrator.Testing;
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
        AssertRefused(ws, before, commits, RunWithStdin(ws.Root, [.. "\n"u8, .. line[..at], .. BadUtf8, .. line[(at + 5)..]], "import", "-"),
            "<stdin>:2: is not valid UTF-8");
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

    /// <summary>
    /// Runs a real orc with <paramref name="args"/> and then one more argument made of
    /// <paramref name="raw"/> bytes exactly (a .NET Process can only pass UTF-8, so a shell adds it).
    /// </summary>
    private static CliResult RunWithRawArgument(string cwd, byte[] raw, params string[] args)
    {
        var file = Path.Combine(cwd, ".raw-argument");
        File.WriteAllBytes(file, raw);
        var psi = OrcProcess.StartInfo(cwd, args);
        string[] orc = [psi.FileName, .. psi.ArgumentList];
        psi.FileName = "/bin/sh";
        psi.ArgumentList.Clear();
        foreach (var a in new[] { "-c", "exec \"$@\" \"$(cat \"$TEST_RAW_ARGUMENT\")\"", "sh" }.Concat(orc)) psi.ArgumentList.Add(a);
        psi.Environment["TEST_RAW_ARGUMENT"] = file;
        try
        {
            using var p = Process.Start(psi)!;
            p.StandardInput.Close();
            var o = p.StandardOutput.ReadToEndAsync();
            var e = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(60_000), "orc did not finish");
            return new CliResult(p.ExitCode, o.Result, e.Result);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Invalid_utf8_in_an_argument_is_refused_naming_the_argument_not_stored_as_U_FFFD()
    {
        using var ws = new TempWorkspace();
        var id = ws.Create("kept");
        var (before, commits) = (ws.LedgerBytes(), ws.CommitCount());
        var mails = Directory.GetFiles(Path.Combine(ws.Root, "mail"), "*.json", SearchOption.AllDirectories).Length;
        void Refused(string expected, byte[] raw, params string[] args)
        {
            var r = RunWithRawArgument(ws.Root, raw, args);
            Assert.True(r.ExitCode == 2, r.ToString());
            AssertRefused(ws, before, commits, r, expected);
        }

        Refused("orc: error: TITLE: is not valid UTF-8 (argument 3, byte 4); nothing was done", BadUtf8, "item", "create");
        Refused("orc: error: --description: is not valid UTF-8 (argument 5, byte 4); nothing was done", BadUtf8, "item", "create", "fine", "-d");
        Refused("orc: error: --notes: is not valid UTF-8 (argument 4, byte 12); nothing was done", [.. "--notes="u8, .. BadUtf8], "item", "update", id);
        Refused("orc: error: LABEL: is not valid UTF-8 (argument 5, byte 4); nothing was done", BadUtf8, "item", "label", "add", id);
        Refused("orc: error: SUBJECT: is not valid UTF-8 (argument 4, byte 4); nothing was done", BadUtf8, "mail", "send", "mayor");
        Assert.Equal(mails, Directory.GetFiles(Path.Combine(ws.Root, "mail"), "*.json", SearchOption.AllDirectories).Length);

        // U+FFFD typed as itself (valid UTF-8: EF BF BD) is text like any other, stored as given.
        var typed = RunWithRawArgument(ws.Root, "real \uFFFD char"u8.ToArray(), "item", "create", "--json");
        Assert.True(typed.ExitCode == 0, typed.ToString());
        Assert.Equal("real \uFFFD char", JsonDocument.Parse(typed.Out).RootElement.GetProperty("title").GetString());
    }
}
