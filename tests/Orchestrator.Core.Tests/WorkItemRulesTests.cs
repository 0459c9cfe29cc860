using Orchestrator.Core.Items;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

public class WorkItemRulesTests
{
    [Fact]
    public void A_title_up_to_the_limit_is_accepted_as_given()
    {
        var title = new string('t', ItemLimits.TitleLength);

        Assert.Same(title, WorkItemRules.Title(title));
        Assert.Equal("Ünïcödé 🎉 title", WorkItemRules.Title("Ünïcödé 🎉 title"));
    }

    [Fact]
    public void A_title_over_the_limit_names_its_length_and_the_limit()
    {
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Title(new string('t', 1024 * 1024)));

        Assert.Equal("title: is 1,048,576 characters long; the limit is 500", ex.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \t ")]
    public void An_empty_title_is_rejected(string? title)
    {
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Title(title));

        Assert.Equal("title: must not be empty", ex.Message);
    }

    [Theory]
    [InlineData("a\u001bb", "ESC at position 2")]
    [InlineData("\0", "NUL at position 1")]
    [InlineData("ab\u0007", "BEL at position 3")]
    [InlineData("a\nb", "newline")]
    [InlineData("a\tb", "tab")]
    [InlineData("a\rb", "carriage return")]
    [InlineData("a\u007fb", "U+007F")]
    [InlineData("a\u009bb", "U+009B")]
    public void A_control_character_in_a_title_is_named_with_its_position(string title, string expected)
    {
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Title(title, "--title"));

        Assert.StartsWith("--title: contains a control character", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void A_lone_surrogate_is_invalid_text()
    {
        // Built in code: attribute arguments are stored as UTF-8, which turns lone surrogates into U+FFFD.
        string[] titles = ["a\ud800b", "ab\udc00", "\ud800", "\udc00\ud800"];

        foreach (var title in titles)
        {
            var ex = Assert.Throws<OrcException>(() => WorkItemRules.Title(title));
            Assert.Contains("lone surrogate", ex.Message);
        }
        Assert.Contains("position 2", Assert.Throws<OrcException>(() => WorkItemRules.Text("a\ud800", "notes")).Message);
    }

    [Fact]
    public void Text_allows_newlines_tabs_and_carriage_returns_but_not_escapes()
    {
        Assert.Null(WorkItemRules.Text(null, "notes"));
        Assert.Equal("", WorkItemRules.Text("", "notes"));
        Assert.Equal("a\r\nb\tc", WorkItemRules.Text("a\r\nb\tc", "notes"));

        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Text("a\n\u001b[2J", "notes"));
        Assert.StartsWith("notes: contains a control character (ESC at position 3)", ex.Message);
        Assert.EndsWith("(newlines and tabs are)", ex.Message);
    }

    [Fact]
    public void Text_over_the_limit_is_rejected()
    {
        Assert.NotNull(WorkItemRules.Text(new string('x', ItemLimits.TextLength), "description"));

        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Text(new string('x', ItemLimits.TextLength + 1), "description"));

