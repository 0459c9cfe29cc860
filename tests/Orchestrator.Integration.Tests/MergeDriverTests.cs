using System.Text.Json.Nodes;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
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
        Assert.Equal(["base", "main-label", "feature-label"],
            s["labels"]!.AsArray().Select(l => l!.GetValue<string>()).Order().ToArray().OrderBy(x => x == "base" ? 0 : x == "main-label" ? 1 : 2));
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
    /// <summary>
    /// A clone that merged before it had the driver (its .git/config lost it): git leaves conflict
    /// markers in the ledger. orc merges the blocks by item id against git's merge base, so a close
    /// made on one side survives a later edit on the other (without the base, the later edit won
    /// every field it had, the status with it), and orc's next write completes the merge.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Conflict_markers_a_merge_without_the_driver_left_are_merged_against_their_base(bool committedByHand)
    {
        using var ws = new TempWorkspace();
        var item = ws.Create("Closed here, retitled there");
        var other = ws.Create("Untouched");
        var branch = Git(ws.Root, "rev-parse", "--abbrev-ref", "HEAD").Out.Trim();
        var clone = ws.Root + "-clone";
        try
        {
            Assert.Equal(0, Git(Path.GetDirectoryName(ws.Root)!, "clone", "-q", ws.Root, clone).ExitCode);
            // The close comes first, the edit later: a merge without the base lets the later side win the status.
            Assert.Equal(0, ws.Orc("item", "close", item, "--reason", "done here").ExitCode);
            Thread.Sleep(1100);
            var retitle = ws.Run(["item", "update", item, "--title", "Retitled in the clone"], null, null, cwd: clone);
            Assert.True(retitle.ExitCode == 0, retitle.ToString());
            Assert.Equal(0, Git(clone, "config", "--remove-section", "merge.orc-ledger").ExitCode);
            var pull = Git(clone, "pull", "-q", "--no-rebase", "--no-edit", "origin", branch);
            Assert.NotEqual(0, pull.ExitCode);
            var ledger = Path.Combine(clone, "ledger", "issues.jsonl");
            Assert.Contains("<<<<<<<", File.ReadAllText(ledger));
            if (committedByHand)
            {
                Assert.Equal(0, Git(clone, "commit", "-q", "-a", "--no-edit").ExitCode);
                Assert.Equal(2, Git(clone, "rev-list", "--parents", "-n1", "HEAD").Out.Trim().Split(' ').Length - 1);
            }

            // A read shows the merged item: closed (one side), retitled (the other), and no bad lines.
            var show = ws.Run(["item", "show", item, "--json"], null, null, cwd: clone);
            Assert.True(show.ExitCode == 0, show.ToString());
            Assert.Equal("", show.Err);
            var shown = JsonNode.Parse(show.Out)!.AsArray()[0]!;
            Assert.Equal(("closed", "Retitled in the clone"), (shown["status"]!.GetValue<string>(), shown["title"]!.GetValue<string>()));

            // The next write stores it, completes the merge (both parents) and leaves nothing uncommitted.
            var write = ws.Run(["item", "create", "after the merge"], null, null, cwd: clone);
            Assert.True(write.ExitCode == 0, write.ToString());
            var text = File.ReadAllText(ledger);
            Assert.DoesNotContain("<<<<<<<", text);
            Assert.DoesNotContain("=======", text);
            Assert.False(File.Exists(Path.Combine(clone, "ledger", "issues.quarantine")) && File.ReadAllText(Path.Combine(clone, "ledger",
                "issues.quarantine")).Contains("<<<<<<<"),
                "marker lines are not bad lines to quarantine");
            var merged = JsonNode.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.Contains(item, StringComparison.Ordinal)))!;
            Assert.Equal(("closed", "Retitled in the clone"), (merged["status"]!.GetValue<string>(), merged["title"]!.GetValue<string>()));
            Assert.Contains(other, text);
            foreach (var file in Directory.EnumerateFiles(clone, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.git/", StringComparison.Ordinal)))
                Assert.False(File.ReadAllText(file).Contains("<<<<<<<", StringComparison.Ordinal), $"{file} keeps conflict markers");
            Assert.Equal("", Git(clone, "status", "--porcelain").Out);
            Assert.False(File.Exists(Path.Combine(clone, ".git", "MERGE_HEAD")), "the merge is complete");
            var log = Git(clone, "log", "--format=%P%n%B", "-n", committedByHand ? "2" : "1").Out;
            Assert.Contains("conflict block(s)", log);
            Assert.Contains("against their merge base", log);
            Assert.Contains(" ", Git(clone, "log", "--format=%P", "--merges", "-n1").Out.Trim()); // a merge commit has both parents
            // The original pulls the clone's merge without any conflict.
            var back = Git(ws.Root, "pull", "-q", "--no-rebase", "--no-edit", clone, branch);
            Assert.True(back.ExitCode == 0, back.ToString());
            Assert.DoesNotContain("<<<<<<<", ws.LedgerText());
        }
        finally
        {
            if (Directory.Exists(clone)) Directory.Delete(clone, recursive: true);
        }
    }
}
