using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Core;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary><c>orc rig set</c> and <c>orc rig unset</c> against a real workspace and rig clone, orc run in-process.</summary>
public sealed class RigSettingsTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _source;

    public RigSettingsTests()
    {
        _source = RigFixture.CreateSource(_ws);
        Ok("rig", "add", "app", _source);
    }

    public void Dispose()
    {
        _ws.Dispose();
        RigFixture.DeleteSource(_source);
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private JsonElement Show() => JsonDocument.Parse(Ok("rig", "show", "app", "--json").Out).RootElement;

    private string RigFile => File.ReadAllText(Path.Combine(_ws.Root, ".orc", "rigs", "app.yaml"));

    [Theory]
    [InlineData("batch", "4", "4")]
    [InlineData("gate_timeout", "90", "90")]
    [InlineData("max_polecats", "100", "100")]
    [InlineData("stuck_after", "10", "10")]
    [InlineData("max_restarts", "0", "0")]
    [InlineData("grace", "3600", "3600")]
    [InlineData("nudge_idle", "no", "false")]
    [InlineData("restart_dead", "false", "false")]
    [InlineData("profile", "shell", "shell")]
    [InlineData("land", "review", "review")]
    [InlineData("land", " Review ", "review")]
    public void A_setting_is_changed_committed_and_shown(string key, string value, string shown)
    {
        var commits = _ws.CommitCount();
        Ok("rig", "set", "app", key, value);
        Assert.Equal(commits + 1, _ws.CommitCount());
        Assert.True(_ws.IsClean());
        Assert.Equal("orc: rig set app", _ws.Head().MessageShort);
        Assert.Equal(shown, Show().GetProperty(key).ToString().ToLowerInvariant());
        Assert.Contains($"  {key}: {shown}", Ok("rig", "show", "app").Out);
        Assert.Contains($"\n{key}: ", RigFile);
    }

    [Fact]
    public void The_gate_is_one_command_line_shown_back_as_given_and_an_empty_value_means_none()
    {
        Ok("rig", "set", "app", "gate", "make test && echo 'all green'");
        Assert.Equal("make test && echo 'all green'", Show().GetProperty("gate").GetString());
        Assert.Contains("  gate: make test && echo 'all green'\n", Ok("rig", "show", "app").Out);
        Assert.Contains("gate: \"make test && echo 'all green'\"", RigFile);
        Ok("rig", "set", "app", "gate", "");
        Assert.Equal("", Show().GetProperty("gate").GetString());
        Assert.Contains("gate: none", Ok("rig", "show", "app").Out);
    }

    [Fact]
    public void A_gate_with_an_unclosed_quote_is_refused_and_the_old_one_kept()
    {
        Ok("rig", "set", "app", "gate", "dotnet test");
        var r = _ws.Orc("rig", "set", "app", "gate", "./check \"open");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("VALUE: the gate cannot be run: the double quote is not closed", r.Err);
        Assert.Equal("dotnet test", Show().GetProperty("gate").GetString());
    }

    [Fact]
    public void The_default_branch_can_be_set_only_to_a_branch_the_rig_has()
    {
        using (var repo = new Repository(Path.Combine(_ws.Root, "rigs", "app")))
            repo.CreateBranch("trunk");
        Ok("rig", "set", "app", "default_branch", "trunk");
        Assert.Equal("trunk", Show().GetProperty("default_branch").GetString());
        var r = _ws.Orc("rig", "set", "app", "default_branch", "nowhere");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("VALUE: rigs/app has no branch 'nowhere'", r.Err);
        Assert.Equal("trunk", Show().GetProperty("default_branch").GetString());
    }

    [Fact]
    public void Unset_puts_a_setting_back_to_its_default_and_the_same_value_twice_commits_once()
    {
        Ok("rig", "set", "app", "batch", "8");
        var commits = _ws.CommitCount();
        Assert.Contains("already '8'", Ok("rig", "set", "app", "batch", "8").Out);
        Assert.Equal(commits, _ws.CommitCount());
        Ok("rig", "unset", "app", "batch");
        Assert.Equal(1, Show().GetProperty("batch").GetInt32());
        Ok("rig", "set", "app", "profile", "sim");
        Ok("rig", "unset", "app", "profile");
        Assert.False(Show().TryGetProperty("profile", out _));
        Assert.Equal(commits + 3, _ws.CommitCount());
    }

    [Theory]
    [InlineData("colour", "red", 2, "KEY: 'colour' is not a rig setting")]
    [InlineData("prefix", "zz", 2, "KEY: prefix cannot be changed")]
    [InlineData("name", "web", 2, "KEY: name cannot be changed")]
    [InlineData("source", "/tmp", 2, "KEY: source cannot be changed")]
    [InlineData("batch", "0", 2, "VALUE: batch must be a whole number from 1 to 100, got '0'")]
    [InlineData("batch", "many", 2, "VALUE: batch must be a whole number from 1 to 100, got 'many'")]
    [InlineData("stuck_after", "9", 2, "VALUE: stuck_after must be a whole number from 10 to 86400")]
    [InlineData("gate_timeout", "1.5", 2, "VALUE: gate_timeout must be a whole number")]
    [InlineData("nudge_idle", "maybe", 2, "VALUE: nudge_idle must be true or false, got 'maybe'")]
    [InlineData("profile", "nosuch", 2, "VALUE: no agent profile 'nosuch'")]
    [InlineData("default_branch", "", 2, "VALUE: default_branch must be a branch name")]
    [InlineData("land", "manual", 2, "VALUE: land must be auto, review or pr, got 'manual'")]
    public void A_bad_key_or_value_is_a_usage_error_and_nothing_changes(string key, string value, int exit, string message)
    {
        var before = RigFile;
        var commits = _ws.CommitCount();
        var r = _ws.Orc("rig", "set", "app", key, value);
        Assert.Equal(exit, r.ExitCode);
        Assert.Contains(message, r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Equal("", r.Out);
        Assert.Equal(before, RigFile);
        Assert.Equal(commits, _ws.CommitCount());
        Assert.True(_ws.IsClean());
    }

    [Fact]
    public void An_unknown_rig_is_not_found_and_unset_checks_its_key()
    {
        var commits = _ws.CommitCount();
        var r = _ws.Orc("rig", "set", "web", "batch", "2");
        Assert.Equal(ExitCodes.NotFound, r.ExitCode);
        Assert.Contains("no rig 'web'", r.Err);
        Assert.Equal(ExitCodes.NotFound, _ws.Orc("rig", "unset", "web", "batch").ExitCode);
        var bad = _ws.Orc("rig", "unset", "app", "default_branch");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("KEY: default_branch has no default", bad.Err);
        Assert.Equal(ExitCodes.Usage, _ws.Orc("rig", "unset", "app", "prefix").ExitCode);
        Assert.Equal(ExitCodes.Usage, _ws.Orc("rig", "set", "app", "batch").ExitCode); // VALUE missing
        Assert.Equal(commits, _ws.CommitCount());
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "rigs", "web")));
    }

    [Fact]
    public void A_hand_written_scalar_gate_survives_a_change_of_another_setting()
    {
        RigFixture.SetSetting(_ws, "app", "gate", "make check");
        Ok("rig", "set", "app", "grace", "5");
        var rig = Show();
        Assert.Equal("make check", rig.GetProperty("gate").GetString());
        Assert.Equal(5, rig.GetProperty("grace").GetInt32());
    }

    [Fact]
    public void Rig_add_refuses_a_max_polecats_the_rig_file_could_not_hold()
    {
        var r = _ws.Orc("rig", "add", "web", _source, "--max-polecats", "0");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--max-polecats: must be a whole number from 1 to 100, got 0", r.Err);
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "rigs", "web")));
        Assert.Single(JsonDocument.Parse(Ok("rig", "list", "--json").Out).RootElement.EnumerateArray());
    }

    [Fact]
    public void Land_is_auto_by_default_round_trips_through_set_unset_and_the_file_and_an_old_file_without_it_loads_as_auto()
    {
        Assert.Equal("auto", Show().GetProperty("land").GetString());
        Assert.Contains("  land: auto\n", Ok("rig", "show", "app").Out);
        Assert.Contains("# what a green gate does", RigFile);
        Ok("rig", "set", "app", "land", "review");
        Assert.Contains("\nland: review\n", RigFile);
        Assert.Equal("review", JsonDocument.Parse(Ok("rig", "list", "--json").Out).RootElement[0].GetProperty("land").GetString());
        Ok("rig", "unset", "app", "land");
        Assert.Equal("auto", Show().GetProperty("land").GetString());

        // A rig file written before the setting existed: no key, auto.
        var path = Path.Combine(_ws.Root, ".orc", "rigs", "app.yaml");
        File.WriteAllLines(path, File.ReadAllLines(path).Where(l => !l.StartsWith("land:", StringComparison.Ordinal)));
        Assert.Equal("auto", Show().GetProperty("land").GetString());
        // A hand-written bad value names the file, the line and the key.
        File.AppendAllText(path, "land: sometimes\n");
        var bad = _ws.Orc("rig", "show", "app");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("'land' must be auto, review or pr, got 'sometimes'", bad.Err);
    }

    [Fact]
    public void Rig_add_takes_land_and_refuses_a_bad_one_with_a_usage_error()
    {
        Ok("rig", "add", "web", _source, "--land", "review");
        Assert.Equal("review", JsonDocument.Parse(Ok("rig", "show", "web", "--json").Out).RootElement.GetProperty("land").GetString());
        var r = _ws.Orc("rig", "add", "api", _source, "--land", "later");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Equal("orc: error: --land: must be auto, review or pr, got 'later'", r.Err.Trim());
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "rigs", "api")));
    }
}