        Assert.Equal("description: is 262,145 characters long; the limit is 262,144", ex.Message);
    }

    [Fact]
    public void A_name_is_trimmed_of_nothing_and_empty_means_none()
    {
        Assert.Null(WorkItemRules.Name(null, "assignee"));
        Assert.Null(WorkItemRules.Name("", "assignee"));
        Assert.Equal("ana maria", WorkItemRules.Name("ana maria", "assignee"));
        Assert.StartsWith("assignee: must not start or end", Assert.Throws<OrcException>(() => WorkItemRules.Name(" ana", "assignee")).Message);
        Assert.StartsWith("owner: is 129", Assert.Throws<OrcException>(() => WorkItemRules.Name(new string('n', 129), "owner")).Message);
        Assert.StartsWith("owner: contains a control character", Assert.Throws<OrcException>(() => WorkItemRules.Name("a\nb", "owner")).Message);
    }

    [Theory]
    [InlineData("open", "open")]
    [InlineData(" In-Progress ", "in_progress")]
    [InlineData("IN_PROGRESS", "in_progress")]
    [InlineData("blocked", "blocked")]
    [InlineData("deferred", "deferred")]
    [InlineData("closed", "closed")]
    [InlineData("hooked", "hooked")]
    [InlineData("pinned", "pinned")]
    public void Settable_statuses_are_normalised(string input, string expected)
    {
        Assert.Equal(expected, WorkItemRules.Status(input));
    }

    [Theory]
    [InlineData("tombstone")]
    [InlineData("done")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_statuses_are_rejected_with_the_list_of_valid_ones(string? status)
    {
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Status(status));

        Assert.StartsWith("status: unknown status", ex.Message);
        Assert.Contains("open, in_progress, blocked, deferred, closed, hooked, pinned", ex.Message);
    }

    [Fact]
    public void An_unknown_status_with_an_escape_is_shown_escaped()
    {
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Status("\u001b]0;pwned\u0007"));

        Assert.DoesNotContain('\u001b', ex.Message);
        Assert.DoesNotContain('\u0007', ex.Message);
        Assert.Contains("\\e]0;pwned\\x07", ex.Message);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("4", 4)]
    [InlineData("P0", 0)]
    [InlineData("p3", 3)]
    [InlineData(" 2 ", 2)]
    public void Priorities_are_0_to_4_with_an_optional_P(string input, int expected)
    {
        Assert.Equal(expected, WorkItemRules.Priority(input));
    }

    [Theory]
    [InlineData("5", "out of range")]
    [InlineData("-1", "out of range")]
    [InlineData("P5", "out of range")]
    [InlineData("P", "is not a priority")]
    [InlineData("P10", "is not a priority")]
    [InlineData("high", "is not a priority")]
    [InlineData("1.0", "is not a priority")]
    [InlineData("", "is not a priority")]
    [InlineData("99999999999", "is not a priority")]
    public void Other_priorities_are_rejected(string input, string expected)
    {
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Priority(input));

        Assert.StartsWith("priority: ", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData("task", "task")]
    [InlineData(" Bug ", "bug")]
    [InlineData("merge-request", "merge-request")]
    [InlineData("my_type2", "my_type2")]
    public void Types_are_words_of_letters_digits_dashes_and_underscores(string input, string expected)
    {
        Assert.Equal(expected, WorkItemRules.Type(input));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("bug!")]
    [InlineData("tâche")]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefg")]
    public void Other_types_are_rejected(string input)
    {
        Assert.StartsWith("type: ", Assert.Throws<OrcException>(() => WorkItemRules.Type(input)).Message);
    }

    [Theory]
    [InlineData("area/parser")]
    [InlineData("p1")]
    [InlineData("ünïcode")]
    public void Plain_labels_are_accepted(string label)
    {
        Assert.Equal(label, WorkItemRules.Label(label));
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("has space", "may not contain")]
    [InlineData("a,b", "may not contain")]
    [InlineData("tab\t", "may not contain")]
    [InlineData("nbsp\u00a0", "may not contain")]
    [InlineData("esc\u001b", "may not contain")]
    [InlineData("rtl\u202e", "may not contain")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "the limit is 64")]
    public void Bad_labels_are_rejected(string label, string expected)
    {
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Label(label));

        Assert.StartsWith("label: ", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain('\u001b', ex.Message);
    }

    [Fact]
    public void Labels_are_deduplicated_before_the_limit_is_counted()
    {
        var hundred = Enumerable.Range(0, 100).Select(i => $"l{i}").ToList();

        Assert.Equal(100, WorkItemRules.Labels(hundred.Concat(hundred)).Count);
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.Labels(hundred.Append("one-more")));
        Assert.Equal("label: 101 labels; the limit is 100 per item", ex.Message);
    }

    [Theory]
    [InlineData("blocks", "blocks")]
    [InlineData(" Waits-For ", "waits-for")]
    [InlineData("PARENT-CHILD", "parent-child")]
    [InlineData("discovered-from", "discovered-from")]
    public void Dependency_types_are_normalised(string input, string expected)
    {
        Assert.Equal(expected, WorkItemRules.DependencyType(input));
    }

    [Fact]
    public void An_unknown_dependency_type_lists_the_known_ones()
    {
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.DependencyType("depends"));

        Assert.StartsWith("--type: unknown dependency type 'depends'", ex.Message);
        Assert.Contains("blocks, conditional-blocks, waits-for, parent-child, related, discovered-from", ex.Message);
    }

    [Theory]
    [InlineData("+3d", "2026-03-04T12:00:00.0000000Z")]
    [InlineData("+12h", "2026-03-02T00:00:00.0000000Z")]
    [InlineData("+30m", "2026-03-01T12:30:00.0000000Z")]
    [InlineData("+2w", "2026-03-15T12:00:00.0000000Z")]
    [InlineData("2026-12-01", "2026-12-01T00:00:00.0000000Z")]
    [InlineData("2026-12-01T09:00:00+02:00", "2026-12-01T07:00:00.0000000Z")]
    [InlineData(" 2026-12-01T09:00:00.123456789Z ", "2026-12-01T09:00:00.1234567Z")]
    public void When_accepts_relative_and_absolute_times(string input, string expected)
    {
        Assert.Equal(expected, WorkItemRules.When(input, Now, "defer-until"));
    }

    [Theory]
    [InlineData("+3y")]
    [InlineData("+d")]
    [InlineData("+-3d")]
    [InlineData("tomorrow")]
    [InlineData("")]
    [InlineData(null)]
    public void When_rejects_what_is_not_a_time(string? input)
    {
        var ex = Assert.Throws<OrcException>(() => WorkItemRules.When(input, Now, "defer-until"));

        Assert.StartsWith("defer-until: ", ex.Message);
        Assert.Contains("is not a date", ex.Message);
    }

    [Fact]
    public void A_file_path_uses_forward_slashes()
    {
        Assert.Equal("src/Core/A.cs", WorkItemRules.File("src\\Core\\A.cs"));
        Assert.StartsWith("file: must not be empty", Assert.Throws<OrcException>(() => WorkItemRules.File(" ")).Message);
        Assert.StartsWith("file: is 1,025 characters long; the limit is 1024", Assert.Throws<OrcException>(() => WorkItemRules.File(new string('a',
            1025))).Message);
        Assert.StartsWith("file: contains a control character", Assert.Throws<OrcException>(() => WorkItemRules.File("a\nb")).Message);
    }

    [Fact]
    public void Every_error_message_is_one_line()
    {
        Action[] calls =
        [
            () => WorkItemRules.Title("a\nb"),
            () => WorkItemRules.Status("x\ny"),
            () => WorkItemRules.Priority("1\n2"),
            () => WorkItemRules.Type("a\nb"),
            () => WorkItemRules.Label("a\nb"),
            () => WorkItemRules.DependencyType("a\nb"),
            () => WorkItemRules.When("a\nb", Now, "defer-until"),
        ];

        foreach (var call in calls)
        {
            var ex = Assert.Throws<OrcException>(call);
            Assert.DoesNotContain('\n', ex.Message);
            Assert.Equal(ExitCodes.Failure, ex.ExitCode);
        }
    }
}
