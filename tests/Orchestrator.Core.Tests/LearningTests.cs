using Orchestrator.Core.Convoys;
using Orchestrator.Core.Items;
using Orchestrator.Core.Knowledge;

namespace Orchestrator.Core.Tests;

public sealed class LearningSelectionTests
{
    private static int _n;

    private static Learning L(string text, string? rig = null, string? role = null, string at = "2026-01-01T00:00:00.0000000Z", params string[] tags) =>
        new() { Id = $"ln-{Interlocked.Increment(ref _n):000000}", Text = text, Rig = rig, Role = role, Tags = [.. tags], CreatedAt = at };

    private static readonly LearningAudience AppPolecat = new("app", "polecat", new HashSet<string>());

    [Fact]
    public void Workspace_wide_rig_and_role_learnings_are_relevant_and_other_rigs_and_roles_are_not()
    {
        var all = new[]
        {
            L("everyone"), L("app", rig: "app"), L("web", rig: "web"), L("polecats", role: "polecat"),
            L("the mayor", role: "mayor"), L("app polecats", rig: "app", role: "polecat"), L("web crew", rig: "web", role: "crew"),
        };
        var shown = LearningSelection.Select(all, AppPolecat, 10_000).Shown.Select(l => l.Text).ToList();
        Assert.Equal(["app polecats", "app", "polecats", "everyone"], shown);
    }

    [Fact]
    public void More_specific_learnings_come_first_then_those_whose_tags_name_the_item_then_the_newest()
    {
        var old = L("old general", at: "2026-01-01T00:00:00.0000000Z");
        var recent = L("recent general", at: "2026-03-01T00:00:00.0000000Z");
        var tagged = L("about the parser", at: "2025-01-01T00:00:00.0000000Z", tags: "parser");
        var rig = L("rig app", rig: "app", at: "2025-01-01T00:00:00.0000000Z");
        var item = new WorkItem { Id = "app-1", Title = "Fix the parser crash", Labels = ["bug"], Files = ["src/lexer/tokens.cs"] };
        var who = LearningAudience.For("app", "polecat", item);
        var shown = LearningSelection.Select([old, recent, tagged, rig], who, 10_000).Shown;
        Assert.Equal(["rig app", "about the parser", "recent general", "old general"], shown.Select(l => l.Text));

        // A tag naming a file or folder the item owns, or its label, counts too.
        Assert.True(LearningSelection.Score(L("x", tags: "lexer"), who) > 0);
        Assert.True(LearningSelection.Score(L("x", tags: "tokens"), who) > 0);
        Assert.True(LearningSelection.Score(L("x", tags: "bug"), who) > 0);
        Assert.Equal(0, LearningSelection.Score(L("x", tags: "unrelated"), who));
    }

    [Fact]
    public void The_selection_stays_within_its_budget_and_says_how_many_were_left_out()
    {
        var all = Enumerable.Range(0, 40).Select(i => L($"lesson {i:00} " + new string('x', 60), at: $"2026-01-{i % 28 + 1:00}T00:00:00.0000000Z")).ToList();
        var pick = LearningSelection.Select(all, AppPolecat, 500);
        var printed = string.Join("\n", pick.Shown.Select(LearningSelection.Line)) + "\n";
        Assert.True(printed.Length <= 500, $"{printed.Length} characters");
        Assert.True(pick.Shown.Count >= 5, $"{pick.Shown.Count} shown");
        Assert.Equal(40, pick.Relevant);
        Assert.Equal(40 - pick.Shown.Count, pick.LeftOut);
        // The newest first.
        Assert.Equal(pick.Shown.Select(l => l.CreatedAt).OrderDescending(StringComparer.Ordinal), pick.Shown.Select(l => l.CreatedAt));
    }

    [Fact]
    public void A_learning_that_does_not_fit_is_skipped_and_a_shorter_one_after_it_still_goes_in()
    {
        var big = L(new string('b', 380), rig: "app");
        var small = L("small one");
        var pick = LearningSelection.Select([big, small], AppPolecat, 100);
        Assert.Equal([small], pick.Shown);
        Assert.Equal(1, pick.LeftOut);
    }

    [Fact]
    public void A_budget_of_zero_shows_nothing_and_counts_every_relevant_learning_as_left_out()
    {
        var pick = LearningSelection.Select([L("a"), L("b", rig: "app"), L("c", rig: "web")], AppPolecat, 0);
        Assert.Empty(pick.Shown);
        Assert.Equal((2, 2), (pick.Relevant, pick.LeftOut));
    }

    [Fact]
    public void A_printed_learning_shows_control_characters_instead_of_sending_them()
    {
        var line = LearningSelection.Line(L("evil \u001b]52;c;AAAA\u0007 \u202eright-to-left", rig: "app"));
        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\u0007', line);
        Assert.DoesNotContain('\u202e', line);
        Assert.Contains("\\e]52;c;AAAA\\x07", line);
        Assert.StartsWith("- [rig app] evil", line);
    }
}

