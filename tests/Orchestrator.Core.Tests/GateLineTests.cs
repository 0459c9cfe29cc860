using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Tests;

/// <summary>A rig's gate: one command line, run without a shell unless it uses shell syntax.</summary>
public class GateLineTests
{
    [Theory]
    [InlineData("dotnet test", new[] { "dotnet", "test" })]
    [InlineData("  make   test  ", new[] { "make", "test" })]
    [InlineData("./check.sh \"two words\" 'and three words'", new[] { "./check.sh", "two words", "and three words" })]
    [InlineData("echo 'a $HOME b'", new[] { "echo", "a $HOME b" })]      // single quotes: nothing to expand
    [InlineData("grep -r a\\ b .", new[] { "grep", "-r", "a b", "." })]
    [InlineData("npm run test:ci", new[] { "npm", "run", "test:ci" })]
    [InlineData("python3 -m pytest -k 'not slow'", new[] { "python3", "-m", "pytest", "-k", "not slow" })]
    public void A_plain_line_runs_directly_as_its_words(string line, string[] argv)
    {
        Assert.False(CommandWords.UsesShell(line), line);
        Assert.Equal(argv, GateLine.Argv(line));
    }

    [Theory]
    [InlineData("make test && ./lint")]
    [InlineData("make test || true")]
    [InlineData("make; make test")]
    [InlineData("npm test | tee log")]
    [InlineData("make test > out.txt")]
    [InlineData("echo $HOME")]
    [InlineData("echo \"$HOME\"")]                   // double quotes still expand
    [InlineData("echo `date`")]
    [InlineData("ls *.cs")]
    [InlineData("cd src && make")]
    [InlineData("CI=1 make test")]
    [InlineData("if true; then echo ok; fi")]
    [InlineData("~/bin/check")]
    public void A_line_with_shell_syntax_runs_with_sh(string line)
    {
        Assert.True(CommandWords.UsesShell(line), line);
        Assert.Equal(["sh", "-c", line], GateLine.Argv(line));
    }

    [Fact]
    public void Empty_is_no_gate()
    {
        Assert.Empty(GateLine.Argv(""));
        Assert.Empty(GateLine.Argv("   "));
        Assert.Equal("", GateLine.FromOptions([]));
    }

    [Fact]
    public void One_option_is_the_line_and_several_are_the_old_one_word_each_form()
    {
        Assert.Equal("dotnet test", GateLine.FromOptions(["dotnet test"]));
        Assert.Equal("dotnet test", GateLine.FromOptions(["dotnet", "test"]));
        var words = new[] { "sh", "/tmp/my dir/$(touch x).sh", "it's" };
        var line = GateLine.FromOptions(words);
        Assert.False(CommandWords.UsesShell(line), line); // quoted, so still run directly, word for word
        Assert.Equal(words, GateLine.Argv(line));
    }

    [Fact]
    public void An_unclosed_quote_or_a_second_line_is_a_problem_named_in_words()
    {
        Assert.Equal("the double quote is not closed", GateLine.Problem("./check \"open"));
        Assert.Equal("the single quote is not closed", GateLine.Problem("./check 'open"));
        Assert.NotNull(GateLine.Problem("make\ntest"));
        Assert.Null(GateLine.Problem("make test"));
    }
}
