using Orchestrator.Cli;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>
/// orc builds only the named verb's group of commands (<see cref="OrcCli.VerbGroups"/>): the names
/// listed there must be exactly what each builder makes, and the partial tree must parse a verb as the
/// whole tree does.
/// </summary>
public class VerbGroupsTests
{
    [Fact]
    public void Each_group_lists_exactly_the_commands_its_builder_makes()
    {
        var (root, services) = CommandText.Root();
        using (services)
        {
            var provider = (IServiceProvider)services;
            var listed = new List<string>();
            foreach (var (names, build) in OrcCli.VerbGroups)
            {
                var made = build(provider).Select(c => c.Name).ToArray();
                Assert.Equal(names, made);
                listed.AddRange(names);
            }
            Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
            // Every verb of the whole tree is in a group except those that need the whole tree.
            var outside = root.Subcommands.Select(c => c.Name).Except(listed, StringComparer.Ordinal).Order(StringComparer.Ordinal);
            Assert.Equal(["batch", "completion", "tui"], outside);
        }
    }

    [Theory]
    [InlineData("hook", "--json")]
    [InlineData("item", "create", "a title", "--priority", "1")]
    [InlineData("mq", "list", "--rig", "app")]
    [InlineData("ready", "--bogus")]
    [InlineData("prime", "--help")]
    public void A_verb_parses_the_same_in_its_group_as_in_the_whole_tree(params string[] args)
    {
        var (whole, services) = CommandText.Root();
        using (services)
        {
            var part = OrcCli.BuildRoot((IServiceProvider)services, args);
            Assert.Equal([args[0]], part.Subcommands.Select(c => c.Name).Where(n => n == args[0]));
            var a = whole.Parse(args, OrcCli.Parser);
            var b = part.Parse(args, OrcCli.Parser);
            Assert.Equal(a.CommandResult.Command.Name, b.CommandResult.Command.Name);
            Assert.Equal(a.Errors.Select(e => e.Message), b.Errors.Select(e => e.Message));
            Assert.Equal(a.Tokens.Select(t => (t.Value, t.Type)), b.Tokens.Select(t => (t.Value, t.Type)));
        }
    }

    [Fact]
    public void Version_prints_the_same_line_as_the_command_line_library()
    {
        var (whole, services) = CommandText.Root();
        using (services)
        {
            var expected = new StringWriter();
            whole.Parse(["--version"], OrcCli.Parser).Invoke(new System.CommandLine.InvocationConfiguration { Output = expected });
            var env = new CliEnvironment(Path.GetTempPath(), _ => null, new StringWriter(), new StringWriter(), new StringReader(""));
            Assert.Equal(0, OrcCli.Run(["--version"], env));
            Assert.Equal(expected.ToString(), env.Out.ToString());
            Assert.Matches(@"^\d+\.\d+\.\d+", env.Out.ToString());
        }
    }
}
