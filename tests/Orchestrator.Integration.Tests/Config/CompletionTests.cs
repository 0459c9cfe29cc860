using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Config;

/// <summary>
/// <c>orc completion bash|zsh|fish</c>: the scripts parse in their shell, and completing in a real
/// shell calls back into the real orc (a child process) for verbs, options, item ids, agent and rig
/// names from a real workspace with a slung agent (real git, tmux on a private socket).
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class CompletionTests : IDisposable
{
    private readonly FleetFixture _f = new();

    public void Dispose() => _f.Dispose();

    private CliResult Ok(params string[] args) => _f.Ok(args);

    private (string Item, string Agent) Slung()
    {
        var item = _f.Ws.Create("complete me", "--prefix", "app");
        var r = JsonDocument.Parse(Ok("sling", item, "--json").Out).RootElement;
        var hooked = r.ValueKind == JsonValueKind.Array ? r[0] : r;
        return (item, hooked.GetProperty("agent").GetString()!);
    }

    private string Shell(string shell, string script, params string[] args)
    {
        var psi = new ProcessStartInfo(shell) { WorkingDirectory = _f.Ws.Root, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(script);
        psi.Environment["HOME"] = _f.Ws.Root;
        psi.Environment.Remove("ORC_WORKSPACE");
        psi.Environment.Remove("ORC_AGENT");
        psi.Environment.Remove("TMUX");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(120)), $"{shell} did not finish");
        Assert.True(p.ExitCode == 0, $"{shell} exit {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>'orc' for the shells: a function running the orc built beside the tests.</summary>
    private static string OrcFunction(string shell) => shell == "fish"
        ? $"function orc; {OrcProcess.ShellCommand} $argv; end; "
        : $"orc() {{ {OrcProcess.ShellCommand} \"$@\"; }}; ";

    private string ScriptFile(string shell)
    {
        var file = Path.Combine(_f.Ws.Root, ".orc", "tmp", "orc." + shell);
        File.WriteAllText(file, Ok("completion", shell).Out);
        return file;
    }

    private static bool Installed(string shell) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, shell)));

    [Fact]
    public void Bash_script_parses_and_completes_verbs_item_ids_agents_and_rigs()
    {
        var (item, agent) = Slung();
        var file = ScriptFile("bash");
        Shell("bash", "", "-n", file); // syntax only

        string Complete(params string[] words)
        {
            var quoted = string.Join(" ", words.Select(w => "'" + w + "'"));
            return Shell("bash",
                OrcFunction("bash")
                + $"source '{file}'; COMP_WORDS=({quoted}); COMP_CWORD={words.Length - 1}; _orc_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\"", "-c");
        }

        Assert.Contains("config", Complete("orc", "conf").Split('\n'));
        Assert.Contains("completion", Complete("orc", "compl").Split('\n'));
        var show = Complete("orc", "item", "show", "").Split('\n');
        Assert.Contains(item, show);
        Assert.Contains("--json", show);
        Assert.Contains(item, Complete("orc", "item", "show", item[..5]).Split('\n'));
        Assert.Contains(agent, Complete("orc", "peek", "").Split('\n'));
        Assert.Contains(agent, Complete("orc", "sling", item, "--agent", agent[..1]).Split('\n'));
        Assert.Contains("app", Complete("orc", "rig", "show", "").Split('\n'));
        Assert.Contains("notify.desktop", Complete("orc", "config", "set", "notify.").Split('\n'));
        Assert.Contains("zsh", Complete("orc", "completion", "").Split('\n'));
    }

    [Fact]
    public void Zsh_script_parses_and_its_function_completes_from_the_workspace()
    {
        if (!Installed("zsh")) Assert.Skip("zsh is not installed (apt-get install zsh)");
        var (item, agent) = Slung();
        var file = ScriptFile("zsh");
        Shell("zsh", "", "-n", file);
        // compadd and compdef exist only inside the completion system: stand-ins print what would be offered.
        string Complete(params string[] words)
        {
            var quoted = string.Join(" ", words.Select(w => "'" + w + "'"));
            return Shell("zsh",
                OrcFunction("zsh")
                + $"compdef() {{ }}; compadd() {{ shift 2; print -rl -- \"$@\" }}; source '{file}'; words=({quoted}); CURRENT={words.Length}; _orc", "-fc");
        }
        Assert.Contains(item, Complete("orc", "item", "show", "").Split('\n'));
        Assert.Contains(agent, Complete("orc", "nudge", "").Split('\n'));
        Assert.Contains("config", Complete("orc", "conf").Split('\n'));
    }

    [Fact]
    public void Fish_script_parses_and_completes_in_fish()
    {
        if (!Installed("fish")) Assert.Skip("fish is not installed (apt-get install fish)");
        var (item, agent) = Slung();
        var file = ScriptFile("fish");
        Shell("fish", "", "--no-execute", file);
        string Complete(string line) => Shell("fish", OrcFunction("fish") + $"source '{file}'; complete -C '{line}'", "--no-config", "-c");
        Assert.Contains(item, Complete("orc item show ").Split('\n'));
        Assert.Contains(agent, Complete("orc attach ").Split('\n'));
        Assert.Contains("config", Complete("orc conf").Split('\n'));
    }

    [Fact]
    public void Unknown_shell_is_a_usage_error()
    {
        var r = _f.Ws.Orc("completion", "powershell");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("powershell", r.Err);
    }
}
