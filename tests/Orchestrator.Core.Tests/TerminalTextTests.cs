using Orchestrator.Core.Text;

namespace Orchestrator.Core.Tests;

public class TerminalTextTests
{
    [Fact]
    public void ESC_becomes_backslash_e()
    {
        Assert.Equal("\\e[31mred\\e[0m", TerminalText.Line("\u001b[31mred\u001b[0m"));
    }

    [Fact]
    public void An_OSC_52_clipboard_sequence_is_neutralised()
    {
        var osc52 = "title\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007 end";

        foreach (var shown in new[] { TerminalText.Line(osc52), TerminalText.Block(osc52) })
        {
            Assert.DoesNotContain('\u001b', shown);
            Assert.DoesNotContain('\u0007', shown);
            Assert.Equal("title\\e]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07 end", shown);
        }
    }

    [Theory]
    [InlineData("\u009b2J", "\\x9b2J")]
    [InlineData("\u0090", "\\x90")]
    [InlineData("\u0085", "\\x85")]
    [InlineData("\u007f", "\\x7f")]
    [InlineData("\0", "\\0")]
    [InlineData("\r", "\\r")]
    [InlineData("\b", "\\x08")]
    public void Other_control_characters_are_escaped(string input, string expected)
    {
        Assert.Equal(expected, TerminalText.Line(input));
        Assert.Equal(expected, TerminalText.Block(input));
    }

    [Fact]
    public void Block_keeps_newlines_and_tabs_that_Line_escapes()
    {
        const string text = "one\ntwo\tthree";

        Assert.Equal(text, TerminalText.Block(text));
        Assert.Equal("one\\ntwo\\tthree", TerminalText.Line(text));
    }

    [Fact]
    public void Block_escapes_a_carriage_return_that_could_overwrite_a_line()
    {
        Assert.Equal("safe\\rfake\n", TerminalText.Block("safe\rfake\n"));
    }

    [Fact]
    public void A_lone_surrogate_is_replaced_and_a_valid_pair_is_kept()
    {
        Assert.Equal("a\uFFFDb", TerminalText.Line("a\ud800b"));
        Assert.Equal("a\uFFFD", TerminalText.Line("a\udc00"));
        Assert.Equal("party 🎉 \uFFFD", TerminalText.Block("party 🎉 \udc00"));
        Assert.Equal("🎉", TerminalText.Line("🎉"));
    }

    [Theory]
    [InlineData("\u202e", "\\u202e")]
    [InlineData("\u202d", "\\u202d")]
    [InlineData("\u2066", "\\u2066")]
    [InlineData("\u2067", "\\u2067")]
    [InlineData("\u2068", "\\u2068")]
    [InlineData("\u2069", "\\u2069")]
    [InlineData("\u2028", "\\u2028")]
    [InlineData("\u2029", "\\u2029")]
    public void Bidi_overrides_and_line_separators_are_escaped(string c, string expected)
    {
        Assert.Equal($"file{expected}txt.exe", TerminalText.Line($"file{c}txt.exe"));
    }

    [Fact]
    public void Plain_text_is_returned_as_the_same_instance()
    {
        var plain = "Plain text, ünïcödé, 日本語 and \"quotes\"";
        var multi = "line one\n\tindented";

        Assert.Same(plain, TerminalText.Line(plain));
        Assert.Same(plain, TerminalText.Block(plain));
        Assert.Same(multi, TerminalText.Block(multi));
    }

    [Fact]
    public void Null_and_empty_become_empty()
    {
        Assert.Equal("", TerminalText.Line(null));
        Assert.Equal("", TerminalText.Block(""));
    }

    [Theory]
    [InlineData("plain", false, false)]
    [InlineData("a\nb", false, true)]
    [InlineData("a\nb", true, false)]
    [InlineData("a\tb", true, false)]
    [InlineData("a\u001bb", true, true)]
    [InlineData("a\u009bb", true, true)]
    [InlineData("a\u202eb", true, true)]
    public void HasControl_finds_characters_that_would_be_escaped(string text, bool allowNewlines, bool expected)
    {
        Assert.Equal(expected, TerminalText.HasControl(text, allowNewlines));
    }
}

public sealed class PluralTests
{
    [Theory]
    [InlineData(0, "0 agents")]
    [InlineData(1, "1 agent")]
    [InlineData(2, "2 agents")]
    public void Counts_read_as_people_write_them(int n, string expected) =>
        Assert.Equal(expected, Orchestrator.Core.Text.Plural.Of(n, "agent"));

    [Fact]
    public void An_irregular_plural_is_given() => Assert.Equal("3 boxes", Orchestrator.Core.Text.Plural.Of(3, "box", "boxes"));
}
