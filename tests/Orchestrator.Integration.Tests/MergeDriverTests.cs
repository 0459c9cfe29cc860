using System.Text.Json.Nodes;
using Orchestrator.Integration.Tests.Support;

namespace Orchestrator.Integration.Tests;

public class MergeDriverTests
{
    private static CliResult Git(string cwd, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GIT_AUTHOR_NAME"] = psi.Environment["GIT_COMMITTER_NAME"] = "test";
        psi.Environment["GIT_AUTHOR_EMAIL"] = psi.Environment["GIT_COMMITTER_EMAIL"] = "test@example.com";
        using var p = System.Diagnostics.Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new CliResult(p.ExitCode, o.Result, e.Result);
    }

    [Fact]
    public void Two_branches_that_edited_the_ledger_merge_by_item_without_conflict_markers()
    {
        using var ws = new TempWorkspace();
        var shared = ws.Create("Shared item", "-l", "base");
        var doomed = ws.Create("Label goes on one side", "-l", "old");
        var main = Git(ws.Root, "rev-parse", "--abbrev-ref", "HEAD").Out.Trim();
        Assert.Equal(0, Git(ws.Root, "checkout", "-q", "-b", "feature").ExitCode);
        Assert.Equal(0, ws.Orc("item", "update", shared, "--title", "Renamed on feature").ExitCode);
        Assert.Equal(0, ws.Orc("item", "label", "add", shared, "feature-label").ExitCode);
        Assert.Equal(0, ws.Orc("item", "label", "remove", doomed, "old").ExitCode);
        var featureOnly = ws.Create("Made on feature");
        Assert.Equal(0, Git(ws.Root, "checkout", "-q", main).ExitCode);
        Assert.Equal(0, ws.Orc("item", "update", shared, "--priority", "0").ExitCode);
        Assert.Equal(0, ws.Orc("item", "label", "add", shared, "main-label").ExitCode);
        Assert.Equal(0, ws.Orc("item", "comment", shared, "from main").ExitCode);
        var mainOnly = ws.Create("Made on main");

        var merge = Git(ws.Root, "merge", "--no-edit", "feature");
        Assert.True(merge.ExitCode == 0, merge.ToString());
        var text = ws.LedgerText();
        Assert.DoesNotContain("<<<<<<<", text);
        Assert.DoesNotContain(">>>>>>>", text);
        var items = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        var ids = items.Select(i => i["id"]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Order(Orchestrator.Core.Ledger.IdComparer.Instance), ids);
        Assert.Contains(featureOnly, ids);
        Assert.Contains(mainOnly, ids);
        var s = items.Single(i => i["id"]!.GetValue<string>() == shared);
        Assert.Equal("Renamed on feature", s["title"]!.GetValue<string>());
        Assert.Equal(0, s["priority"]!.GetValue<int>());
        Assert.Equal(["base", "main-label", "feature-label"], s["labels"]!.AsArray().Select(l => l!.GetValue<string>()).Order().ToArray().OrderBy(x => x == "base" ? 0 : x == "main-label" ? 1 : 2));
        Assert.Single(s["comments"]!.AsArray());
        var d = items.Single(i => i["id"]!.GetValue<string>() == doomed);
        Assert.Null(d["labels"]);
        Assert.Equal(0, ws.Orc("item", "list").ExitCode);
    }

    [Fact]
    public void A_fresh_clone_gets_the_merge_driver_from_its_first_write_and_a_close_and_an_edit_both_survive_a_pull()
    {
        using var ws = new TempWorkspace();
        var item = ws.Create("Closed here, retitled there");
        // A teammate's clone: git does not clone .git/config, so it has no merge driver.
        var clone = ws.Root + "-clone";
        try
        {
            Assert.Equal(0, Git(Path.GetDirectoryName(ws.Root)!, "clone", "-q", ws.Root, clone).ExitCode);
            Assert.DoesNotContain("orc-ledger", File.ReadAllText(Path.Combine(clone, ".git", "config")));
            // Its first orc write registers it.
            var retitle = ws.Run(["item", "update", item, "--title", "Retitled in the clone"], null, null, cwd: clone);
            Assert.True(retitle.ExitCode == 0, retitle.ToString());
            Assert.Contains("[merge \"orc-ledger\"]", File.ReadAllText(Path.Combine(clone, ".git", "config")));
            // Meanwhile the item is closed in the original; the clone pulls.
            Assert.Equal(0, ws.Orc("item", "close", item, "--reason", "done here").ExitCode);
            var pull = Git(clone, "pull", "-q", "--no-rebase", "--no-edit", "origin", Git(ws.Root, "rev-parse", "--abbrev-ref", "HEAD").Out.Trim());
            Assert.True(pull.ExitCode == 0, pull.ToString());
            var text = File.ReadAllText(Path.Combine(clone, "ledger", "issues.jsonl"));
            Assert.DoesNotContain("<<<<<<<", text);
            var merged = JsonNode.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.Contains(item, StringComparison.Ordinal)))!;
            Assert.Equal("closed", merged["status"]!.GetValue<string>());
            Assert.Equal("Retitled in the clone", merged["title"]!.GetValue<string>());
        }
        finally
        {
            if (Directory.Exists(clone)) Directory.Delete(clone, recursive: true);
        }
    }
}
