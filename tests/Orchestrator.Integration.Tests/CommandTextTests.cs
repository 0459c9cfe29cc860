using Orchestrator.Integration.Tests.Support;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>
/// Every command orc tells anyone to run is a command orc has: the <c>orc …</c> commands in the
/// strings of src/**/*.cs (agent primes, mails, nudges, doctor hints, help texts, error messages;
/// read with Roslyn, so comments and XML doc comments are not checked), in the shipped formulas, in
/// README.md and docs/*.md, and in the primes a real workspace prints for a polecat, a crew member
/// and the mayor, each parsed by the CLI's own parser with its placeholders filled in. Where a
/// command sits in a text and where it ends: <see cref="CommandText"/>; placeholders:
/// <see cref="CommandText.Args"/>; interpolation holes: <see cref="CSharpStrings"/>. Each test also
/// checks that it found a healthy number of commands, and known ones, so that a broken extractor
/// cannot pass by finding nothing.
/// </summary>
public sealed class CommandTextTests
{
    private static void AssertAllParse(List<FoundCommand> commands, string what)
    {
        var (root, services) = CommandText.Root();
        using var _ = services;
        var bad = CommandText.Unparsable(root, commands);
        Assert.True(bad.Count == 0, $"{bad.Count} of {commands.Count} commands in {what} are not commands orc has:\n" + string.Join("\n", bad));
    }

    private static IEnumerable<string> SourceFiles()
    {
        var sep = Path.DirectorySeparatorChar;
        return Directory.GetFiles(Path.Combine(CommandText.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    [Fact]
    public void Every_command_in_the_strings_of_the_source_parses()
    {
        var commands = SourceFiles().SelectMany(CSharpStrings.Commands).ToList();
        Assert.True(commands.Count > 150, $"only {commands.Count} commands found in the strings of src/");
        const string Playbook = "src/Orchestrator.Services/Runtime/WorkService.cs:";
        Assert.Contains(commands, c => c.Where.StartsWith(Playbook, StringComparison.Ordinal) && c.Command.StartsWith("orc item dep add ", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Where.StartsWith(Playbook, StringComparison.Ordinal) && c.Command.StartsWith("orc convoy create ", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Command.StartsWith("orc peek {Agent}", StringComparison.Ordinal)); // an interpolated one
        AssertAllParse(commands, "the strings of src/");
    }

    [Fact]
    public void Every_command_in_the_shipped_formulas_parses()
    {
        var commands = new List<FoundCommand>();
        foreach (var file in Directory.GetFiles(Path.Combine(CommandText.RepoRoot, "formulas"), "*.toml").Order(StringComparer.Ordinal))
            commands.AddRange(CommandText.InText(File.ReadAllText(file)).Select(c => new FoundCommand($"{CommandText.Relative(file)}:{c.Line + 1}", c.Command)));
        Assert.True(commands.Count >= 10, $"only {commands.Count} commands found in formulas/*.toml");
        Assert.Contains(commands, c => c.Command.StartsWith("orc pour bugfix ", StringComparison.Ordinal));
        AssertAllParse(commands, "formulas/");
    }

    [Fact]
    public void Every_command_in_the_readme_and_the_docs_parses()
    {
        var commands = CommandText.DocFiles().SelectMany(f => CommandText.InMarkdown(f)).ToList();
        Assert.True(commands.Count > 400, $"only {commands.Count} commands found in README.md and docs/*.md");
        Assert.Contains(commands, c => c.Where.StartsWith("docs/cli.md:", StringComparison.Ordinal) && c.Command == "orc item dep add <ID> <DEPENDS_ON> [options]");
        AssertAllParse(commands, "README.md and docs/");
    }

    /// <summary>
    /// The primes as a real workspace prints them (sim agents on a private tmux server): a polecat
    /// holding an item, a crew member holding one and one idle, and the mayor, each with unread mail
    /// and more learnings than fit, so every optional line with a command is printed.
    /// </summary>
    [Fact]
    [Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
    public void Every_command_in_the_primes_of_a_polecat_a_crew_member_and_the_mayor_parses()
    {
        using var fleet = new FleetFixture();
        for (var i = 0; i < 40; i++)
            fleet.Ok("learn", "add", $"Learning {i}: run the generator before the build, or the tests read stale files ({i})");
        var polecatItem = fleet.Item("Checkout cart", "-l", "sim:hang", "--file", "README.md");
        var polecat = fleet.Sling(polecatItem);
        fleet.Ok("crew", "add", "ada", "--rig", "app");
        fleet.Ok("crew", "add", "bea", "--rig", "app");
        var crewItem = fleet.Item("Pay now", "-l", "sim:hang");
        fleet.Ok("sling", crewItem, "--crew", "bea");
        fleet.Ok("mayor", "start", "--profile", "sim");
        var agents = new[] { (polecat, "polecat"), ("bea", "crew member with an item"), ("ada", "idle crew member"), ("mayor", "mayor") };
        foreach (var (agent, _) in agents) fleet.Ok("mail", "send", agent, "Hello", "--body", "a word");

        var commands = new List<FoundCommand>();
        foreach (var (agent, who) in agents)
        {
            var prime = fleet.Ok("prime", "--agent", agent).Out;
            var found = CommandText.InText(prime).Select(c => new FoundCommand($"orc prime ({who}):{c.Line + 1}", c.Command)).ToList();
            Assert.True(found.Count >= 5, $"only {found.Count} commands in the prime of the {who}:\n{prime}");
            commands.AddRange(found);
        }
        Assert.Contains(commands, c => c.Where.StartsWith("orc prime (mayor)", StringComparison.Ordinal) && c.Command.StartsWith("orc item dep add ", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Where.StartsWith("orc prime (polecat)", StringComparison.Ordinal) && c.Command == $"orc item create \"TITLE\" --discovered-from {polecatItem}");
        Assert.Contains(commands, c => c.Command.StartsWith("orc mail read ", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Command == "orc learn list --rig app");
        AssertAllParse(commands, "the primes");
    }
}
