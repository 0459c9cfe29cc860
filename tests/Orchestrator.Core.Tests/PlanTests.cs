using Orchestrator.Core.Planning;

namespace Orchestrator.Core.Tests;

public sealed class PlanTests
{
    private static readonly string[] AppFiles =
    [
        "README.md", "cli.py", "src/routes.py", "src/app/x.cs", "src/a.cs", "docs/a.md", "docs/guide/b.md", "config/app.yaml",
    ];

    private static PlanInput P(string id, int priority = 2, string[]? files = null, string[]? deps = null, string? rig = null, bool closed = false)
        => new(id, priority, files ?? [], deps ?? [], rig, closed);

    private static PlanResult Build(params PlanInput[] items) => CoordinationPlan.Build(items, _ => AppFiles);

    private static string[][] Waves(PlanResult r) => r.Waves.Select(w => w.ToArray()).ToArray();

    [Fact]
    public void Items_with_disjoint_files_run_together_in_the_first_wave()
    {
        var r = Build(P("x-b", files: ["cli.py"]), P("x-a", files: ["src/routes.py"]), P("x-c", files: ["docs/"]));
        Assert.Equal([["x-a", "x-b", "x-c"]], Waves(r));
        Assert.Empty(r.Conflicts);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void A_shared_file_serialises_two_items_in_priority_order()
    {
        var r = Build(P("x-a", 2, ["src/routes.py", "cli.py"]), P("x-b", 0, ["src/routes.py"]), P("x-c", 1, ["docs/a.md"]));
        Assert.Equal([["x-b", "x-c"], ["x-a"]], Waves(r));
        var c = Assert.Single(r.Conflicts);
        Assert.Equal(("x-a", "x-b"), (c.A, c.B));
        Assert.Equal(["src/routes.py"], c.Shared);
    }

    [Fact]
    public void A_dependent_goes_in_a_later_wave_than_its_dependency()
    {
        var r = Build(P("x-a", 0, deps: ["x-b"]), P("x-b", 2), P("x-c", 1, deps: ["x-a"]));
        Assert.Equal([["x-b"], ["x-a"], ["x-c"]], Waves(r));
    }

    [Fact]
    public void Dependencies_on_closed_or_outside_items_are_ignored_and_closed_items_are_not_placed()
    {
        var r = Build(P("x-a", deps: ["x-done", "x-elsewhere"]), P("x-done", closed: true, files: ["cli.py"]), P("x-b", files: ["cli.py"]));
        Assert.Equal([["x-a", "x-b"]], Waves(r));
        Assert.Empty(r.Conflicts);
    }

    [Fact]
    public void A_folder_claim_conflicts_with_a_file_under_it()
    {
        var r = Build(P("x-a", files: ["docs/"]), P("x-b", files: ["docs/a.md"]));
        Assert.Equal(["docs/a.md"], Assert.Single(r.Conflicts).Shared);
        Assert.Equal(2, r.Waves.Count);
        Assert.True(FileClaims.PatternsOverlap("docs/", "docs/new.md"));
        Assert.True(FileClaims.PatternsOverlap("docs", "docs/new.md"));
        Assert.False(FileClaims.PatternsOverlap("docs/", "docsy/a.md"));
    }

    [Fact]
    public void A_folder_without_a_trailing_slash_expands_to_the_files_under_it()
    {
        Assert.Equal(["docs/a.md", "docs/guide/b.md"], FileClaims.Expand("docs", AppFiles));
        Assert.Equal(["docs/guide/b.md"], FileClaims.Expand("./docs/guide/", AppFiles));
        Assert.Equal(["cli.py"], FileClaims.Expand("cli.py", AppFiles));
    }

    [Fact]
    public void Globs_conflict_only_where_they_can_match()
    {
        var r = Build(P("x-a", files: ["src/**/*.cs"]), P("x-b", files: ["src/app/x.cs"]), P("x-c", files: ["*.md"]), P("x-d", files: ["src/a.cs"]));
        Assert.Equal(["src/a.cs", "src/app/x.cs"], FileClaims.Expand("src/**/*.cs", AppFiles));
        Assert.Equal(["README.md"], FileClaims.Expand("*.md", AppFiles));
        Assert.Equal(["config/app.yaml"], FileClaims.Expand("config/a?p.yaml", AppFiles)); // '?' is matched as '*': never less
        Assert.Equal([("x-a", "x-b"), ("x-a", "x-d")], r.Conflicts.Select(c => (c.A, c.B)));
        Assert.Equal([["x-a", "x-c"], ["x-b", "x-d"]], Waves(r));

        Assert.True(FileClaims.PatternsOverlap("src/**/*.cs", "src/app/x.cs"));
        Assert.True(FileClaims.PatternsOverlap("src/**/*.cs", "src/app/"));
        Assert.True(FileClaims.PatternsOverlap("src/**/*.cs", "src/*/y.cs"));
        Assert.True(FileClaims.PatternsOverlap("config/*.yaml", "config/new.yaml"));
        Assert.False(FileClaims.PatternsOverlap("*.md", "src/a.cs"));
        Assert.False(FileClaims.PatternsOverlap("*.md", "*.cs"));
        Assert.False(FileClaims.PatternsOverlap("config/*.yaml", "config/app.json"));
        Assert.False(FileClaims.PatternsOverlap("src/**/*.cs", "docs/x.cs"));
    }

    [Fact]
    public void Items_on_different_rigs_never_conflict()
    {
        var r = CoordinationPlan.Build([P("x-a", files: ["cli.py"], rig: "app"), P("x-b", files: ["cli.py"], rig: "web"), P("x-c", files: ["cli.py"],
            rig: "app")],
            rig => rig is null ? null : AppFiles);
        var c = Assert.Single(r.Conflicts);
        Assert.Equal(("x-a", "x-c"), (c.A, c.B));
        Assert.Equal([["x-a", "x-b"], ["x-c"]], Waves(r));
    }

    [Fact]
    public void A_pattern_matching_nothing_warns_and_still_conflicts_with_the_same_pattern()
    {
        var r = Build(P("x-a", files: ["src/new.py"]), P("x-b", files: ["./src/new.py", "cli.py"]));
        Assert.Equal([("x-a", "src/new.py"), ("x-b", "src/new.py")], r.Warnings.Select(w => (w.Item, w.Pattern)));
        Assert.Contains("matches no file", r.Warnings[0].Text);
        Assert.Equal(["src/new.py"], Assert.Single(r.Conflicts).Shared);
        Assert.Equal([["x-a"], ["x-b"]], Waves(r));
    }

    [Fact]
    public void Without_the_rig_files_patterns_are_compared_textually_and_nothing_warns()
    {
        var r = CoordinationPlan.Build([P("x-a", files: ["docs/"]), P("x-b", files: ["docs/new.md"]), P("x-c", files: ["cli.py"])], _ => null);
        Assert.Empty(r.Warnings);
        Assert.Equal(["docs/", "docs/new.md"], Assert.Single(r.Conflicts).Shared);
    }

    [Fact]
    public void A_dependency_cycle_throws_naming_the_cycle()
    {
        var e = Assert.Throws<OrcException>(() => Build(P("x-a", deps: ["x-b"]), P("x-b", deps: ["x-a"]), P("x-c")));
        Assert.Contains("x-a → x-b → x-a", e.Message);
        var self = Assert.Throws<OrcException>(() => Build(P("x-a", deps: ["x-a"])));
        Assert.Contains("x-a → x-a", self.Message);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("src/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("C:\\x")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("./")]
    [InlineData(".git")]
    [InlineData("./.git/hooks/")]
    [InlineData("sub/.GIT/config")]
    public void Normalize_rejects_empty_absolute_and_parent_patterns(string pattern)
    {
        var e = Assert.Throws<OrcException>(() => FileClaims.Normalize(pattern));
        Assert.Contains($"'{pattern}'", e.Message);
    }

    [Theory]
    [InlineData(" ./src\\app//x.cs ", "src/app/x.cs")]
    [InlineData("docs/", "docs/")]
    [InlineData("src/./a.cs", "src/a.cs")]
    public void Normalize_cleans_up_a_pattern(string pattern, string expected) => Assert.Equal(expected, FileClaims.Normalize(pattern));

    [Fact]
    public void An_invalid_claim_in_the_plan_names_the_item()
    {
        var e = Assert.Throws<OrcException>(() => Build(P("x-a", files: ["../x"])));
        Assert.StartsWith("x-a: ", e.Message);
    }

    [Fact]
    public void LiveOverlaps_finds_pairs_sharing_a_changed_file()
    {
        var overlaps = LiveOverlaps.Among(new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["x-c"] = ["src/routes.py", "cli.py"],
            ["x-a"] = ["cli.py", "src/routes.py", "README.md"],
            ["x-b"] = ["docs/a.md"],
        });
        var o = Assert.Single(overlaps);
        Assert.Equal(("x-a", "x-c"), (o.A, o.B));
        Assert.Equal(["cli.py", "src/routes.py"], o.Files);
    }

    [Fact]
    public void The_same_items_in_another_order_give_the_same_plan()
    {
        PlanInput[] items =
        [
            P("x-a", 1, ["src/routes.py"]), P("x-b", 1, ["src/routes.py"]), P("x-c", 0, ["docs/"], ["x-d"]),
            P("x-d", 2, ["docs/a.md"]), P("x-e", 2, ["cli.py"], ["x-a"]), P("x-f", 3, ["config/*.yaml"]),
        ];
        var first = Build(items);
        var reversed = Build([.. items.Reverse()]);
        Assert.Equal(Waves(first), Waves(reversed));
        Assert.Equal(first.Conflicts.Select(c => (c.A, c.B)), reversed.Conflicts.Select(c => (c.A, c.B)));
        Assert.Equal([["x-a", "x-d", "x-f"], ["x-c", "x-b", "x-e"]], Waves(first));
    }
}
