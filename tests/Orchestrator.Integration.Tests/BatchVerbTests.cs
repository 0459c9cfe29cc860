using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Core.Ledger;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

public class BatchVerbTests
{
    private sealed record Answer(int Line, int Exit, string Out, string Err);

    private static List<Answer> Answers(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
        {
            var e = JsonDocument.Parse(l).RootElement;
            return new Answer(e.GetProperty("line").GetInt32(), e.GetProperty("exit").GetInt32(), e.GetProperty("out").GetString()!,
                e.GetProperty("err").GetString()!);
        }).ToList();

    private static string Lines(params string[][] commands) =>
        string.Join("\n", commands.Select(c => JsonSerializer.Serialize(c, BatchJson.Default.StringArray))) + "\n";

    private static string IdOf(Answer a) => JsonDocument.Parse(a.Out).RootElement.GetProperty("id").GetString()!;

    [Fact]
    public void Each_line_runs_through_the_normal_verbs_and_is_answered_once_with_its_exit_and_output()
    {
        using var ws = new TempWorkspace();
        var commits = ws.CommitCount();
        var r = ws.OrcWithInput(Lines(
            ["item", "create", "first", "--json"],
            ["item", "create", "second", "-p", "1", "--json"],
            ["item", "list"]), "batch");

        Assert.True(r.ExitCode == 0, r.ToString());
        var answers = Answers(r.Out);
        Assert.Equal([1, 2, 3], answers.Select(a => a.Line));
        Assert.All(answers, a => Assert.Equal(0, a.Exit));
        var (a1, a2) = (IdOf(answers[0]), IdOf(answers[1]));
        Assert.Contains(a1, answers[2].Out);
        Assert.Contains(a2, answers[2].Out);
        var ledger = LedgerDocument.Parse(ws.LedgerBytes());
        Assert.Equal("first", ledger.Get(a1).Title);
        Assert.Equal(1, ledger.Get(a2).Priority);
        Assert.Equal(commits + 2, ws.CommitCount()); // one commit per change, none for the read
        Assert.True(ws.IsClean(), ws.Dirty());
    }

    [Fact]
    public void A_failing_or_malformed_line_is_answered_with_its_error_naming_the_line_and_the_batch_goes_on()
    {
        using var ws = new TempWorkspace();
        var input = "not json\n" +
                    "{\"verb\":\"item\"}\n" +
                    "[\"item\", 3]\n" +
                    "[]\n" +
                    "\n" +
                    Lines(["item", "show", "hq-nope"], ["item", "create", "still runs", "--json"]);

        var r = ws.OrcWithInput(input, "batch");

        Assert.Equal(2, r.ExitCode); // the first failing line's exit code
        var answers = Answers(r.Out);
        Assert.Equal([1, 2, 3, 4, 6, 7], answers.Select(a => a.Line)); // the blank line 5 is skipped, not answered
        Assert.StartsWith("orc: stdin:1: not a JSON array of arguments", answers[0].Err);
        Assert.StartsWith("orc: stdin:2: expected a JSON array of arguments, got a object", answers[1].Err);
        Assert.StartsWith("orc: stdin:3: argument 2 is a number, not a string", answers[2].Err);
        Assert.StartsWith("orc: stdin:4: an empty array", answers[3].Err);
        Assert.All(answers.Take(4), a => Assert.Equal(2, a.Exit));
        Assert.Equal(3, answers[4].Exit); // not found, as 'orc item show' alone
        Assert.Contains("hq-nope", answers[4].Err);
        Assert.Equal(0, answers[5].Exit);
        Assert.Equal("still runs", LedgerDocument.Parse(ws.LedgerBytes()).Get(IdOf(answers[5])).Title);
    }

    [Fact]
    public void Stop_on_error_stops_after_answering_the_first_failing_line()
    {
        using var ws = new TempWorkspace();
        var r = ws.OrcWithInput(Lines(
            ["item", "create", "one", "--json"],
            ["item", "update", "hq-missing", "--title", "x"],
            ["item", "create", "never", "--json"]), "batch", "--stop-on-error");

        Assert.Equal(3, r.ExitCode);
        var answers = Answers(r.Out);
        Assert.Equal([1, 2], answers.Select(a => a.Line));
        Assert.DoesNotContain("never", ws.LedgerText());
    }

    [Theory]
    [InlineData("tui")]
    [InlineData("demo")]
    [InlineData("attach", "x")]
    [InlineData("crew", "attach", "x")]
    [InlineData("mayor", "attach")]
    [InlineData("batch")]
    [InlineData("refinery", "run", "app")]
    [InlineData("deacon", "run")]
    [InlineData("convoy", "launch", "c")]
    [InlineData("feed", "--follow")]
    [InlineData("--layout", "overview")]
    public void Interactive_and_long_running_verbs_are_refused_per_line(params string[] command)
    {
        using var ws = new TempWorkspace();
        var r = ws.OrcWithInput(Lines(command, ["item", "create", "after", "--json"]), "batch");

        var answers = Answers(r.Out);
        Assert.Equal(2, answers[0].Exit);
        Assert.StartsWith("orc: stdin:1: ", answers[0].Err);
        Assert.Contains("batch", answers[0].Err);
        Assert.Single(answers[0].Err.TrimEnd().Split('\n'));
        Assert.Equal(0, answers[1].Exit);
    }

