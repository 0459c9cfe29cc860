using System.Diagnostics;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// Pull-request mode (<c>land: pr</c>) against real git: the rig is cloned from a bare repository
/// (its origin), the forge's CLI is a stand-in script named <c>gh</c> (or <c>glab</c>) on the
/// workspace's PATH (never the process's: tests run in parallel) that records its argv and answers
/// from files the test writes.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PullRequestTests : IDisposable
{
    private const string GitHubUrl = "https://github.com/acme/app/pull/17";

    private readonly FleetFixture _fleet = new(rig: null, readme: "line one\nline two\n");
    private readonly TempWorkspace _ws;
    private readonly string _origin;
    private readonly string _bin;
    private readonly string _empty;
    private readonly string _path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
    private int _agents;

    public PullRequestTests()
    {
        _ws = _fleet.Ws;
        _origin = _ws.Root + "-origin.git";
        _bin = _ws.Root + "-bin";
        _empty = _ws.Root + "-nobin";
        Directory.CreateDirectory(_bin);
        Directory.CreateDirectory(_empty);
        Git("clone", "--quiet", "--bare", _fleet.Source, _origin);
        Stub("gh");
        File.WriteAllText(Path.Combine(_bin, "create.out"), GitHubUrl + "\n");
        _ws.Env["PATH"] = _bin + ":" + _path;
        Ok("rig", "add", "app", _origin);
    }

    public void Dispose()
    {
        _fleet.Dispose();
        foreach (var dir in new[] { _origin, _bin, _empty }) RigFixture.DeleteSource(dir);
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string RigDir => Path.Combine(_ws.Root, "rigs", "app");

    /// <summary>
    /// One refinery pass as a child process (the published binary when the suite runs against it),
    /// with the workspace's environment: the stand-in CLIs first on PATH.
    /// </summary>
    private CliResult Refinery()
    {
        var r = _fleet.Process(["refinery", "run", "app", "--once"]);
        Assert.True(r.ExitCode == 0, "refinery run: " + r);
        return r;
    }

    private string RigFile => File.ReadAllText(Path.Combine(_ws.Root, ".orc", "rigs", "app.yaml"));

    /// <summary>A stand-in for the forge's CLI: argv (program first, NUL-separated) to calls/N, answers from create.out and state.json.</summary>
    private void Stub(string name)
    {
        var file = Path.Combine(_bin, name);
        File.WriteAllText(file, $$"""
            #!/bin/sh
            dir='{{_bin}}'
            mkdir -p "$dir/calls"
            i=0
            while [ -e "$dir/calls/$i" ]; do i=$((i+1)); done
            { printf '%s\0' '{{name}}'; for a in "$@"; do printf '%s\0' "$a"; done; } > "$dir/calls/$i"
            case "$1 $2" in
              "pr create"|"mr create")
                cat "$dir/create.out"
                # With a crash file: the forge has opened it, and the refinery is killed before it records it.
                if [ -f "$dir/crash" ]; then
                  rm -f "$dir/crash"
                  pid=$$
                  while [ "$pid" -gt 1 ]; do
                    pid=$(awk '{print $4}' /proc/$pid/stat)
                    if tr '\0' ' ' < /proc/$pid/cmdline | grep -q 'refinery run'; then kill -9 "$pid"; break; fi
                  done
                fi ;;
              "pr view"|"mr view")
                if [ -f "$dir/state.json" ]; then cat "$dir/state.json"; else echo "no pull requests found" >&2; exit 1; fi ;;
              *) echo "unexpected call: $*" >&2; exit 2 ;;
            esac
            """.Replace("\r", ""));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Every call the stand-ins got, in order: the program, then its arguments.</summary>
    private List<string[]> Calls()
    {
        var dir = Path.Combine(_bin, "calls");
        if (!Directory.Exists(dir)) return [];
        return Directory.GetFiles(dir).OrderBy(f => int.Parse(Path.GetFileName(f), System.Globalization.CultureInfo.InvariantCulture))
            .Select(f => File.ReadAllText(f).Split('\0')[..^1]).ToList();
    }

    private void State(string json) => File.WriteAllText(Path.Combine(_bin, "state.json"), json);

    /// <summary>Runs git (the real CLI) and returns its output; fails the test on a non-zero exit.</summary>
    private static string Git(params string[] args)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output.Trim();
    }

    private string? OriginBranch(string branch)
    {
        var refs = Git("--git-dir", _origin, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/");
        return refs.Split('\n').Select(l => l.Split(' ')).FirstOrDefault(p => p[0] == "refs/heads/" + branch)?[1];
    }

    private string Submit(string title, Dictionary<string, string> files) =>
        RigFixture.Submit(_ws, "app", "w" + (++_agents), title, files, "master");

    private JsonElement Item(string id) => JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0];

    private JsonElement Mq(string id) => JsonDocument.Parse(Ok("mq", "show", id, "--json").Out).RootElement;

    private string Main()
    {
        using var repo = new Repository(RigDir);
        return repo.Branches["master"].Tip.Sha;
    }

    private List<JsonElement> OverseerMail() => JsonDocument.Parse(Ok("mail", "inbox",
        "--json").Out).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();

    [Fact]
    public void A_green_submission_becomes_a_pushed_branch_and_a_pull_request_and_its_merge_closes_the_item()
    {
        Ok("rig", "set", "app", "land", "pr");
        var main = Main();
        var id = Submit("Add a", new() { ["a.txt"] = "alpha\n" });
        var run = Refinery().Out;
        Assert.Contains($"{id}: pr as ", run);
        Assert.Contains(GitHubUrl, run);
        Assert.Equal(main, Main()); // the forge moves main, not the refinery

        var mq = Mq(id);
        Assert.Equal("pr", mq.GetProperty("state").GetString());
        Assert.Equal(GitHubUrl, mq.GetProperty("pull_request").GetString());
        Assert.Equal($"orc/{id}-1", mq.GetProperty("pull_request_branch").GetString());
        var candidate = mq.GetProperty("candidate").GetString()!;
        Assert.Equal(candidate, OriginBranch($"orc/{id}-1")); // pushed, as git sees the bare origin
        Assert.Equal(main, Git("--git-dir", _origin, "rev-parse", "refs/heads/orc/" + id + "-1^"));
        Assert.Equal(main, OriginBranch("master"));

        var create = Assert.Single(Calls());
        Assert.Equal(["gh", "pr", "create", "--base", "master", "--head", $"orc/{id}-1", "--title", $"{id}: Add a", "--body"], create[..^1]);
        Assert.Contains($"{id}, by w1", create[^1]);

        var item = Item(id);
        Assert.Equal("in_progress", item.GetProperty("status").GetString());
        Assert.Equal(GitHubUrl, item.GetProperty("external_ref").GetString());
        Assert.Contains(item.GetProperty("comments").EnumerateArray(), c => c.GetProperty("text").GetString()!.Contains(GitHubUrl, StringComparison.Ordinal));
        Assert.Equal($"{id}: pull request opened", Assert.Single(OverseerMail()).GetProperty("subject").GetString());
        Assert.Contains("pull-request", Ok("feed", "--json").Out);
        Assert.Matches($@"{id}\s+app\s+pr\s+.*{GitHubUrl.Replace(".", "\\.")}", Ok("mq", "list").Out);
        Assert.Contains($"pull request: {GitHubUrl} (branch orc/{id}-1 of origin)", Ok("mq", "show", id).Out);

        // The forge cannot answer: nothing changes, the submission stays.
        Refinery();
        Assert.Equal("pr", Mq(id).GetProperty("state").GetString());
        Assert.Contains("no pull requests found", Ok("feed").Out);

        // Still open: nothing changes.
        State("""{"state":"OPEN","mergeCommit":null}""");
        Refinery();
        Assert.Equal("pr", Mq(id).GetProperty("state").GetString());
        Assert.Equal(["gh", "pr", "view", GitHubUrl, "--json", "state,mergeCommit"], Calls()[^1]);

        // Merged on the forge (a fast-forward of origin's master to the candidate).
        Git("--git-dir", _origin, "update-ref", "refs/heads/master", candidate);
        State("""{"state":"MERGED","mergeCommit":{"oid":"CANDIDATE"}}""".Replace("CANDIDATE", candidate, StringComparison.Ordinal));
        Assert.Contains($"{id}: merged as {candidate[..12]}", Refinery().Out);
        mq = Mq(id);
        Assert.Equal("merged", mq.GetProperty("state").GetString());
        Assert.Equal(candidate, mq.GetProperty("landed").GetString());
        Assert.Equal(GitHubUrl, mq.GetProperty("pull_request").GetString());
        Assert.Equal("closed", Item(id).GetProperty("status").GetString());
        Assert.Equal(candidate, Main()); // the rig's main follows origin's
        var hooks = new RecordStore<Hook>(Path.Combine(_ws.Root, "agents"), OrcJsonContext.Default.Hook);
        Assert.Equal(HookStates.Completed, hooks.Find("w1")!.State);
        var calls = Calls().Count;
        Refinery();
        Assert.Equal(calls, Calls().Count); // nothing left to ask about
    }

    [Fact]
    public void A_pull_request_closed_unmerged_returns_the_work_to_its_worker_with_the_reason()
    {
        Ok("rig", "set", "app", "land", "pr");
        var id = Submit("Add b", new() { ["b.txt"] = "b\n" });
        Refinery();
        State("""{"state":"CLOSED","mergeCommit":null}""");
        Assert.Contains($"{id}: rejected", Refinery().Out);
        var mq = Mq(id);
        Assert.Equal("rejected", mq.GetProperty("state").GetString());
        Assert.Equal($"its pull request was closed without merging ({GitHubUrl})", mq.GetProperty("reason").GetString());
        var item = Item(id);
        Assert.Equal("hooked", item.GetProperty("status").GetString());
        Assert.Equal("w1", item.GetProperty("assignee").GetString());
        var hooks = new RecordStore<Hook>(Path.Combine(_ws.Root, "agents"), OrcJsonContext.Default.Hook);
        Assert.Equal(HookStates.Active, hooks.Find("w1")!.State);
        Assert.Contains("\"tag\":\"pr\"", Ok("feed", "--json").Out.Replace(" ", ""));
    }

    [Fact]
    public void Without_gh_or_glab_on_PATH_or_without_origin_land_pr_is_refused_in_one_line_and_nothing_changes()
    {
        var before = RigFile;
        var r = _ws.Run(["rig", "set", "app", "land", "pr"], new() { ["PATH"] = _empty }, null);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        var line = Assert.Single(r.Err.Trim().Split('\n'));
        Assert.StartsWith("orc: error: VALUE: land pr opens pull requests with gh or glab, but neither gh (GitHub) nor glab (GitLab) is on PATH", line);
        Assert.Equal(before, RigFile);

        var add = _ws.Run(["rig", "add", "web", _origin, "--land", "pr"], new() { ["PATH"] = _empty }, null);
        Assert.Equal(ExitCodes.Usage, add.ExitCode);
        Assert.StartsWith("orc: error: --land: land pr opens pull requests with gh or glab", Assert.Single(add.Err.Trim().Split('\n')));
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "rigs", "web")));
        Assert.False(File.Exists(Path.Combine(_ws.Root, ".orc", "rigs", "web.yaml")));

        // gh is there but the rig has no origin.
        Git("-C", RigDir, "remote", "remove", "origin");
        var noOrigin = _ws.Orc("rig", "set", "app", "land", "pr");
        Assert.Equal(ExitCodes.Usage, noOrigin.ExitCode);
        Assert.Equal("orc: error: VALUE: land pr pushes to the rig's remote 'origin', and rigs/app has none (add one with 'git -C rigs/app remote add origin URL')", noOrigin.Err.Trim());
        Assert.Equal(before, RigFile);

        // With both, it is accepted.
        Ok("rig", "add", "web", _origin, "--land", "pr");
        Assert.Equal("pr", JsonDocument.Parse(Ok("rig", "show", "web", "--json").Out).RootElement.GetProperty("land").GetString());
    }

    [Fact]
    public void A_missing_CLI_at_refinery_time_stops_the_queue_with_a_report_and_loses_nothing()
    {
        Ok("rig", "set", "app", "land", "pr");
        var main = Main();
        var id = Submit("Add c", new() { ["c.txt"] = "c\n" });
        _ws.Env["PATH"] = _empty; // gh was uninstalled
        var run = Ok("refinery", "run", "app", "--once").Out;
        Assert.Contains($"{id}: waiting (land: pr, but neither gh (GitHub) nor glab (GitLab) is on PATH", run);
        Assert.Equal("queued", Mq(id).GetProperty("state").GetString());
        Assert.Equal(main, Main()); // never landed by itself
        Assert.Null(OriginBranch($"orc/{id}-1"));
        Assert.Contains("the merge queue is stopped until it is fixed", Ok("feed").Out);
        Assert.Equal("app: pull requests cannot be opened", Assert.Single(OverseerMail()).GetProperty("subject").GetString());

        _ws.Env["PATH"] = _bin + ":" + _path;
        Assert.Contains($"{id}: pr as ", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal(GitHubUrl, Mq(id).GetProperty("pull_request").GetString());
    }

    [Fact]
    public void A_hostile_title_reaches_the_CLI_as_one_argument_unrun_and_hostile_output_is_not_kept()
    {
        Ok("rig", "set", "app", "land", "pr");
        var marker = Path.Combine(_empty, "pwned");
        var title = $"Fix $(touch {marker}1) `touch {marker}2`; touch {marker}3 | cat && echo \"it's\" * $HOME --help";
        var id = Submit(title, new() { ["d.txt"] = "d\n" });
        // A forge whose output carries escape sequences around the URL.
        File.WriteAllText(Path.Combine(_bin, "create.out"), $"\u001b[2J\u001b]0;owned\u0007{GitHubUrl}\u001b[31m\n");
        Refinery();
        var create = Assert.Single(Calls());
        Assert.Equal($"{id}: {title}", create[Array.IndexOf(create, "--title") + 1]);
        Assert.Equal(11, create.Length); // gh pr create --base B --head H --title T --body B: nothing split, nothing added
        for (var i = 1; i <= 3; i++) Assert.False(File.Exists(marker + i), "the title was run by a shell");
        Assert.Equal(GitHubUrl, Mq(id).GetProperty("pull_request").GetString());
        var shown = Ok("mq", "show", id).Out + Ok("mq", "list").Out;
        Assert.DoesNotContain('\u001b', shown);
        Assert.DoesNotContain('\u0007', shown);
    }

    [Fact]
    public void On_a_GitLab_origin_glab_opens_a_merge_request_and_its_merge_is_read_back()
    {
        // origin reads as a GitLab URL; git itself is sent to the bare repository.
        const string url = "https://gitlab.example.com/acme/app.git";
        Git("-C", RigDir, "remote", "set-url", "origin", url);
        Git("-C", RigDir, "config", $"url.{_origin}.insteadOf", url);
        Stub("glab");
        const string mr = "https://gitlab.example.com/acme/app/-/merge_requests/7";
        File.WriteAllText(Path.Combine(_bin, "create.out"), $"\nCreating merge request for orc/x into master in acme/app\n\n!7 x (orc/x)\n {mr}\n\n");
        Ok("rig", "set", "app", "land", "pr");
        var id = Submit("Add e", new() { ["e.txt"] = "e\n" });
        Refinery();
        var create = Assert.Single(Calls());
        Assert.Equal(["glab", "mr", "create", "--source-branch", $"orc/{id}-1", "--target-branch", "master", "--title", $"{id}: Add e", "--description"],
            create[..^2]);
        Assert.Equal("--yes", create[^1]);
        var mq = Mq(id);
        Assert.Equal(mr, mq.GetProperty("pull_request").GetString());
        Assert.Equal(mq.GetProperty("candidate").GetString(), OriginBranch($"orc/{id}-1"));

        State("""{"iid":7,"state":"merged","merge_commit_sha":null,"squash_commit_sha":null}""");
        Assert.Contains($"{id}: merged", Refinery().Out);
        Assert.Equal(["glab", "mr", "view", "7", "--repo", "https://gitlab.example.com/acme/app", "--output", "json"], Calls()[^1]);
        Assert.Equal("closed", Item(id).GetProperty("status").GetString());
        Assert.Equal(mq.GetProperty("candidate").GetString(), Mq(id).GetProperty("landed").GetString()); // no merge commit named: the candidate
    }

    [Fact]
    public void A_refinery_killed_after_opening_a_pull_request_records_it_and_never_opens_a_second()
    {
        Ok("rig", "set", "app", "land", "pr");
        var id = Submit("Add d", new() { ["d.txt"] = "d\n" });
        File.WriteAllText(Path.Combine(_bin, "crash"), "");
        var killed = _fleet.Process(["refinery", "run", "app", "--once"]);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Equal("merging", Mq(id).GetProperty("state").GetString());
        Assert.NotNull(OriginBranch($"orc/{id}-1")); // pushed, and the forge has its pull request
        State($$"""{"url":"{{GitHubUrl}}","state":"OPEN","mergeCommit":null}""");

        var run = Refinery().Out;
        Assert.Contains($"{id}: pr as ", run);
        var mq = Mq(id);
        Assert.Equal("pr", mq.GetProperty("state").GetString());
        Assert.Equal(GitHubUrl, mq.GetProperty("pull_request").GetString());
        Assert.Single(Calls(), c => c.Length > 2 && c[1] == "pr" && c[2] == "create"); // never a second one
        Assert.Contains(Calls(), c => c.Length > 3 && c[1] == "pr" && c[2] == "view" && c[3] == $"orc/{id}-1");
        Assert.Contains("none opened again", Ok("feed").Out);
    }
}
