using System.Text;
using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>
/// Hostile work-item and message text. Typed in, control characters are refused with a one-line
/// error and nothing stored changes; arriving as data (an import, a hand-edited mail file) it is
/// stored exactly and every human output shows it escaped; --json carries it JSON-escaped.
/// </summary>
public sealed class HostileTextTests(RefusalWorkspace shared, DataWorkspace data) : IClassFixture<RefusalWorkspace>, IClassFixture<DataWorkspace>
{
    public static TheoryData<string, string> Refusals()
    {
        var data = new TheoryData<string, string>();
        foreach (var (kind, _) in HostileCorpus.Escapes)
            foreach (var entry in new[] { "create-title", "create-description", "update-title", "update-notes", "comment", "label", "mail-body", "mail-subject",
                "assignee" })
            {
                // A carriage return is part of a CRLF line break in text of several lines: stored, and shown escaped.
                if (kind == "carriage-return" && entry is "create-description" or "update-notes" or "comment" or "mail-body") continue;
                data.Add(kind, entry);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Typed_control_characters_are_refused_and_nothing_changes(string kind, string entry)
    {
        var ws = shared.Ws;
        var text = HostileCorpus.Escapes.Single(e => e.Kind == kind).Text;
        string[] args = entry switch
        {
            "create-title" => ["item", "create", text],
            "create-description" => ["item", "create", "ok", "-d", text.Replace("\n", "")],
            "update-title" => ["item", "update", shared.Item, "--title", text],
            "update-notes" => ["item", "update", shared.Item, "--notes", text],
            "comment" => ["item", "comment", shared.Item, text],
            "label" => ["item", "label", "add", shared.Item, text.Replace(" ", "-")],
            "mail-body" => ["mail", "send", "mayor", "subject", "--body", text],
            "mail-subject" => ["mail", "send", "mayor", text, "--body", "b"],
            "assignee" => ["item", "update", shared.Item, "--assignee", text],
            _ => throw new ArgumentException(entry),
        };
        var before = ws.LedgerBytes();
        var commits = ws.CommitCount();
        var mail = Directory.GetFiles(Path.Combine(ws.Root, "mail"), "*.json", SearchOption.AllDirectories).Length;
        var r = ws.Orc(args);
        Assert.True(r.ExitCode != 0, $"{kind} via {entry} was accepted: {r}");
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
        Assert.Contains("control character", r.Err);
        HostileCorpus.AssertSafe(r.Err, "the error");
        Assert.Equal(before, ws.LedgerBytes());
        Assert.Equal(commits, ws.CommitCount());
        Assert.Equal(mail, Directory.GetFiles(Path.Combine(ws.Root, "mail"), "*.json", SearchOption.AllDirectories).Length);
    }

    public static TheoryData<string> Kinds()
    {
        var data = new TheoryData<string>();
        foreach (var (kind, _) in HostileCorpus.Escapes) data.Add(kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Imported_escape_sequences_are_stored_exactly_and_shown_escaped(string kind)
    {
        var ws = data.Ws;
        var text = HostileCorpus.Escapes.Single(e => e.Kind == kind).Text;
        var id = "hq-" + kind.Replace("-", "");
        var dep = "hq-dep" + kind.Replace("-", "");
        var file = Path.Combine(ws.Root, "in-" + kind + ".jsonl");
        File.WriteAllText(file, HostileCorpus.ItemLine(id, text, description: "desc " + text, labels: ["l" + text], comment: "says " + text,
            assignee: "who" + text) + "\n"
            + HostileCorpus.ItemLine(dep, "blocked by it " + text).Replace("\"updated_at\"",
                $"\"dependencies\":[{{\"issue_id\":\"{dep}\",\"depends_on_id\":\"{id}\",\"type\":\"blocks\"}}],\"updated_at\"") + "\n");
        var imported = ws.Orc("import", file);
        Assert.True(imported.ExitCode == 0, imported.ToString());

        foreach (var args in new[] { new[] { "item", "show", id }, ["item", "show", dep], ["item", "list", "--all"], ["ready"], ["blocked"], ["stats"],
            ["history", id], ["item", "dep", "tree", dep] })
        {
            var r = ws.Orc(args);
            Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
            HostileCorpus.AssertSafe(r.Out, string.Join(' ', args));
            HostileCorpus.AssertSafe(r.Err, string.Join(' ', args) + " (stderr)");
        }
        // Stored exactly: --json gives the very text back (JSON-escaped on the wire).
        var json = JsonDocument.Parse(ws.Orc("item", "show", id, "--json").Out).RootElement[0];
        Assert.Equal(text, json.GetProperty("title").GetString());
        Assert.Equal("desc " + text, json.GetProperty("description").GetString());
        Assert.Equal("says " + text, json.GetProperty("comments")[0].GetProperty("text").GetString());
        Assert.Equal("l" + text, json.GetProperty("labels")[0].GetString());
        Assert.Equal("who" + text, json.GetProperty("assignee").GetString());
        Assert.DoesNotContain('\u001b', ws.Orc("item", "show", id, "--json").Out);
        // And a change to the item keeps it.
        Assert.Equal(0, ws.Orc("item", "comment", id, "a plain comment").ExitCode);
        Assert.Equal(text, JsonDocument.Parse(ws.Orc("item", "show", id, "--json").Out).RootElement[0].GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_mail_file_with_escape_sequences_is_read_escaped(string kind)
    {
        var ws = data.Ws;
        var text = HostileCorpus.Escapes.Single(e => e.Kind == kind).Text;
        var sent = JsonDocument.Parse(ws.Orc("mail", "send", "mayor", "plain subject", "--body", "plain body", "--json").Out).RootElement[0];
        var id = sent.GetProperty("id").GetString()!;
        // Someone (an agent with a shell, a bad merge) writes hostile text straight into the file.
        var path = Directory.GetFiles(Path.Combine(ws.Root, "mail"), id + ".json", SearchOption.AllDirectories).Single();
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        node["body"] = "body " + text;
        node["subject"] = "subject " + text;
        File.WriteAllText(path, node.ToJsonString());
        foreach (var args in new[] { new[] { "mail", "inbox", "--as", "mayor" }, ["mail", "read", id, "--as", "mayor"] })
        {
            var r = ws.Orc(args);
            Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
            HostileCorpus.AssertSafe(r.Out, string.Join(' ', args));
        }
        var raw = ws.Orc("mail", "read", id, "--as", "mayor", "--json");
        Assert.True(raw.ExitCode == 0, raw.ToString());
        Assert.Contains("body " + text, Strings(JsonDocument.Parse(raw.Out).RootElement));
    }

    private static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => [e.GetString()!],
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };

    [Fact]
    public void Shell_syntax_in_every_text_field_is_stored_as_data_and_never_run()
    {
        using var ws = new TempWorkspace();
        var marker = Path.Combine(ws.Root, "pwned");
        foreach (var text in HostileCorpus.ShellSyntax(marker))
        {
            var id = ws.Create(text, "-d", text, "--notes", text);
            Assert.Equal(0, ws.Orc("item", "comment", id, text).ExitCode);
            Assert.Equal(0, ws.Orc("mail", "send", "mayor", text, "--body", text, "--item", id).ExitCode);
            Assert.Contains(text, ws.Orc("item", "show", id).Out);
            Assert.Equal(text, JsonDocument.Parse(ws.Orc("item", "show", id, "--json").Out).RootElement[0].GetProperty("title").GetString());
        }
        Assert.Equal(0, ws.Orc("item", "list").ExitCode);
        Assert.Equal(0, ws.Orc("mail", "inbox", "--as", "mayor").ExitCode);
        Assert.False(File.Exists(marker), "a title was run by a shell");
    }

    [Fact]
    public void A_megabyte_title_or_ten_thousand_labels_in_the_ledger_load_and_show_without_harm()
    {
        // Over the limits, so never imported (ImportLimitTests) nor typed in: put there by a hand edit or a merge.
        using var ws = new TempWorkspace();
        var title = new string('t', 1024 * 1024);
        var labels = Enumerable.Range(0, 10_000).Select(i => "l" + i).ToArray();
        File.WriteAllText(ws.LedgerPath, HostileCorpus.ItemLine("hq-big", title) + "\n" + HostileCorpus.ItemLine("hq-labels", "many", labels: labels) + "\n");
        var list = ws.Orc("item", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.All(list.Out.Split('\n'), l => Assert.True(l.Length < 400, "a list line is clipped"));
        Assert.Equal(title, JsonDocument.Parse(ws.Orc("item", "show", "hq-big", "--json").Out).RootElement[0].GetProperty("title").GetString());
        Assert.Equal(10_000, JsonDocument.Parse(ws.Orc("item", "show", "hq-labels", "--json").Out).RootElement[0].GetProperty("labels").GetArrayLength());
        // Typed in, both are refused (BadInputTests covers the messages).
        Assert.NotEqual(0, ws.Orc("item", "update", "hq-big", "--title", title + "x").ExitCode);
    }
}