    [Fact]
    public void Hostile_text_stays_data_never_run_read_as_a_file_or_printed_raw()
    {
        using var ws = new TempWorkspace();
        var marker = Path.Combine(ws.Root, "pwned");
        var secret = Path.Combine(ws.Root, "secret.txt");
        File.WriteAllText(secret, "SECRET CONTENT");
        string[] titles =
        [
            $"$(touch {marker}) `touch {marker}`; touch {marker} | tee {marker} && echo \"'\\",
            "@" + secret,
            "--json",
            "-- ; & > < * ? ~ # !",
        ];
        var r = ws.OrcWithInput(Lines(
        [
            .. titles.Select(t => new[] { "item", "create", "--json", "--", t }),
            ["item", "create", "ansi \u001b]52;c;aGk=\u0007 \u009b31m"],
            ["item", "create", "stdin", "-d", "-"],
        ]), "batch");

        var answers = Answers(r.Out);
        for (var i = 0; i < titles.Length; i++)
        {
            Assert.True(answers[i].Exit == 0, answers[i].ToString());
            Assert.Equal(titles[i], LedgerDocument.Parse(ws.LedgerBytes()).Get(IdOf(answers[i])).Title);
        }
        Assert.False(File.Exists(marker), "nothing from a line is run by a shell");
        Assert.DoesNotContain("SECRET CONTENT", ws.LedgerText());
        Assert.NotEqual(0, answers[^2].Exit); // control characters in a title are refused, as outside a batch
        Assert.Equal(2, answers[^1].Exit);
        Assert.Contains("stdin:6: standard input is the batch's own command stream", answers[^1].Err);
        // The answers themselves carry no raw control character: escape sequences arrive escaped.
        Assert.DoesNotContain(r.Out.TrimEnd('\n'), c => c < ' ' && c != '\n' || c is >= '\u007f' and <= '\u009f');
        Assert.Equal(answers.Count, r.Out.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public void A_line_with_a_lone_surrogate_or_bytes_that_are_not_utf8_is_answered_with_exit_2_and_the_others_run()
    {
        using var ws = new TempWorkspace();
        var input = new List<byte>();
        input.AddRange("[\"item\",\"create\",\"before\"]\n"u8.ToArray());
        input.AddRange("[\"item\",\"create\",\"a\\ud800b\"]\n"u8.ToArray()); // valid JSON, not text
        input.AddRange("[\"item\",\"create\",\""u8.ToArray());
        input.AddRange(Hostile.HostileRun.BadUtf8);
        input.AddRange("\"]\n"u8.ToArray());
        input.AddRange("[\"item\",\"create\",\"after\"]"u8.ToArray()); // the last line without its newline

        var r = Hostile.HostileRun.RunWithStdin(ws.Root, [.. input], "batch");

        Assert.True(r.ExitCode == 2, r.ToString());
        var answers = Answers(r.Out);
        Assert.Equal([1, 2, 3, 4], answers.Select(a => a.Line));
        Assert.Equal([0, 2, 2, 0], answers.Select(a => a.Exit));
        Assert.Equal("orc: stdin:2: argument 3 is not valid text (it holds a lone UTF-16 surrogate, such as \\ud800 without its pair)\n", answers[1].Err);
        Assert.Equal("orc: stdin:3: is not valid UTF-8 (byte 22); the line was not run\n", answers[2].Err);
        Assert.Equal("", r.Err);
        Assert.Equal(["after", "before"], LedgerDocument.Parse(ws.LedgerBytes()).Items.Select(i => i.Title).Order());
        Assert.False(Directory.Exists(Path.Combine(ws.Root, ".orc", "logs")) && Directory.GetFiles(Path.Combine(ws.Root, ".orc", "logs"), "crash-*").Length > 0,
            "a crash report was written");
    }

    [Fact]
    public void A_line_is_answered_as_soon_as_its_change_is_committed_before_the_next_line_is_read()
    {
        using var ws = new TempWorkspace();
        using var batch = new Faults.BatchProcess(ws.Root);
        for (var i = 0; i < 3; i++)
        {
            // The next line is only written once this one is answered: the batch answers while it waits for input.
            var answer = batch.Run("item", "create", $"streamed {i}", "--json");
            Assert.Equal(i + 1, answer.Line);
            // Acknowledged means committed: HEAD's ledger already holds it.
            using var repo = new Repository(ws.Root);
            var committed = ((Blob)repo.Head.Tip["ledger/issues.jsonl"].Target).GetContentText();
            Assert.Contains(answer.Id(), committed);
        }
        Assert.Equal("", batch.Finish());
        Assert.Equal(0, batch.Process.ExitCode);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class BatchJson : System.Text.Json.Serialization.JsonSerializerContext;
