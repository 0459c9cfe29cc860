using Orchestrator.Adapters.Workspace;
using Orchestrator.Core;
using Orchestrator.Testing;

namespace Orchestrator.Tui.Tests.Config;

[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class WorkspaceTuiSettingsTests
{
    [Fact]
    public void The_workspace_config_names_the_tuis_layout_and_theme()
    {
        var config = WorkspaceConfig.Parse("prefix: hq\ntui:\n  layout: agents-wall\n  theme: high-contrast\n", "config.yaml");
        Assert.Equal("agents-wall", config.TuiLayout);
        Assert.Equal("high-contrast", config.TuiTheme);
    }

    [Fact]
    public void Without_a_tui_section_the_tui_uses_its_defaults()
    {
        var config = WorkspaceConfig.Parse("prefix: hq\n", "config.yaml");
        Assert.Null(config.TuiLayout);
        Assert.Null(config.TuiTheme);
        Assert.True(config.TuiConfirmQuit);
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("no", false)]
    [InlineData("true", true)]
    public void Confirm_quit_is_read_as_a_yes_or_no(string value, bool expected)
    {
        var config = WorkspaceConfig.Parse($"tui:\n  confirm_quit: {value}\n", "config.yaml");
        Assert.Equal(expected, config.TuiConfirmQuit);
        Assert.Equal(expected ? "true" : "false", ConfigKeys.Find("tui.confirm_quit")!.Value(config));
    }

    [Theory]
    [InlineData("tui:\n  layout: ../x\n", 2, "'tui.layout' must be a layout name")]
    [InlineData("tui:\n  theme: [dark]\n", 2, "'tui.theme' must be a single value")]
    [InlineData("tui:\n  colours: dark\n", 2, "unknown setting 'tui.colours'")]
    [InlineData("tui: overview\n", 1, "'tui' must be a mapping")]
    [InlineData("tui:\n  confirm_quit: sometimes\n", 2, "'tui.confirm_quit' must be true or false")]
    public void A_bad_tui_setting_names_the_file_and_line(string yaml, int line, string problem)
    {
        var ex = Assert.Throws<OrcException>(() => WorkspaceConfig.Parse(yaml, "config.yaml"));
        Assert.StartsWith($"config.yaml:{line}: ", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void The_tui_settings_survive_being_written_and_read_back()
    {
        var written = new WorkspaceConfig { TuiLayout = "items-focus", TuiTheme = "light", TuiConfirmQuit = false }.ToYaml();
        var config = WorkspaceConfig.Parse(written, "config.yaml");
        Assert.Equal(("items-focus", "light", false), (config.TuiLayout, config.TuiTheme, config.TuiConfirmQuit));
        Assert.Contains("# tui: { layout: overview, theme: dark }", new WorkspaceConfig().ToYaml());
        Assert.Null(WorkspaceConfig.Parse(new WorkspaceConfig().ToYaml(), "config.yaml").TuiLayout);
    }
}
