using Orchestrator.Testing;
using Orchestrator.Tui.Config;

namespace Orchestrator.Tui.Tests.Config;

[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class LayoutCatalogTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Shipped => ["overview", "agents-wall", "items-focus"];

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Every_shipped_layout_loads_without_a_warning(string name)
    {
        var (spec, warning) = new LayoutCatalog().Load(name);
        Assert.Null(warning);
        Assert.Equal(name, spec.Name);
        Assert.InRange(spec.AllPanes.Count, 1, PaneKinds.All.Count);
        Assert.True(spec.Has(spec.FocusedPane));
    }

    [Fact]
    public void The_shipped_layouts_are_listed_with_the_default_first()
    {
        Assert.Equal(["overview", "agents-wall", "items-focus"], new LayoutCatalog().Names());
    }

    [Fact]
    public void No_name_gives_the_overview_layout()
    {
        var (spec, warning) = new LayoutCatalog().Load(null);
        Assert.Null(warning);
        Assert.Equal("overview", spec.Name);
        Assert.Equal("items", spec.FocusedPane);
    }

    [Fact]
    public void The_overview_layout_gives_every_pane_room_at_80_by_24()
    {
        var spec = new LayoutCatalog().Load("overview").Spec;
        var widths = Size.Distribute(80, [.. spec.Columns.Select(c => c.Width)]);
        for (var i = 0; i < spec.Columns.Count; i++)
        {
            Assert.True(widths[i] >= 24, $"column {i} is {widths[i]} wide");
            var heights = Size.Distribute(23, [.. spec.Columns[i].Panes.Select(p => p.Height)]);
            Assert.All(heights, h => Assert.True(h >= 4, $"a pane of column {i} is {h} high")); // two lines of content at least
        }
    }

    [Fact]
    public void The_agents_wall_shows_four_tiles_a_row()
    {
        var spec = new LayoutCatalog().Load("agents-wall").Spec;
        Assert.Equal(4, spec.AllPanes.Single(p => p.Kind == PaneKinds.Tiles).TilesPerRow);
        Assert.Equal(PaneKinds.Tiles, spec.FocusedPane);
    }

    [Fact]
    public void A_layout_in_the_workspace_folder_overrides_the_shipped_one_and_the_users()
    {
        var workspace = _temp.Folder("ws/layouts");
        var user = _temp.Folder("xdg/orc/layouts");
        File.WriteAllText(Path.Combine(workspace, "overview.yaml"), "columns:\n  - panes:\n      - { pane: feed }\n");
        File.WriteAllText(Path.Combine(user, "overview.yaml"), "columns:\n  - panes:\n      - { pane: mail }\n");

        var (spec, warning) = new LayoutCatalog(workspace, user).Load("overview");

        Assert.Null(warning);
        Assert.Equal([PaneKinds.Feed], spec.AllPanes.Select(p => p.Kind));
        Assert.Equal(Size.Fill, spec.Columns[0].Width);
    }

    [Fact]
    public void A_layout_in_the_users_config_folder_is_found_and_listed()
    {
        var env = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = Path.Combine(_temp.Root, "xdg"), ["HOME"] = "/nonexistent" };
        var folders = TuiConfigFolders.Layouts(Path.Combine(_temp.Root, "ws"), k => env.GetValueOrDefault(k));
        Assert.Equal([Path.Combine(_temp.Root, "ws", "layouts"), Path.Combine(_temp.Root, "xdg", "orc", "layouts")], folders);
        _temp.Write("xdg/orc/layouts/mine.yaml",
            "name: mine\nfocus: mail\ncolumns:\n  - width: 50%\n    panes:\n      - { pane: items }\n  - panes:\n      - { pane: mail, height: 10 }\n");

        var catalog = new LayoutCatalog(folders);
        var (spec, warning) = catalog.Load("mine");

        Assert.Null(warning);
        Assert.Equal("mail", spec.FocusedPane);
        Assert.Equal(Size.Percent(50), spec.Columns[0].Width);
        Assert.Equal(Size.Absolute(10), spec.Columns[1].Panes[0].Height);
        Assert.Equal(["overview", "agents-wall", "items-focus", "mine"], catalog.Names());
    }

    [Fact]
    public void Without_XDG_CONFIG_HOME_the_user_folder_is_under_HOME()
    {
        var folders = TuiConfigFolders.Themes(null, k => k == "HOME" ? "/home/someone" : null);
        Assert.Equal(["/home/someone/.config/orc/themes"], folders);
    }

    [Fact]
    public void An_unknown_name_gives_the_overview_layout_and_the_names_there_are()
    {
        var (spec, warning) = new LayoutCatalog(_temp.Root).Load("x");
        Assert.Equal("overview", spec.Name);
        Assert.Equal("no layout 'x' (have: overview, agents-wall, items-focus); using the overview layout", warning);
    }

    [Fact]
    public void A_name_that_would_leave_the_folder_is_refused()
    {
        _temp.Write("x.yaml", "columns:\n  - panes:\n      - { pane: feed }\n");
        var inner = _temp.Folder("layouts");

        var (spec, warning) = new LayoutCatalog(inner).Load("../x");

        Assert.Equal("overview", spec.Name);
        Assert.Equal("'../x' is not a layout name (letters, digits, '-' and '_'); using the overview layout", warning);
    }

    [Theory]
    [InlineData("columns:\n  - width: [30%\n    panes: []\n", 3, "invalid YAML")]
    [InlineData("columns:\n  - width: *\n    panes:\n      - { pane: rigs }\n", 2, "write \"*\"")]
    [InlineData("columns:\n  - width: 30%\n    colour: red\n    panes:\n      - { pane: rigs }\n", 3, "unknown key 'colour' in a column")]
    [InlineData("columns:\n  - width: 30%\n    min_width: wide\n    panes:\n      - { pane: rigs }\n", 3,
        "'min_width' must be a number of cells from 1 to 1000, got 'wide'")]
    [InlineData("layout: x\ncolumns:\n  - panes:\n      - { pane: rigs }\n", 1, "unknown key 'layout'")]
    [InlineData("columns:\n  - panes:\n      - { pane: rigs }\n      - { pane: graphs }\n", 4, "unknown pane 'graphs'")]
    [InlineData("columns:\n  - width: 150%\n    panes:\n      - { pane: rigs }\n", 2, "'width' is '150%': a percentage must be a whole number from 1% to 100%")]
    [InlineData("columns:\n  - panes:\n      - { pane: rigs, height: 0% }\n", 3, "'height' is '0%'")]
    [InlineData("columns:\n  - panes:\n      - { pane: rigs }\n  - panes:\n      - { pane: feed }\n      - { pane: rigs }\n", 6,
        "pane 'rigs' is listed twice (first on line 3)")]
    [InlineData("columns:\n  - panes:\n      - { pane: tiles, tiles_per_row: 0 }\n", 3, "'tiles_per_row' must be a whole number from 1 to 8, got '0'")]
    [InlineData("columns:\n  - panes:\n      - { pane: feed, tiles_per_row: 2 }\n", 3, "'tiles_per_row' belongs to the tiles pane")]
    [InlineData("columns:\n  - width: 60%\n    panes:\n      - { pane: rigs }\n  - width: 50%\n    panes:\n      - { pane: feed }\n", 2,
        "column widths add up to 110%")]
    [InlineData("columns:\n  - panes:\n      - { pane: rigs, height: 70% }\n      - { pane: feed, height: 40% }\n", 3,
        "pane heights in this column add up to 110%")]
    [InlineData("name: bad\n", 1, "no panes")]
    [InlineData("columns:\n  - width: 30%\n    panes: []\n", 3, "no panes")]
    [InlineData("focus: mail\ncolumns:\n  - panes:\n      - { pane: rigs }\n", 1, "'focus' is 'mail', which is not a pane of this layout")]
    [InlineData("name: other\ncolumns:\n  - panes:\n      - { pane: rigs }\n", 1, "'name' is 'other' but the file is named bad.yaml")]
    public void A_broken_layout_names_its_file_and_line_and_falls_back_to_overview(string yaml, int line, string problem)
    {
        var path = _temp.Write("bad.yaml", yaml);

        var (spec, warning) = new LayoutCatalog(_temp.Root).Load("bad");

        Assert.Equal("overview", spec.Name);
        Assert.NotNull(warning);
        Assert.StartsWith($"{path}:{line}: ", warning);
        Assert.Contains(problem, warning);
        Assert.EndsWith("; using the overview layout", warning);
        Assert.DoesNotContain('\n', warning);
    }

    [Fact]
    public void A_broken_overview_in_the_workspace_falls_back_to_the_shipped_overview()
    {
        var path = _temp.Write("overview.yaml", "columns: 3\n");

        var (spec, warning) = new LayoutCatalog(_temp.Root).Load(null);

        Assert.Equal($"{path}:1: 'columns' must be a list (lines starting with '- '); using the overview layout", warning);
        Assert.Equal(8, spec.AllPanes.Count);
    }

    [Fact]
    public void A_file_larger_than_256_KB_is_refused()
    {
        var path = _temp.Write("huge.yaml", "# " + new string('x', 300 * 1024) + "\ncolumns:\n  - panes:\n      - { pane: rigs }\n");

        var (spec, warning) = new LayoutCatalog(_temp.Root).Load("huge");

        Assert.Equal("overview", spec.Name);
        Assert.Equal($"{path}: larger than 256 KB; using the overview layout", warning);
    }

    [Fact]
    public void Control_characters_from_a_file_never_reach_the_warning()
    {
        _temp.Write("evil.yaml", "columns:\n  - panes:\n      - { pane: \"\\e]0;pwned\\a\" }\n");

        var warning = new LayoutCatalog(_temp.Root).Load("evil").Warning;

        Assert.NotNull(warning);
        Assert.Contains("unknown pane '\\e]0;pwned\\x07'", warning);
        Assert.DoesNotContain(warning, c => char.IsControl(c));
    }

    [Fact]
    public void Files_with_names_that_are_not_layout_names_are_not_listed()
    {
        _temp.Write("has space.yaml", "columns: []\n");
        _temp.Write("notes.txt", "");
        Assert.Equal(["overview", "agents-wall", "items-focus"], new LayoutCatalog(_temp.Root, Path.Combine(_temp.Root, "missing")).Names());
    }
}