public sealed class LearningRulesTests
{
    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("two\nlines", "one line")]
    [InlineData("bell \u0007", "control character")]
    public void Bad_text_is_one_clear_usage_error(string text, string expected)
    {
        var ex = Assert.Throws<OrcException>(() => LearningRules.Text(text));
        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        Assert.Contains(expected, ex.Message);
        Assert.StartsWith("TEXT:", ex.Message);
    }

    [Fact]
    public void Text_longer_than_the_limit_is_refused_with_the_limit()
    {
        var ex = Assert.Throws<OrcException>(() => LearningRules.Text(new string('a', LearningRules.MaxTextLength + 1)));
        Assert.Contains($"at most {LearningRules.MaxTextLength}", ex.Message);
        Assert.Equal("ok  with $(shell) `text`", LearningRules.Text("  ok  with $(shell) `text` "));
    }

    [Fact]
    public void Roles_tags_and_ids_are_checked()
    {
        Assert.Equal("mayor", LearningRules.Role("Mayor"));
        Assert.Null(LearningRules.Role(null));
        Assert.Equal(ExitCodes.Usage, Assert.Throws<OrcException>(() => LearningRules.Role("king")).ExitCode);
        Assert.Equal(["gate", "ci"], LearningRules.Tags(["Gate", "ci", "gate"]));
        Assert.Throws<OrcException>(() => LearningRules.Tags(["two words"]));
        Assert.True(LearningRules.IsId(LearningRules.NewId(new Random(1))));
        Assert.False(LearningRules.IsId("ln-../x1"));
        Assert.True(LearningRules.SameAs(
            new Learning { Id = "ln-aaaaaa", Text = "Run  the Gate", Rig = "app", CreatedAt = "" },
            new Learning { Id = "ln-bbbbbb", Text = "run the gate", Rig = "app", CreatedAt = "" }));
    }
}

public sealed class ConvoyLessonsTests
{
    private static WorkItem Item(string id, string title, params (string Author, string Text)[] comments) => new()
    {
        Id = id, Title = title, Status = Statuses.Closed,
        Comments = comments.Select((c, i) => new Comment { Id = i + 1, IssueId = id, Author = c.Author, Text = c.Text,
            CreatedAt = $"2026-01-01T00:00:0{i}.0000000Z" }).ToList(),
    };

    [Fact]
    public void A_landed_convoy_teaches_its_conflicts_gate_failures_reviews_and_done_notes_to_its_rigs()
    {
        var a = Item("app-1", "Parser",
            ("nux", "submitted to the merge queue of app: branch polecat/nux/app-1 at 0123456789ab (1 commit)"),
            ("me", "the refinery returned this to nux: conflicts with main in src/parser.cs, README.md\n\nCONFLICT (content)"),
            ("nux", "submitted to the merge queue of app: branch polecat/nux/app-1 at 0123456789ab (2 commits)\nThe lexer keeps state between calls: reset it in tests."));
        var b = Item("app-2", "Tokens",
            ("me", "the refinery returned this to slit: the gate (make test) failed\n\nok 1\nFAIL tokens_test: expected 2, got 3\n---\n"),
            ("me", "the refinery returned this to slit: rejected by alice: please keep the public API"));
        var c = Item("web-1", "Page", ("fury", "submitted to the merge queue of web: branch polecat/fury/web-1 at 0123456789ab (1 commit)"));
        var convoy = new Convoy
        {
            Name = "c1", Items = ["app-1", "app-2", "web-1"], State = ConvoyStates.Landed, CreatedAt = "2026-01-01T00:00:00Z",
            Report = new ConvoyReport { Convoy = "c1", Items = 3, ConflictsPredicted = 0, ConflictsMet = 1, MetItems = ["app-1"], AgentSeconds = 200,
                AgentWallSeconds = 90, QueueSeconds = 300 },
        };
        var lessons = ConvoyLessons.Extract(convoy, [new(a, "app"), new(b, "app"), new(c, "web")]);

        var conflict = Assert.Single(lessons, l => l.Tags.Contains("conflict"));
        Assert.Equal("app", conflict.Rig);
        Assert.Contains("app-1 met merge conflicts in README.md, src/parser.cs (the plan did not predict them)", conflict.Text);
        Assert.Contains("orc item update ID --file PATH", conflict.Text);
        Assert.Contains("parser", conflict.Tags); // the file's name: it ranks first for an item owning that file

        var gate = Assert.Single(lessons, l => l.Tags.Contains("gate"));
        Assert.Equal("app", gate.Rig);
        Assert.Contains("The gate `make test` failed 1 time in convoy c1 (app-2); last failure: FAIL tokens_test: expected 2, got 3", gate.Text);

        var review = Assert.Single(lessons, l => l.Tags.Contains("review"));
        Assert.Contains("rejected by alice: please keep the public API", review.Text);

        var note = Assert.Single(lessons, l => l.Tags.Contains("done-note"));
        Assert.Equal(("app", "app-1"), (note.Rig, note.Item));
        Assert.EndsWith("The lexer keeps state between calls: reset it in tests.", note.Text);

        // For the mayor: more conflicts than predicted, and a merge queue slower than the agents.
        var mayor = lessons.Where(l => l.Role == "mayor").ToList();
        Assert.Equal(2, mayor.Count);
        Assert.All(mayor, l => Assert.Null(l.Rig));
        Assert.Contains(mayor, l => l.Text.Contains("met 1 conflict where the plan predicted 0"));
        Assert.Contains(mayor, l => l.Text.Contains("waited longer in the merge queue"));

        Assert.All(lessons, l => Assert.True(l.Text.Length <= LearningRules.MaxTextLength));
        Assert.All(lessons, l => Assert.Contains("c1", l.Tags)); // the convoy: list them with --tag c1
        Assert.DoesNotContain(lessons, l => l.Rig == "web"); // web-1 went through without a note or a finding
    }

    [Fact]
    public void A_convoy_that_went_smoothly_teaches_nothing()
    {
        var convoy = new Convoy { Name = "calm", Items = ["app-1"], State = ConvoyStates.Landed, CreatedAt = "2026-01-01T00:00:00Z",
            Report = new ConvoyReport { Convoy = "calm", Items = 1 } };
        Assert.Empty(ConvoyLessons.Extract(convoy, [new(Item("app-1", "x", ("nux", "submitted to the merge queue of app: branch b at 0123456789ab (1 commit)")),
            "app")]));
    }
}
