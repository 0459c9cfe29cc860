using System.Diagnostics;
using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// <c>push: on</c> against a real bare repository as the rig's origin, with a teammate's clone
/// pushing to it in between: every landing reaches origin, a moved origin means rebuild, gate and
/// push again, never a forced push, and a refused push stops the queue with everything kept.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PushTests : IDisposable
{
    private readonly FleetFixture _fleet = new(readme: "line one\n");
    private readonly TempWorkspace _ws;
    private readonly string _origin;
    private readonly string _teammate;
    private int _agents;

    public PushTests()
    {
        _ws = _fleet.Ws;
        _origin = _ws.Root + "-origin.git";
        _teammate = _ws.Root + "-teammate";
        Git(_ws.Root, "clone", "--quiet", "--bare", _fleet.Source, _origin);
        Git(RigDir, "remote", "set-url", "origin", _origin);
        Git(_ws.Root, "clone", "--quiet", _origin, _teammate);
        Git(_teammate, "config", "user.email", "mate@example.com");
        Git(_teammate, "config", "user.name", "mate");
        Ok("rig", "set", "app", "push", "on");
    }

    public void Dispose()
    {
        _fleet.Dispose();
        foreach (var d in new[] { _origin, _teammate })
            try { Directory.Delete(d, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private string RigDir => _fleet.RigDir;

    /// <summary>One refinery pass as a child process: the published binary when the suite runs against it.</summary>
    private CliResult Refinery()
    {
        var r = _fleet.Process(["refinery", "run", "app", "--once"]);
        Assert.True(r.ExitCode == 0, "refinery run: " + r);
        return r;
    }

    private static string Git(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {err}");
        return output.Trim();
    }

    private string Submit(string title, Dictionary<string, string> files) =>
        RigFixture.Submit(_ws, "app", "w" + (++_agents), title, files, "master");

    private static string Tip(string repoPath)
    {
        using var repo = new Repository(repoPath);
        return repo.Branches["master"].Tip.Sha;
    }

    private static List<string> Log(string repoPath)
    {
        using var repo = new Repository(repoPath);
        return repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = repo.Branches["master"].Tip, FirstParentOnly = true,
            SortBy = CommitSortStrategies.Topological })
            .Select(c => c.MessageShort).ToList();
    }

    /// <summary>A teammate's commit pushed to origin's master.</summary>
    private void TeammatePushes(string file, string text)
    {
        Git(_teammate, "pull", "--quiet", "--ff-only");
        File.WriteAllText(Path.Combine(_teammate, file), text);
        Git(_teammate, "add", file);
        Git(_teammate, "commit", "--quiet", "-m", "mate: " + file);
        Git(_teammate, "push", "--quiet", "origin", "master");
    }

    private JsonElement Mq(string id) => JsonDocument.Parse(Ok("mq", "show", id, "--json").Out).RootElement;

    private string Status(string id) => JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString()!;

    [Fact]
    public void A_landing_is_pushed_and_origin_and_main_agree()
    {
        var id = Submit("Add a", new() { ["a.txt"] = "alpha\n" });
        Assert.Contains($"{id}: merged", Refinery().Out);
        Assert.Equal(Tip(RigDir), Tip(_origin));
        Assert.Equal([$"{id}: Add a", "first"], Log(_origin));
        Assert.Contains("pushed", Ok("feed").Out);
        Assert.Equal("closed", Status(id));
    }

    [Fact]
    public void When_a_teammate_pushed_first_the_work_is_built_on_their_commit()
    {
        var id = Submit("Add a", new() { ["a.txt"] = "alpha\n" });
        TeammatePushes("mate.txt", "mate\n");
        Assert.Contains($"{id}: merged", Refinery().Out);
        Assert.Equal([$"{id}: Add a", "mate: mate.txt", "first"], Log(_origin));
        Assert.Equal(Tip(_origin), Tip(RigDir));
        Assert.True(File.Exists(Path.Combine(RigDir, "mate.txt"))); // the rig's checkout followed origin
    }

    [Fact]
    public void When_origin_moves_during_the_gate_the_squash_is_replayed_gated_again_and_pushed_without_force()
    {
        // The gate's first run pushes a teammate's commit: the refinery's push then finds origin moved.
        var marker = Path.Combine(_ws.Root, ".orc", "tmp", "gate-runs");
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        var script = Path.Combine(_ws.Root, ".orc", "tmp", "gate.sh");
        File.WriteAllText(script,
            $"""
            #!/bin/sh
            echo run >> '{marker}'
            if [ "$(wc -l < '{marker}')" -eq 1 ]; then
              cd '{_teammate}' && git pull -q --ff-only && echo mid > mid.txt && git add mid.txt && git commit -qm 'mate: mid.txt' && git push -q origin master
            fi
            exit 0
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Ok("rig", "set", "app", "gate", script);
        var id = Submit("Add a", new() { ["a.txt"] = "alpha\n" });
        var run = Refinery().Out;
        Assert.Contains($"{id}: merged", run);
        Assert.Equal(2, File.ReadAllLines(marker).Length); // gated again on the new tip
        Assert.Equal([$"{id}: Add a", "mate: mid.txt", "first"], Log(_origin)); // the teammate's commit kept: no force
        Assert.Equal(Tip(_origin), Tip(RigDir));
        Assert.Contains("moved while", Ok("feed").Out);
        Assert.Equal("closed", Status(id));
    }

    [Fact]
    public void A_refused_push_stops_the_queue_with_one_report_and_loses_nothing()
    {
        // A protected branch: origin's pre-receive hook refuses every push.
        var hook = Path.Combine(_origin, "hooks", "pre-receive");
        File.WriteAllText(hook, "#!/bin/sh\necho 'master is protected' >&2\nexit 1\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var before = Tip(RigDir);
        var id = Submit("Add a", new() { ["a.txt"] = "alpha\n" });
        var run = Refinery().Out;
        Assert.Contains($"{id}: waiting", run);
        Assert.Equal(before, Tip(RigDir)); // the local main did not move
        Assert.Equal(before, Tip(_origin));
        Assert.Equal("queued", Mq(id).GetProperty("state").GetString());
        Assert.NotEqual("closed", Status(id));
        var feed = Ok("feed").Out;
        Assert.Contains("refused the push", feed);
        Assert.Contains("master is protected", feed);
        var letters = JsonDocument.Parse(Ok("mail", "inbox", "--json").Out).RootElement.EnumerateArray().ToList();
        Assert.Contains(letters, l => l.GetProperty("subject").GetString()!.Contains("cannot be pushed", StringComparison.Ordinal));

        // Fixed by the person: the next pass lands and pushes it.
        File.Delete(hook);
        Assert.Contains($"{id}: merged", Refinery().Out);
        Assert.Equal(Tip(RigDir), Tip(_origin));
        Assert.Equal("closed", Status(id));
    }

    [Fact]
    public void A_main_that_diverged_from_origin_is_reported_and_nothing_lands()
    {
        var id = Submit("Add a", new() { ["a.txt"] = "alpha\n" });
        TeammatePushes("mate.txt", "mate\n");
        // A local commit on the rig's main that origin does not have.
        File.WriteAllText(Path.Combine(RigDir, "local.txt"), "local\n");
        Git(RigDir, "add", "local.txt");
        Git(RigDir, "-c", "user.email=me@example.com", "-c", "user.name=me", "commit", "--quiet", "-m", "local only");
        var before = Tip(RigDir);
        Assert.Contains($"{id}: waiting", Refinery().Out);
        Assert.Equal(before, Tip(RigDir));
        Assert.Equal("queued", Mq(id).GetProperty("state").GetString());
        Assert.Contains("have diverged", Ok("feed").Out);
    }

    [Fact]
    public void Push_on_is_refused_for_a_rig_without_origin()
    {
        Ok("rig", "set", "app", "push", "off");
        Git(RigDir, "remote", "remove", "origin");
        var file = File.ReadAllText(Path.Combine(_ws.Root, ".orc", "rigs", "app.yaml"));
        var r = _ws.Orc("rig", "set", "app", "push", "on");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no remote 'origin'", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Equal(file, File.ReadAllText(Path.Combine(_ws.Root, ".orc", "rigs", "app.yaml")));
    }

    [Fact]
    public void A_refinery_killed_after_its_push_and_before_main_moved_finishes_the_landing_once()
    {
        // Origin's post-receive hook kills the refinery the instant origin has taken the push.
        var hook = Path.Combine(_origin, "hooks", "post-receive");
        File.WriteAllText(hook, """
            #!/bin/sh
            pid=$$
            while [ "$pid" -gt 1 ]; do
              pid=$(awk '{print $4}' /proc/$pid/stat)
              if tr '\0' ' ' < /proc/$pid/cmdline | grep -q 'refinery run'; then kill -9 "$pid"; break; fi
            done
            exit 0
            """);
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var before = Tip(RigDir);
        var id = Submit("Add a", new() { ["a.txt"] = "alpha\n" });
        var killed = _fleet.Process(["refinery", "run", "app", "--once"]);
        Assert.NotEqual(0, killed.ExitCode);
        File.Delete(hook);
        Assert.Equal(before, Tip(RigDir)); // killed before the local main moved
        Assert.Equal([$"{id}: Add a", "first"], Log(_origin)); // but origin has it
        Assert.Equal("merging", Mq(id).GetProperty("state").GetString());

        Assert.Contains($"{id}: merged", Refinery().Out);
        Assert.Equal(Tip(_origin), Tip(RigDir));
        Assert.Equal([$"{id}: Add a", "first"], Log(RigDir)); // landed once
        Assert.Equal("closed", Status(id));
        Assert.Equal("merged", Mq(id).GetProperty("state").GetString());
        Refinery();
        Assert.Equal([$"{id}: Add a", "first"], Log(_origin));
    }
}
