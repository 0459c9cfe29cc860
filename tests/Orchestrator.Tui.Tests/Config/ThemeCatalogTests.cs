using Orchestrator.Testing;
using Orchestrator.Tui.Config;
using Terminal.Gui.Drawing;

namespace Orchestrator.Tui.Tests.Config;

[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ThemeCatalogTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Shipped => ["dark", "light", "high-contrast"];

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Every_shipped_theme_loads_without_a_warning(string name)
    {
        var (spec, warning) = new ThemeCatalog().Load(name);
        Assert.Null(warning);
        Assert.Equal(name, spec.Name);
        Assert.Equal(ThemeSpec.ColorRoles.Order(), spec.Colors.Keys.Order());
        Assert.Equal(ThemeSpec.StateNames.Order(), spec.States.Keys.Order());
        Assert.Equal(ThemeSpec.StatusNames.Order(), spec.Status.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Every_shipped_theme_sets_every_colour_itself(string name)
    {
        using var s = typeof(ThemeSpec).Assembly.GetManifestResourceStream($"themes/{name}.yaml")!;
        var text = new StreamReader(s).ReadToEnd();
        foreach (var key in ThemeSpec.ColorRoles.Concat(ThemeSpec.StateNames).Concat(ThemeSpec.StatusNames))
            Assert.Contains($"\n  {key}: ", text);
    }

    [Fact]
    public void The_shipped_themes_are_listed_with_the_default_first()
    {
        Assert.Equal(["dark", "high-contrast", "light"], new ThemeCatalog().Names());
    }

    [Fact]
    public void The_dark_theme_file_says_what_the_built_in_dark_theme_says()
    {
        var file = new ThemeCatalog().Load("dark").Spec;
        Assert.Equal(ThemeSpec.Dark.Colors, file.Colors);
        Assert.Equal(ThemeSpec.Dark.States, file.States);
        Assert.Equal(ThemeSpec.Dark.Status, file.Status);
    }

    [Fact]
    public void Keys_a_theme_leaves_out_take_the_dark_themes_value()
    {
        _temp.Write("mine.yaml", "colors:\n  background: \"#1e1e1e\"\n  title: BrightYellow\nstates:\n  working: brown\n");

        var (spec, warning) = new ThemeCatalog(_temp.Root).Load("mine");

        Assert.Null(warning);
        Assert.Equal(new ThemeColor(0x1e, 0x1e, 0x1e), spec.ColorOf("background"));
        Assert.Equal(ThemeColor.FromName(ColorName16.BrightYellow), spec.ColorOf("title"));
        Assert.Equal(ThemeColor.FromName(ColorName16.Yellow), spec.StateColor("working"));
        Assert.Equal(ThemeSpec.Dark.ColorOf("focus"), spec.ColorOf("focus"));
        Assert.Equal(ThemeSpec.Dark.StatusColor("closed"), spec.StatusColor("closed"));
    }

    [Fact]
    public void A_theme_in_the_workspace_folder_overrides_the_shipped_one()
    {
        var workspace = _temp.Folder("ws");
        _temp.Write("ws/dark.yaml", "colors:\n  background: blue\n");

        var (spec, warning) = new ThemeCatalog(workspace, _temp.Folder("xdg")).Load(null);

        Assert.Null(warning);
        Assert.Equal("dark", spec.Name);
        Assert.Equal(ColorName16.Blue, spec.ColorOf("background").ToSixteen());
    }

    [Fact]
    public void An_unknown_theme_gives_the_dark_theme_and_the_names_there_are()
    {
        var (spec, warning) = new ThemeCatalog(_temp.Root).Load("solarized");
        Assert.Same(ThemeSpec.Dark.Name, spec.Name);
        Assert.Equal("no theme 'solarized' (have: dark, high-contrast, light); using the dark theme", warning);
    }

    [Theory]
    [InlineData("colors:\n  background: black\n  focus: \"#12345\"\n", 3, "'focus' is '#12345', not a colour: use \"#rrggbb\" or one of black, blue")]
    [InlineData("states:\n  idle: purple\n", 2, "'idle' is 'purple', not a colour")]
    [InlineData("colors:\n  background: #1e1e1e\n", 2, "'background' has no colour (quote #rrggbb colours")]
    [InlineData("colors:\n  accent: red\n", 2, "unknown key 'accent' in 'colors' (known: background, foreground, focus, border, title, selection, status_bar)")]
    [InlineData("status:\n  review: red\n", 2, "unknown key 'review' in 'status'")]
    [InlineData("palette:\n  red: red\n", 1, "unknown key 'palette'")]
    [InlineData("colors: [red]\n", 1, "'colors' must be a mapping")]
    [InlineData("colors:\n  background: [black\n", 3, "invalid YAML")]
    public void A_broken_theme_names_its_file_and_line_and_falls_back_to_dark(string yaml, int line, string problem)
    {
        var path = _temp.Write("bad.yaml", yaml);

        var (spec, warning) = new ThemeCatalog(_temp.Root).Load("bad");

        Assert.Equal("dark", spec.Name);
        Assert.NotNull(warning);
        Assert.StartsWith($"{path}:{line}: ", warning);
        Assert.Contains(problem, warning);
        Assert.EndsWith("; using the dark theme", warning);
    }

    [Fact]
    public void A_theme_name_that_would_leave_the_folder_is_refused()
    {
        var (spec, warning) = new ThemeCatalog(_temp.Root).Load("../../etc/passwd");
        Assert.Equal("dark", spec.Name);
        Assert.StartsWith("'../../etc/passwd' is not a theme name", warning);
    }
}

/// <summary>Focus is visible in every shipped theme, at WCAG AA contrast (4.5:1 for text, 3:1 for a focus border).</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ThemeContrastTests
{
    [Theory]
    [MemberData(nameof(ThemeCatalogTests.Shipped), MemberType = typeof(ThemeCatalogTests))]
    public void The_selected_row_and_the_focused_border_can_be_told_apart_and_read(string name)
    {
        var (spec, _) = new ThemeCatalog().Load(name);
        var p = Orchestrator.Tui.Views.TuiPalette.From(spec, sixteen: false);
        double Ratio(Terminal.Gui.Drawing.Attribute a) => Orchestrator.Tui.Views.Palette.Contrast(a.Foreground, a.Background);
        Assert.True(Ratio(p.Normal) >= 4.5, $"{name}: normal text {Ratio(p.Normal):0.0}:1");
        Assert.True(Ratio(p.Selected) >= 4.5, $"{name}: the selected row of the focused pane {Ratio(p.Selected):0.0}:1");
        Assert.True(Ratio(p.SelectedInactive) >= 4.5, $"{name}: the selected row of another pane {Ratio(p.SelectedInactive):0.0}:1");
        Assert.True(Ratio(p.FocusBorder) >= 3, $"{name}: the focused pane's border {Ratio(p.FocusBorder):0.0}:1");
        // The focused pane's bar differs from the others' (focus is visible without reading titles).
        Assert.NotEqual(p.Selected.Background, p.SelectedInactive.Background);
    }
}
