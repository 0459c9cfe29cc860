using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// A molecule poured from a formula kept in the rig's own repository, launched as a convoy with
/// real git, a real tmux server on a private socket and sim agents: its steps run in the order of
/// their needs, each with the profile its formula names (or the rig's).
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class MoleculeLaunchTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _source;

    public MoleculeLaunchTests()
    {
        _ws.Env["ORC_TMUX_SOCKET"] = _socket;
        _source = RigFixture.CreateSource(_ws);
        Directory.CreateDirectory(Path.Combine(_source, "formulas"));
        File.WriteAllText(Path.Combine(_source, "formulas", "ship.formula.toml"), """
            description = "Two steps, the second after the first"

            [vars.what]
            required = true

            [[steps]]
            id = "build"
            title = "Build {{what}}"
            profile = "sim"

            [[steps]]
            id = "polish"
            title = "Polish {{what}}"
            needs = ["build"]
            """);
        using (var repo = new Repository(_source))
        {
            Commands.Stage(repo, "formulas/ship.formula.toml");
            var sig = new Signature("t", "t@example.com", DateTimeOffset.Now);
            repo.Commit("a formula", sig, sig);
        }
        Ok("rig", "add", "app", _source);
        RigFixture.SetSetting(_ws, "app", "profile", "shell"); // the rig's default; the formula's first step asks for sim
    }

    public void Dispose()
    {
        using (var tmux = new TmuxServer(_socket, Path.Combine(_ws.Root, ".orc", "tmp", "tmux.conf"), Path.Combine(_ws.Root, ".orc", "locks")))
            PrivateTmux.Stop(tmux, _ws.Root);
        _ws.Dispose();
        RigFixture.DeleteSource(_source);
    }

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private JsonElement Json(params string[] args) => JsonDocument.Parse(Ok(args).Out).RootElement;

    private string? ProfileOfHookFor(string item) =>
        Directory.EnumerateFiles(Path.Combine(_ws.Root, "agents"), "*.json")
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .Where(h => h.GetProperty("item").GetString() == item)
            .Select(h => h.GetProperty("profile").GetString())
            .FirstOrDefault();

    [Fact]
    public void A_molecule_from_a_rig_formula_launches_as_a_convoy_step_by_step_each_with_its_profile()
    {
        TmuxServer.CheckVersion();
        Assert.Contains("rig app", Ok("formula", "list", "--rig", "app").Out);
        var poured = Json("pour", "ship", "--rig", "app", "--var", "what=the widget", "--convoy", "widget", "--json");
        var steps = poured.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        Assert.All(steps, s => Assert.StartsWith("app-", s));

        var first = Ok("convoy", "launch", "widget", "--once").Out;
        Assert.Contains($"slung {steps[0]}", first);
        Assert.DoesNotContain($"slung {steps[1]}", first);
        Assert.Equal("sim", ProfileOfHookFor(steps[0]));

        // The sim agent does the work and submits it; the refinery merges it and closes the step.
        RigFixture.Eventually(() => Json("mol", "status", steps[0], "--json").GetProperty("steps")[0].GetProperty("status").GetString() != "hooked",
            () => Ok("agents").Out);
        Ok("refinery", "run", "app", "--once");
        var status = Json("mol", "status", steps[0], "--json");
        Assert.Equal("closed", status.GetProperty("steps")[0].GetProperty("status").GetString());
        Assert.True(status.GetProperty("steps")[1].GetProperty("ready").GetBoolean());

        var second = Ok("convoy", "launch", "widget", "--once").Out;
        Assert.Contains($"slung {steps[1]}", second);
        Assert.Equal("shell", ProfileOfHookFor(steps[1])); // no profile in the formula: the rig's
    }
}
