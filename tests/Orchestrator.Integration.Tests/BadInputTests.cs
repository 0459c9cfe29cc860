using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>Each bad input: a one-line error naming what is wrong, a non-zero exit, the ledger and its history unchanged.</summary>
public class BadInputTests
{
    public static TheoryData<string[], string> Cases() => new()
    {
        { ["item", "create", ""], "title: must not be empty" },
        { ["item", "create", "   "], "title: must not be empty" },
        { ["item", "create", new string('x', 1024 * 1024)], "title: is 1,048,576 characters long" },
        { ["item", "create", "evil \u001b]52;c;aGVsbG8=\u0007 title"], "title: contains a control character (ESC" },
        { ["item", "create", "bell\u0007"], "title: contains a control character (BEL" },
        { ["item", "create", "nul\0"], "title: contains a control character (NUL" },
        { ["item", "create", "ok", "-d", "color \u001b[31mred"], "description: contains a control character" },
        { ["item", "create", "ok", "-p", "7"], "priority: 7 is out of range" },
        { ["item", "create", "ok", "-p", "high"], "priority: 'high' is not a priority" },
        { ["item", "create", "ok", "-t", "bad type!"], "type: 'bad type!' is not a type" },
        { ["item", "create", "ok", "-l", "has space"], "label: 'has space' may not contain" },
        { ["item", "create", "ok", "--parent", "hq-nope"], "no work item 'hq-nope'" },
        { ["item", "create", "ok", "--deps", "hq-nope"], "no work item 'hq-nope'" },
        { ["item", "create", "ok", "--defer-until", "someday"], "defer-until: 'someday' is not a date" },
        { ["item", "update", "ITEM", "--status", "finished"], "unknown status 'finished'" },
        { ["item", "update", "ITEM"], "nothing to update" },
        { ["item", "dep", "add", "ITEM", "ITEM"], "cannot depend on itself" },
        { ["item", "dep", "add", "ITEM", "hq-missing"], "no work item 'hq-missing'" },
        { ["item", "dep", "add", "ITEM", "OTHER", "--type", "sorta"], "unknown dependency type 'sorta'" },
        { ["item", "dep", "remove", "ITEM", "OTHER"], "has no dependency on" },
        { ["item", "comment", "ITEM", ""], "comment: must not be empty" },
        { ["item", "label", "add", "ITEM", "a\u001bb"], "may not contain" },
        { ["item", "list", "--status", "bogus"], "--status: unknown status 'bogus'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_is_refused_with_a_one_line_error_and_nothing_changes(string[] args, string expected)
    {
        using var ws = new TempWorkspace();
        var item = ws.Create("existing");
        var other = ws.Create("other");
        var before = ws.LedgerBytes();
        var commits = ws.CommitCount();
        var resolved = args.Select(a => a == "ITEM" ? item : a == "OTHER" ? other : a).ToArray();
        var r = ws.Orc(resolved);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(expected, r.Err);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain('\u001b', r.Err);
        Assert.Equal(before, ws.LedgerBytes());
        Assert.Equal(commits, ws.CommitCount());
    }

    [Fact]
    public void Ten_thousand_labels_are_refused()
    {
        using var ws = new TempWorkspace();
        var labels = string.Join(',', Enumerable.Range(0, 10_000).Select(i => "l" + i));
        var r = ws.Orc("item", "create", "many labels", "-l", labels);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("the limit is 100", r.Err);
        Assert.Equal("", ws.LedgerText());
    }

    [Fact]
    public void Shell_syntax_in_text_is_stored_as_data()
    {
        using var ws = new TempWorkspace();
        var marker = Path.Combine(ws.Root, "pwned");
        var title = $"$(touch {marker}) `touch {marker}`; rm -rf / && echo | cat";
        var id = ws.Create(title);
        Assert.False(File.Exists(marker));
        Assert.Contains(title, ws.Orc("item", "show", id).Out);
    }
}
