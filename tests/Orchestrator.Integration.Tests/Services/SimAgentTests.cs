using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// The sim agent's rehearsal behaviours that need the witness and the refinery: a crash on the
/// first run only, and rework of a submission returned for a conflict. Real git, a private tmux
/// server per test, sim agents as real child processes.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class SimAgentTests : IDisposable
{
    private readonly FleetFixture _fleet = new(grace: 0);
    private readonly TempWorkspace _ws;

    public SimAgentTests()
    {
        _ws = _fleet.Ws;
    }

    public void Dispose()
    {
        _fleet.Dispose();
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string Item(string title, params string[] extra) => _ws.Create(title, ["--prefix", "app", .. extra]);

    private string Sling(string item) => JsonDocument.Parse(Ok("sling", item, "--json").Out).RootElement.GetProperty("agent").GetString()!;

    private JsonElement Agent(string name) =>
        JsonDocument.Parse(Ok("agents", "--json").Out).RootElement.EnumerateArray().Single(a => a.GetProperty("agent").GetString() == name);

    private string State(string agent) => Agent(agent).GetProperty("state").GetString()!;

    private string MqState(string item) => JsonDocument.Parse(Ok("mq", "show", item, "--json").Out).RootElement.GetProperty("state").GetString()!;

    [Fact]
    public void A_crash_once_agent_crashes_on_its_first_run_only_and_then_submits()
    {
        var item = Item("Crashes once", "-l", "sim:crash-once");
        var agent = Sling(item);
        RigFixture.Eventually(() => State(agent) == "dead", () => $"{agent} did not crash: {State(agent)}");
        Assert.Contains("crashing on purpose (only this once)", Ok("peek", agent).Out);
        Assert.Contains($"{agent}: dead, restarted", Ok("witness", "run", "app", "--once").Out);
        RigFixture.Eventually(() => State(agent) == "done", () => $"{agent} did not finish after its restart: {State(agent)}\n{Ok("peek", agent).Out}");
        Assert.Equal(1, Agent(agent).GetProperty("restarts").GetInt32());
        Assert.Equal("queued", MqState(item));
        Assert.DoesNotContain(agent, Ok("witness", "run", "app", "--once").Out);
    }

    [Fact]
    public void A_sim_touch_label_naming_git_or_leaving_the_worktree_meets_the_path_rule_and_the_work_still_lands()
    {
        // Labels are data: nothing checks a sim:touch= path when the label is added, so the agent does.
        var item = Item("Touches .git", "-l", "sim:touch=.git", "-l", "sim:touch=.git/hooks/post-commit", "-l", "sim:touch=../outside.txt");
        var agent = Sling(item);
        RigFixture.Eventually(() => State(agent) == "done", () => $"{agent} did not finish: {State(agent)}\n{Ok("peek", agent, "-n", "50").Out}");

        var screen = Ok("peek", agent, "-n", "50").Out;
        Assert.Contains("sim: not writing: sim:touch: '.git' is inside .git", screen);
        Assert.Contains("sim: not writing: sim:touch: '.git/hooks/post-commit' is inside", screen);
        Assert.Contains("sim: not writing: sim:touch: '../outside.txt' leaves", screen);
        var worktree = Agent(agent).GetProperty("worktree").GetString()!;
        Assert.StartsWith("gitdir: ", File.ReadAllText(Path.Combine(worktree, ".git"))); // still a worktree
        Assert.False(File.Exists(Path.Combine(worktree, "..", "outside.txt")));
        Assert.True(File.Exists(Path.Combine(worktree, "notes", item + ".md")), "it wrote its notes instead");
        Assert.Equal(0, Agent(agent).GetProperty("restarts").GetInt32());
        Assert.Equal("queued", MqState(item));
    }

    [Fact]
    public void A_sim_agent_given_back_its_work_for_a_conflict_merges_main_and_submits_again()
    {
        // Neither item declares README.md: nothing serialises them, and the second to land conflicts.
        var first = Item("First", "-l", "sim:touch=README.md", "-p", "1");
        var second = Item("Second", "-l", "sim:touch=README.md", "-p", "3");
        var a = Sling(first);
        var b = Sling(second);
        RigFixture.Eventually(() => State(a) == "done" && State(b) == "done", () => $"{a}: {State(a)}, {b}: {State(b)}");

        var pass = Ok("refinery", "run", "app", "--once").Out;
        Assert.Contains($"{first}: merged", pass);
        Assert.Contains($"{second}: rejected (conflicts with", pass);
        Assert.Equal("active", Agent(b).GetProperty("hook_state").GetString());

        Assert.Contains($"{b}: dead, restarted", Ok("witness", "run", "app", "--once").Out);
        RigFixture.Eventually(() => State(b) == "done" && MqState(second) == "queued", () => $"{b} did not submit again: {State(b)}\n{Ok("peek", b).Out}");
        var screen = Ok("peek", b, "-n", "50").Out;
        Assert.True(screen.Contains("into my branch (conflicting lines kept from both sides)", StringComparison.Ordinal), screen);
        Assert.Contains($"{second}: merged", Ok("refinery", "run", "app", "--once").Out);

        using var repo = new Repository(Path.Combine(_ws.Root, "rigs", "app"));
        var main = repo.Branches["refs/heads/" + repo.Head.FriendlyName].Tip;
        var log = repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = main }).ToList();
        Assert.Single(log, c => c.Message.Contains("Orc-Item: " + first, StringComparison.Ordinal));
        Assert.Single(log, c => c.Message.Contains("Orc-Item: " + second, StringComparison.Ordinal));
        Assert.Equal(3, log.Count); // the first commit and one per item
        var readme = ((Blob)main["README.md"].Target).GetContentText();
        Assert.Contains(first + ":", readme);
        Assert.Contains(second + ":", readme);
        Assert.DoesNotContain("<<<<<<<", readme);
    }
}
