using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Config;

/// <summary>
/// A broken YAML file met by a real command: the command fails (exit 1, not an internal error) and
/// standard error is one line naming the file and line. One command for each kind of file a verb
/// reads; the TUI's layouts and themes only ever warn, see <see cref="YamlFileTests"/>.
/// </summary>
public sealed class YamlErrorVerbTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _xdg = Path.Combine(Path.GetTempPath(), "orc-xdg-" + Guid.NewGuid().ToString("N")[..12]);

    public YamlErrorVerbTests() => _ws.Env["XDG_CONFIG_HOME"] = _xdg;

    public void Dispose()
    {
        _ws.Dispose();
        if (Directory.Exists(_xdg)) Directory.Delete(_xdg, recursive: true);
    }

    private static string Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private void AssertOneLineError(string[] args, string path, int line, string problem)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal("", r.Out);
        var err = Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"orc: error: {path}:{line}: ", err);
        Assert.Contains(problem, err);
        Assert.DoesNotContain("internal error", err);
    }

    private string WorkspaceConfig => Path.Combine(_ws.Root, ".orc", "config.yaml");

    [Theory]
    [InlineData("version: 1\nprefix: hq\nprefix: hq\n", 3, "invalid YAML: Duplicate key prefix")]
    [InlineData("version: 1\nprefix: [hq\nnotify: x\n", 3, "invalid YAML: cannot read this (an unclosed [ or {?)")]
    [InlineData("version: 1\nprefix: hq\nmayor: [30]\n", 3, "'mayor' must be a mapping")]
    public void A_broken_workspace_config_fails_the_command(string yaml, int line, string problem)
    {
        Write(WorkspaceConfig, yaml);
        AssertOneLineError(["item", "create", "x"], WorkspaceConfig, line, problem);
    }

    [Fact]
    public void Config_set_on_a_broken_workspace_config_changes_nothing()
    {
        Write(WorkspaceConfig, "version: 1\nprefix: hq\nnotify: { bell: &a [*a] }\n");
        AssertOneLineError(["config", "set", "notify.bell", "false"], WorkspaceConfig, 3, "invalid YAML: the alias *a is inside the node it names");
        Assert.Equal("version: 1\nprefix: hq\nnotify: { bell: &a [*a] }\n", File.ReadAllText(WorkspaceConfig));
    }

    [Fact]
    public void A_broken_user_config_fails_the_command()
    {
        var user = Write(Path.Combine(_xdg, "orc", "config.yaml"), "notify:\n  bell: false\n  bell: true\n");
        AssertOneLineError(["config", "list"], user, 3, "invalid YAML: Duplicate key bell");
    }

    [Fact]
    public void A_broken_rig_file_fails_the_command()
    {
        var rig = Write(Path.Combine(_ws.Root, ".orc", "rigs", "app.yaml"), "name: app\nsource: /x\nprefix: ap\ndefault_branch: main\nmax_polecats: {a: 1}\n");
        AssertOneLineError(["rig", "list"], rig, 5, "'max_polecats' must be a single value");
    }

    [Fact]
    public void A_broken_profile_fails_the_command()
    {
        var profile = Write(Path.Combine(_ws.Root, ".orc", "profiles", "mine.yaml"), "name: mine\ncommand: x\nargs: ['--a'\nenv: {}\n");
        AssertOneLineError(["config", "set", "default_profile", "mine"], profile, 4, "invalid YAML");
    }
}
