using System.Text;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Tests;

public class CommandLineTextTests
{
    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    private static readonly byte[] Bad = [(byte)'b', (byte)'a', (byte)'d', 0xff, (byte)'!'];

    [Fact]
    public void Arguments_without_U_FFFD_are_text_and_the_command_line_is_not_read()
    {
        Assert.Null(CommandLineText.FirstNotUtf8(["item", "create", "naïve ✓"], () => throw new InvalidOperationException("read")));
    }

    [Fact]
    public void An_argument_whose_bytes_were_not_utf8_is_found_with_its_byte()
    {
        string[] args = ["item", "create", Encoding.UTF8.GetString(Bad)];
        // The host's own words come first (dotnet orc.dll); the arguments are the last ones.
        Assert.Equal(new CommandLineText.NotUtf8(2, 4), CommandLineText.FirstNotUtf8(args, () => [U("dotnet"), U("orc.dll"), U("item"), U("create"), Bad]));
    }

    [Fact]
    public void A_U_FFFD_that_was_typed_as_itself_is_text()
    {
        string[] args = ["item", "create", "a \uFFFD b"];
        Assert.Null(CommandLineText.FirstNotUtf8(args, () => [U("orc"), U("item"), U("create"), U("a \uFFFD b")]));
    }

    [Fact]
    public void Without_the_bytes_or_when_they_do_not_line_up_a_U_FFFD_is_refused()
    {
        string[] args = ["item", "create", "a \uFFFD b"];
        Assert.Equal(new CommandLineText.NotUtf8(2, null), CommandLineText.FirstNotUtf8(args, () => null));
        Assert.Equal(new CommandLineText.NotUtf8(2, null), CommandLineText.FirstNotUtf8(args, () => [U("create"), U("x")]));
        Assert.Equal(new CommandLineText.NotUtf8(2, null), CommandLineText.FirstNotUtf8(args, () => [U("orc"), U("item"), U("create"), U("other")]));
    }
}
