using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>
/// Hostile text through the running parts: slung to a real sim agent in tmux, primed, mailed,
/// nudged, merged by the refinery through a gate that records what it was given, and printed by
/// an agent as escape sequences. The marker a shell would make never appears; peek shows nothing raw.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class HostileRuntimeTests : IDisposable
{
    private readonly FleetFixture _f = new(rig: null); // each test adds its rig with its own gate
    private readonly string _marker;

    public HostileRuntimeTests() => _marker = Path.Combine(_f.Root, "..", Path.GetFileName(_f.Root) + "-pwned");

    public void Dispose()
    {
        _f.Dispose();
        try { File.Delete(_marker); } catch (IOException) { }
    }

    private CliResult Ok(params string[] args) => _f.Ok(args);

    private string State(string agent) =>
        JsonDocument.Parse(Ok("agents",
            "--json").Out).RootElement.EnumerateArray().Single(a => a.GetProperty("agent").GetString() == agent).GetProperty("state").GetString()!;

    [Fact]
    public void A_title_with_shell_syntax_goes_through_sling_prime_mail_nudge_and_the_gate_as_data()
    {
        // The gate records its argv and environment; it is the rig's own command, the item only reaches it as ORC_ITEMS.
        var record = Path.Combine(_f.Ws.Root, ".orc", "tmp", "gate-record");
        var script = Path.Combine(_f.Ws.Root, "..", Path.GetFileName(_f.Ws.Root) + "-gate.sh");
        File.WriteAllText(script, $"printf '%s\\n' \"$@\" > '{record}'; env >> '{record}'\n");
        try
        {
            Ok("rig", "add", "app", _f.Source, "--gate", "sh", "--gate", script, "--gate", "fixed-arg");
            var title = $"$(touch {_marker}) `touch {_marker}`; touch {_marker}";
            var id = _f.Ws.Create(title, "--prefix", "app", "-d", $"run: $(touch {_marker})", "--file", "notes/x.md");
            var agent = JsonDocument.Parse(Ok("sling", id, "--json").Out).RootElement.GetProperty("agent").GetString()!;
            RigFixture.Eventually(() => State(agent) == "done", () => $"{agent} never finished: {_f.Ws.Orc("peek", agent).Out}");

            var prime = Ok("prime", "--agent", agent).Out;
            Assert.Contains(title, prime);
            HostileCorpus.AssertSafe(prime, "prime");
            Ok("mail", "send", agent, $"about $(touch {_marker})", "--body", $"`touch {_marker}` && touch {_marker}");
            _f.Ws.Orc("nudge", agent, $"$(touch {_marker}); touch {_marker}"); // the agent is done: a nudge may be refused or delivered, never run
            var peek = _f.Ws.Orc("peek", agent, "-n", "100");
            HostileCorpus.AssertSafe(peek.Out, "peek");

            Ok("refinery", "run", "app", "--once");
            var mq = JsonDocument.Parse(Ok("mq", "show", id, "--json").Out).RootElement;
            Assert.True(mq.GetProperty("state").GetString() == "merged", mq.ToString());
            var lines = File.ReadAllLines(record);
            Assert.Equal("fixed-arg", lines[0]);
            Assert.Contains($"ORC_ITEMS={id}", lines);
            Assert.DoesNotContain(lines, l => l.Contains("touch", StringComparison.Ordinal));
            // The merge commit on main carries the title as text.
            using (var rig = new Repository(Path.Combine(_f.Ws.Root, "rigs", "app")))
                Assert.Contains(rig.Commits.Take(5), c => c.Message.Contains(title, StringComparison.Ordinal));
            Assert.False(File.Exists(_marker), "text from the item was run by a shell");
        }
        finally { File.Delete(script); }
    }

    [Fact]
    public void An_agent_that_prints_escape_sequences_is_peeked_safely()
    {
        Ok("rig", "add", "app", _f.Source);
        Directory.CreateDirectory(Path.Combine(_f.Ws.Root, ".orc", "profiles"));
        File.WriteAllText(Path.Combine(_f.Ws.Root, ".orc", "profiles", "noisy.yaml"), """
            name: noisy
            command: sh
            args: ['-c', 'printf "start\033]52;c;cm0gLXJmIH4=\007 \033]0;pwned\007 \033[2J \233 c1 \007bell done\n"; exec sleep 600']
            prompt: none
            """);
        var id = _f.Ws.Create("noisy work", "--prefix", "app");
        var agent = JsonDocument.Parse(Ok("sling", id, "--profile", "noisy", "--json").Out).RootElement.GetProperty("agent").GetString()!;
        CliResult peek = new(1, "", "");
        RigFixture.Eventually(() => (peek = _f.Ws.Orc("peek", agent)).Out.Contains("bell done"), () => $"the agent's output never showed: {peek}");
        HostileCorpus.AssertSafe(peek.Out, "peek");
        Assert.Contains("start", peek.Out);
        Ok("kill", agent);
    }
}
