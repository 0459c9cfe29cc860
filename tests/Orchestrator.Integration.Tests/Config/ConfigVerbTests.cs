using System.Text.Json;
using Orchestrator.Core;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Config;

/// <summary><c>orc config get | set | list</c> against a real workspace (git) and a user config folder of its own.</summary>
public sealed class ConfigVerbTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _xdg = Path.Combine(Path.GetTempPath(), "orc-xdg-" + Guid.NewGuid().ToString("N")[..12]);

    public ConfigVerbTests() => _ws.Env["XDG_CONFIG_HOME"] = _xdg;

    public void Dispose()
    {
        _ws.Dispose();
        if (Directory.Exists(_xdg)) Directory.Delete(_xdg, recursive: true);
    }

    private string WsFile => Path.Combine(_ws.Root, ".orc", "config.yaml");
    private string UserFile => Path.Combine(_xdg, "orc", "config.yaml");

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private Dictionary<string, (string Value, string Source)> List()
    {
        var doc = JsonDocument.Parse(Ok("config", "list", "--json").Out);
        return doc.RootElement.EnumerateArray().ToDictionary(
            e => e.GetProperty("key").GetString()!,
            e => (e.GetProperty("value").GetString()!, e.GetProperty("source").GetString()!));
    }

    [Fact]
    public void Set_changes_the_value_keeps_the_comments_and_commits()
    {
        var commits = _ws.CommitCount();
        var r = Ok("config", "set", "learnings.budget", "500");
        Assert.Contains("changed from '2000' to '500'", r.Out);
        Assert.Equal("500", Ok("config", "get", "learnings.budget").Out.Trim());
        var text = File.ReadAllText(WsFile);
        Assert.Contains("# id prefix of the workspace's own work items", text);
        Assert.Contains("# the TUI's layout and theme", text);
        Assert.Equal(commits + 1, _ws.CommitCount());
        Assert.Contains("config set", _ws.Head().MessageShort);
        Assert.True(_ws.IsClean(), _ws.Dirty());

        // Setting it again writes and commits nothing.
        Assert.Contains("nothing changed", Ok("config", "set", "learnings.budget", "500").Out);
        Assert.Equal(commits + 1, _ws.CommitCount());
    }

    [Fact]
    public void Set_replaces_a_value_in_place_in_flow_and_block_mappings()
    {
        File.WriteAllText(WsFile, "version: 1\nprefix: hq  # my prefix\ntui: { layout: overview }\nnotify:\n  bell: false   # quiet\n");
        Ok("config", "set", "tui.theme", "light");
        Ok("config", "set", "notify.bell", "yes");
        Ok("config", "set", "notify.desktop", "osc777");
        var text = File.ReadAllText(WsFile);
        Assert.Contains("prefix: hq  # my prefix", text);
        Assert.Contains("tui: { layout: overview, theme: light }", text);
        Assert.Contains("bell: true   # quiet", text);
        Assert.Contains("  desktop: osc777", text);
        var list = List();
        Assert.Equal(("light", "workspace"), list["tui.theme"]);
        Assert.Equal(("true", "workspace"), list["notify.bell"]);
        Assert.Equal(("osc777", "workspace"), list["notify.desktop"]);
        Assert.Equal(("true", "default"), list["notify.tmux"]);
    }

    [Fact]
    public void Unknown_key_exits_2_naming_the_known_keys()
    {
        var before = File.ReadAllBytes(WsFile);
        foreach (var args in new[] { new[] { "config", "set", "nope", "1" }, ["config", "get", "notify.nope"] })
        {
            var r = _ws.Orc(args);
            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Contains("unknown setting", r.Err);
            Assert.Contains("notify.desktop", r.Err);
            Assert.Contains("learnings.budget", r.Err);
        }
        Assert.Equal(before, File.ReadAllBytes(WsFile));
    }

    [Theory]
    [InlineData("learnings.budget", "lots")]
    [InlineData("learnings.budget", "-5")]
    [InlineData("notify.desktop", "growl")]
    [InlineData("notify.bell", "maybe")]
    [InlineData("notify.events", "waiting,exploded")]
    [InlineData("prefix", "HQ!")]
    [InlineData("tui.theme", "../../etc")]
    [InlineData("default_profile", "no-such-profile")]
    [InlineData("tui.layout", "a\u001b]0;pwned\u0007")]
    public void A_bad_value_fails_in_one_line_naming_the_key_and_leaves_the_file(string key, string value)
    {
        var before = File.ReadAllBytes(WsFile);
        var commits = _ws.CommitCount();
        var r = _ws.Orc("config", "set", key, value);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.Contains(key == "default_profile" ? "VALUE" : key, r.Err);
        Assert.DoesNotContain("\u001b", r.Err);
        Assert.Equal(before, File.ReadAllBytes(WsFile));
        Assert.Equal(commits, _ws.CommitCount());
    }

    [Fact]
    public void User_file_gives_defaults_that_the_workspace_overrides()
    {
        var r = Ok("config", "set", "--user", "notify.desktop", "off");
        Assert.Contains("user config", r.Out);
        Assert.True(File.Exists(UserFile));
        Ok("config", "set", "--user", "tui.layout", "agents-wall");
        Assert.Equal("off", Ok("config", "get", "--user", "notify.desktop").Out.Trim());

        var list = List();
        Assert.Equal(("off", "user"), list["notify.desktop"]);
        Assert.Equal(("agents-wall", "user"), list["tui.layout"]);
        Assert.Equal(("hq", "workspace"), list["prefix"]);
        Assert.Equal(("2000", "default"), list["learnings.budget"]);

        Ok("config", "set", "notify.desktop", "osc9");
        Assert.Equal(("osc9", "workspace"), List()["notify.desktop"]);
        Assert.Equal("off", Ok("config", "get", "--user", "notify.desktop").Out.Trim());

        // The workspace's id prefix is not a user setting.
        var bad = _ws.Orc("config", "set", "--user", "prefix", "ab");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("prefix", bad.Err);
    }

    [Fact]
    public void User_settings_can_be_changed_outside_a_workspace()
    {
        var elsewhere = Path.Combine(_xdg, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        var vars = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _xdg };
        var r = _ws.Run(["config", "set", "--user", "default_profile", "codex"], vars, null, elsewhere);
        Assert.True(r.ExitCode == 0, r.ToString());
        var bad = _ws.Run(["config", "set", "--user", "default_profile", "nope"], vars, null, elsewhere);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("no agent profile 'nope'", bad.Err);
        var list = _ws.Run(["config", "list", "--user"], vars, null, elsewhere);
        Assert.Contains("codex", list.Out);
        Assert.Matches(@"(?m)^default_profile +codex +user *$", list.Out); // KEY VALUE FROM
        // ...and the workspace then uses it as its default unless it sets its own.
        File.WriteAllText(WsFile, "version: 1\nprefix: hq\n");
        Assert.Equal("codex", Ok("config", "get", "default_profile").Out.Trim());
    }

    [Fact]
    public void A_broken_user_file_is_reported_with_its_line()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(UserFile)!);
        File.WriteAllText(UserFile, "notify:\n  desktop: osc9\n  sound: loud\n");
        var r = _ws.Orc("config", "list");
        Assert.Equal(ExitCodes.Failure, r.ExitCode);
        Assert.Contains(UserFile + ":3:", r.Err);
        Assert.Contains("notify.sound", r.Err);
    }
}
