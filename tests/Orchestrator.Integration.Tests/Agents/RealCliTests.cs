using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Agents;

/// <summary>
/// The real agent CLIs (Claude Code, Codex) under orc with the shipped profiles, against the
/// scripted <see cref="ModelServer"/> on loopback: sling, the first-run screens passed with nobody
/// at the keyboard, <c>orc prime</c>, a commit, <c>orc done</c>, the refinery lands it. The CLIs
/// come from <c>ORC_AGENT_CLIS</c> (a folder with node_modules/.bin; <c>.ci/run</c> installs the
/// pinned versions there) or PATH; without them these tests are skipped and say how to install.
/// With <c>ORC_RECORD_SCREENS=1</c> the screens met on the way are written to
/// Fixtures/screens/PROFILE/ in the source tree (how the fixtures are re-recorded for a new CLI version).
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RealCliTests : IDisposable
{
    private readonly FleetFixture _f = new();
    private readonly string _bin;
    private readonly string _home;

    public RealCliTests()
    {
        // 'orc' on the agents' PATH, as a user has it: the model's commands call it by name.
        _bin = Path.Combine(_f.Root, ".orc", "tmp", "bin");
        Directory.CreateDirectory(_bin);
        var orc = Path.Combine(_bin, "orc");
        File.WriteAllText(orc, $"#!/bin/sh\nexec {OrcProcess.ShellCommand} \"$@\"\n");
        File.SetUnixFileMode(orc, (UnixFileMode)Convert.ToInt32("755", 8));
        // The agents' HOME, set up as a user's: 'orc' on the PATH of a login shell too (Codex runs commands in one).
        _home = Path.Combine(_f.Root, ".orc", "tmp", "home");
        Directory.CreateDirectory(_home);
        File.WriteAllText(Path.Combine(_home, ".bash_profile"), $"export PATH=\"{_bin}:$PATH\"\n");
    }

    public void Dispose() => _f.Dispose();

    /// <summary>The folder holding the CLI's executable, or null (then the test is skipped with how to install it).</summary>
    public static string? CliFolder(string command)
    {
        if (Environment.GetEnvironmentVariable("ORC_AGENT_CLIS") is { Length: > 0 } clis)
        {
            var bin = Path.Combine(clis, "node_modules", ".bin");
            if (File.Exists(Path.Combine(bin, command))) return bin;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, command))) return dir;
        return null;
    }

    public static string Need(string command, string package) =>
        CliFolder(command) ?? throw Xunit.Sdk.SkipException.ForSkip(
            $"{command} is not installed: .ci/run installs it (npm install --prefix DIR {package}, then ORC_AGENT_CLIS=DIR); not on PATH either");

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>The environment of the orc process that starts the workspace's tmux server (the agents inherit it).</summary>
    private Dictionary<string, string> AgentEnv(string cliFolder, ModelServer server)
    {
        var env = _f.ProcessEnv(
            ("PATH", $"{_bin}:{cliFolder}:{Environment.GetEnvironmentVariable("PATH")}"),
            ("ANTHROPIC_BASE_URL", server.Url),
            ("ANTHROPIC_API_KEY", "sk-ant-orc-test-0000"),
            ("OPENAI_API_KEY", "sk-orc-test-0000"),
            ("HOME", _home),
            ("CODEX_HOME", Path.Combine(_home, ".codex")),
            ("TERM", "xterm-256color"),
            // Claude Code updates itself in the background (npm install -g) unless told not to: never on a test machine.
            ("DISABLE_AUTOUPDATER", "1"));
        // Claude refuses --dangerously-skip-permissions as root unless told it is in a sandbox (this test machine is one).
        if (IsRoot) env["IS_SANDBOX"] = "1";
        return env;
    }

    /// <summary>What a person who has set Claude Code up has in HOME: onboarding done (the login itself is the API key here).</summary>
    private void ClaudeHome() => File.WriteAllText(Path.Combine(_home, ".claude.json"), "{\"hasCompletedOnboarding\": true}\n");

    /// <summary>Codex pointed at the scripted server, as a user points it at a provider of their own.</summary>
    private void CodexHome(ModelServer server)
    {
        var home = Path.Combine(_home, ".codex");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "config.toml"), $"""
            model = "gpt-scripted"
            model_provider = "scripted"

            [model_providers.scripted]
            name = "scripted"
            base_url = "{server.Url}/v1"
            wire_api = "responses"
            env_key = "OPENAI_API_KEY"
            """);
    }

    private CliResult Orc(Dictionary<string, string> env, params string[] args) => OrcProcess.Run(_f.Root, args, env, TimeSpan.FromSeconds(90));

    /// <summary>The script of a polecat that does its work: prime, write a file with its own file tool, commit, done, then say so.</summary>
    private static List<ModelStep> WorkScript(string item) =>
    [
        ModelStep.Shell("orc prime"),
        ModelStep.Edit("HELLO.md", "hello from a real agent\nwritten with its file tool\n"),
        ModelStep.Shell($"git add HELLO.md && git commit -q -m '{item}: say hello' && git log --oneline -1"),
        ModelStep.Shell("orc done"),
        ModelStep.Say("Submitted; the refinery takes it from here."),
    ];

    private const string ClaudePackage = "@anthropic-ai/claude-code@2.1.328";
    private const string CodexPackage = "@openai/codex@0.169.0";

    /// <summary>An agent of a real CLI slung onto a new item, with the scripted server it talks to and the environment it was started with.</summary>
    private sealed record Slung(string Agent, string Item, ModelServer Server, Dictionary<string, string> Env) : IDisposable
    {
        public void Dispose() => Server.Dispose();
    }

    /// <summary>
    /// Makes an item, a scripted model server (its script may name the item), sets the CLI's home
    /// up as a user has it, makes <paramref name="profile"/> the default, and slings the item the way
    /// a user does (an orc process, whose environment the workspace's tmux server and agents inherit).
    /// </summary>
    private Slung SlingReal(string profile, string title, Func<string, IEnumerable<ModelStep>> script, Action<Dictionary<string, string>>? adjust = null)
    {
        var folder = profile == "codex" ? Need("codex", CodexPackage) : Need("claude", ClaudePackage);
        var id = _f.Item(title);
        var server = new ModelServer(script(id));
        if (profile == "codex") CodexHome(server); else ClaudeHome();
        var env = AgentEnv(folder, server);
        adjust?.Invoke(env);
        _f.Ok("config", "set", "default_profile", profile);
        var slung = Orc(env, "sling", id, "--json");
        Assert.True(slung.ExitCode == 0, slung.ToString());
        return new Slung(JsonDocument.Parse(slung.Out).RootElement.GetProperty("agent").GetString()!, id, server, env);
    }

    private void Record(string profile, string name, string agent)
    {
        if (Environment.GetEnvironmentVariable("ORC_RECORD_SCREENS") != "1") return;
        var dir = Path.Combine(OrcProcess.RepoRoot ?? throw new InvalidOperationException("ORC_RECORD_SCREENS needs the source tree"), "tests",
            "Orchestrator.Integration.Tests", "Fixtures", "screens", profile);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name + ".txt"), _f.Tmux.CapturePane(_f.Rig!, agent, 60));
    }

    private void LandsWithNobodyAtTheKeyboard(string profile)
    {
        using var run = SlingReal(profile, $"say hello ({profile})", WorkScript);
        var (agent, id, server, env) = (run.Agent, run.Item, run.Server, run.Env);
        string Screen() { try { return _f.Tmux.CapturePane(_f.Rig!, agent,
            60); } catch (Orchestrator.Core.OrcException e) { return "(no pane: " + e.Message + ")"; } }

        // Its commands ran: prime, the commit, done (the submission is in the merge queue).
        RigFixture.Eventually(() => JsonDocument.Parse(_f.Ok("mq", "list",
            "--json").Out).RootElement.EnumerateArray().Any(s => s.GetProperty("item").GetString() == id),
            () => $"{profile} never submitted {id}; model turns {server.Turns}; tool results:\n{string.Join("\n--\n", server.ToolResults)}\nits screen:\n{Screen()}", 120);
        Assert.Contains(server.ToolResults, r => r.Contains(id) && r.Contains("orc done")); // orc prime printed its item and how to submit
        RigFixture.Eventually(() => server.Turns >= 5 && _f.State(agent) is "idle" or "done",
            () => $"{profile} did not come back to its prompt: {_f.State(agent)}\n{Screen()}", 60);
        Record(profile, "idle-after-work", agent);

        Orc(env, "refinery", "run", "app", "--once");
        var item = JsonDocument.Parse(_f.Ok("item", "show", id, "--json").Out).RootElement[0];
        Assert.Equal("closed", item.GetProperty("status").GetString());
        using var repo = new LibGit2Sharp.Repository(_f.RigDir);
        Assert.Equal("hello from a real agent\nwritten with its file tool\n", ((LibGit2Sharp.Blob)repo.Head.Tip["HELLO.md"].Target).GetContentText());
        Assert.Equal("completed", _f.Agent(agent).GetProperty("hook_state").GetString()); // its program may still be at its prompt
    }

    [Fact]
    public void Claude_code_takes_an_item_from_sling_to_landed_with_nobody_at_the_keyboard() =>
        LandsWithNobodyAtTheKeyboard("claude");

    [Fact]
    public void Codex_takes_an_item_from_sling_to_landed_with_nobody_at_the_keyboard() =>
        LandsWithNobodyAtTheKeyboard("codex");

    [Fact]
    public void A_model_failing_with_429_shows_as_error_and_the_witness_tells_the_overseer()
    {
        using var run = SlingReal("claude", "rate limited", _ => [ModelStep.Fail(429, times: 1000)]);
        var (agent, id, env) = (run.Agent, run.Item, run.Env);
        RigFixture.Eventually(() => _f.State(agent) == "error", () => $"never seen as error: {_f.State(agent)}\n{_f.Tmux.CapturePane(_f.Rig!, agent, 60)}", 60);
        Record("claude", "error-rate-limit", agent);
        RigFixture.SetSetting(_f.Ws, "app", "grace", "0");
        Orc(env, "witness", "run", "app", "--once");
        var inbox = _f.Ok("mail", "inbox").Out;
        Assert.Contains($"{agent} shows a model error", inbox);
        // The item and the worktree are kept.
        Assert.Equal("hooked", JsonDocument.Parse(_f.Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString());
        Assert.True(Directory.Exists(_f.Agent(agent).GetProperty("worktree").GetString()));
    }

    [Fact]
    public void A_model_failing_under_codex_shows_as_error()
    {
        using var run = SlingReal("codex", "codex rate limited", _ => [ModelStep.Fail(500, times: 1000)]);
        var agent = run.Agent;
        RigFixture.Eventually(() => _f.State(agent) == "error", () => $"never seen as error: {_f.State(agent)}\n{_f.Tmux.CapturePane(_f.Rig!, agent, 60)}", 60);
        Record("codex", "error-retrying", agent);
    }

    [Fact]
    public void A_real_cli_that_exits_at_once_is_dead_restarted_then_given_up_with_the_work_kept()
    {
        if (!IsRoot) Assert.Skip("needs root: Claude Code exits at once only there (it refuses --dangerously-skip-permissions without IS_SANDBOX=1)");
        _f.Ok("rig", "set", "app", "grace", "0");
        _f.Ok("rig", "set", "app", "max_restarts", "1");
        using var run = SlingReal("claude", "never starts", _ => [], e => e.Remove("IS_SANDBOX"));
        var (agent, id, env) = (run.Agent, run.Item, run.Env);
        RigFixture.Eventually(() => _f.State(agent) == "dead", () => $"not dead: {_f.State(agent)}", 30);
        Assert.Contains("cannot be used with root/sudo privileges", _f.Ok("peek", agent).Out); // why, on its screen
        Record("claude", "exited-as-root", agent);
        Assert.Contains("restarted", Orc(env, "witness", "run", "app", "--once").Out);
        RigFixture.Eventually(() => _f.State(agent) == "dead", () => $"not dead again: {_f.State(agent)}", 30);
        Assert.Contains("gave up", Orc(env, "witness", "run", "app", "--once").Out);
        Assert.Contains($"gave up restarting {agent}", _f.Ok("mail", "inbox").Out);
        Assert.Equal("suspended", _f.Agent(agent).GetProperty("hook_state").GetString()); // not restarted again, never silently stuck
        Assert.DoesNotContain("restarted", Orc(env, "witness", "run", "app", "--once").Out);
        Assert.NotEqual("closed", JsonDocument.Parse(_f.Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString());
        Assert.True(Directory.Exists(_f.Agent(agent).GetProperty("worktree").GetString()));
    }

    [Fact]
    public void A_model_server_that_drops_the_connection_shows_as_error_not_working()
    {
        using var run = SlingReal("claude", "dropped", _ => [ModelStep.Drop()]);
        var agent = run.Agent;
        var server = run.Server;
        RigFixture.Eventually(() => _f.State(agent) == "error", () => $"never seen as error: {_f.State(agent)}\n{_f.Tmux.CapturePane(_f.Rig!, agent, 60)}", 90);
        Record("claude", "error-dropped", agent);
    }

    [Fact]
    public void A_real_claude_waiting_on_a_hung_model_is_stuck_and_the_witness_says_so()
    {
        // Its spinner moves and counts seconds, so tmux sees activity all along; the profile's
        // volatile patterns take that out and the steady screen stops changing.
        using var run = SlingReal("claude", "hangs", _ => [ModelStep.Hang()]);
        var (agent, env) = (run.Agent, run.Env);
        _f.Ok("rig", "set", "app", "stuck_after", "10");
        _f.Ok("rig", "set", "app", "grace", "0");
        RigFixture.Eventually(() => _f.State(agent) == "working", () => $"not working: {_f.State(agent)}", 60);
        Record("claude", "working-hung-first", agent);
        RigFixture.Eventually(() => _f.State(agent) == "stuck", () => $"never stuck: {_f.State(agent)}\n{_f.Tmux.CapturePane(_f.Rig!, agent, 60)}", 60);
        Record("claude", "working-hung-later", agent);
        Assert.Contains($"{agent}: stuck, flagged", Orc(env, "witness", "run", "app", "--once").Out);
        Assert.Contains($"{agent} has shown no change for", _f.Ok("mail", "inbox").Out);
        Assert.Equal("hooked", JsonDocument.Parse(_f.Ok("item", "show", run.Item, "--json").Out).RootElement[0].GetProperty("status").GetString());
    }

    private bool ModelSaw(ModelServer server, string text) =>
        server.Requests.Any(r => r.Path.EndsWith("/messages", StringComparison.Ordinal) && r.Body.Contains("\"tools\"",
            StringComparison.Ordinal) && r.Body.Contains(text, StringComparison.Ordinal));

    [Fact]
    public void A_nudge_reaches_a_real_idle_claude_and_one_typed_while_it_works_waits_for_its_turn()
    {
        // First turn: slow (it is working when the first nudge comes); then one answer per nudge.
        using var run = SlingReal("claude", "talk to me", _ => [ModelStep.Slow(TimeSpan.FromSeconds(12), ModelStep.Say("First turn done.")),
            ModelStep.Say("Noted the first."), ModelStep.Say("Noted the second.")]);
        var agent = run.Agent;
        var server = run.Server;
        string Screen() => _f.Tmux.CapturePane(_f.Rig!, agent, 60);

        RigFixture.Eventually(() => _f.State(agent) == "working", () => $"not working: {_f.State(agent)}\n{Screen()}", 30);
        _f.Ok("nudge", agent, "while-you-work: also check the docs");
        Assert.False(ModelSaw(server, "while-you-work"), "the nudge interrupted the turn in progress");
        RigFixture.Eventually(() => ModelSaw(server, "while-you-work"), () => $"the nudge typed while it worked never reached the model\n{Screen()}", 60);
        RigFixture.Eventually(() => server.Turns >= 2 && _f.State(agent) == "idle", () => $"not idle after the queued nudge: {_f.State(agent)}\n{Screen()}",
            60);

        _f.Ok("nudge", agent, "when-idle: say what you did");
        RigFixture.Eventually(() => ModelSaw(server, "when-idle"), () => $"the nudge to the idle agent never reached the model\n{Screen()}", 30);
        RigFixture.Eventually(() => Screen().Contains("Noted the second.", StringComparison.Ordinal),
            () => "the answer to the nudge is not on its screen:\n" + Screen(), 30);
    }

    [Fact]
    public void In_a_stricter_permission_mode_a_real_claude_asking_for_approval_is_waiting_and_the_witness_tells_the_overseer()
    {
        Need("claude", ClaudePackage);
        // The stricter choice the README describes: a copy of the shipped profile, commands ask first.
        var shipped = File.ReadAllText(Path.Combine(OrcProcess.RepoRoot ?? throw new InvalidOperationException("needs the source tree"), "src",
            "Orchestrator.Adapters", "Profiles", "Shipped", "claude.yaml"));
        Assert.Contains("args: [--dangerously-skip-permissions]", shipped);
        Directory.CreateDirectory(Path.Combine(_f.Root, ".orc", "profiles"));
        File.WriteAllText(Path.Combine(_f.Root, ".orc", "profiles", "claude.yaml"), shipped.Replace("args: [--dangerously-skip-permissions]",
            "args: [--permission-mode, default]"));
        _f.Ok("rig", "set", "app", "grace", "0");
        using var run = SlingReal("claude", "needs approval", _ => [ModelStep.Shell("rm -rf build && echo removed"), ModelStep.Say("Cleaned.")]);
        var (agent, env, server) = (run.Agent, run.Env, run.Server);
        string Screen() => _f.Tmux.CapturePane(_f.Rig!, agent, 60);

        RigFixture.Eventually(() => _f.State(agent) == "waiting", () => $"not waiting: {_f.State(agent)}\n{Screen()}", 45);
        Assert.Contains("Do you want to proceed?", Screen());
        Record("claude", "waiting-approval", agent);
        Assert.Contains($"{agent}: waiting, flagged", Orc(env, "witness", "run", "app", "--once").Out);
        Assert.Contains($"{agent} is waiting for an answer", _f.Ok("mail", "inbox").Out);
        // A person answers (1. Yes is highlighted); it runs the command and comes back to its prompt.
        _f.Tmux.SendKeys(_f.Rig!, agent, ["Enter"]);
        RigFixture.Eventually(() => _f.State(agent) == "idle" && Screen().Contains("Cleaned.", StringComparison.Ordinal),
            () => $"not idle after the answer: {_f.State(agent)}\n{Screen()}", 45);
        Assert.Contains(server.ToolResults, r => r.Contains("removed"));
    }

    [Fact]
    public void In_a_stricter_approval_mode_a_real_codex_asking_for_approval_is_waiting_and_goes_on_once_answered()
    {
        Need("codex", CodexPackage);
        // A copy of the shipped profile that asks before any command it does not know to be safe.
        var shipped = File.ReadAllText(Path.Combine(OrcProcess.RepoRoot ?? throw new InvalidOperationException("needs the source tree"), "src",
            "Orchestrator.Adapters", "Profiles", "Shipped", "codex.yaml"));
        Assert.Contains("args: [--dangerously-bypass-approvals-and-sandbox]", shipped);
        Directory.CreateDirectory(Path.Combine(_f.Root, ".orc", "profiles"));
        File.WriteAllText(Path.Combine(_f.Root, ".orc", "profiles", "codex.yaml"),
            shipped.Replace("args: [--dangerously-bypass-approvals-and-sandbox]", "args: [--ask-for-approval, on-request, --sandbox, workspace-write]"));
        _f.Ok("rig", "set", "app", "grace", "0");
        using var run = SlingReal("codex", "codex needs approval", _ => [ModelStep.Shell("rm -rf build && echo removed"), ModelStep.Say("Cleaned.")]);
        var (agent, env, server) = (run.Agent, run.Env, run.Server);
        string Screen() => _f.Tmux.CapturePane(_f.Rig!, agent, 60);

        RigFixture.Eventually(() => _f.State(agent) == "waiting", () => $"not waiting: {_f.State(agent)}\n{Screen()}", 60);
        Record("codex", "waiting-approval", agent);
        Assert.Contains($"{agent}: waiting, flagged", Orc(env, "witness", "run", "app", "--once").Out);
        // A person answers (the first choice, "Yes", is highlighted); it runs the command and comes back to its prompt.
        _f.Tmux.SendKeys(_f.Rig!, agent, ["Enter"]);
        RigFixture.Eventually(() => _f.State(agent) == "idle" && Screen().Contains("Cleaned.", StringComparison.Ordinal),
            () => $"not idle after the answer: {_f.State(agent)}\n{Screen()}", 60);
        Assert.Contains(server.ToolResults, r => r.Contains("removed"));
    }

    [Fact]
    public void A_nudge_reaches_a_real_idle_codex_and_is_answered()
    {
        using var run = SlingReal("codex", "talk to codex", _ => [ModelStep.Say("First turn done."), ModelStep.Say("Noted the nudge.")]);
        var (agent, server) = (run.Agent, run.Server);
        string Screen() => _f.Tmux.CapturePane(_f.Rig!, agent, 60);
        RigFixture.Eventually(() => server.Turns >= 1 && _f.State(agent) == "idle", () => $"not idle: {_f.State(agent)}\n{Screen()}", 60);
        _f.Ok("nudge", agent, "when-idle: say what you did");
        RigFixture.Eventually(() => server.Requests.Any(r => r.Path.EndsWith("/responses",
            StringComparison.Ordinal) && r.Body.Contains("when-idle: say what you did", StringComparison.Ordinal)),
            () => $"the nudge never reached the model\n{Screen()}", 60);
        RigFixture.Eventually(() => Screen().Contains("Noted the nudge.", StringComparison.Ordinal),
            () => "the answer to the nudge is not on its screen:\n" + Screen(), 60);
    }

    /// <summary>The first "id" in what a command printed (orc item create --json).</summary>
    private static string IdIn(string printed) =>
        System.Text.RegularExpressions.Regex.Match(printed, "\"id\":\\s*\"([a-z0-9.-]+)\"") is { Success: true } m ? m.Groups[1].Value : "NO-ID-PRINTED";

    /// <summary>True when a tool result the agent sent back said its command failed.</summary>
    private static bool AnyToolFailed(ModelServer server) =>
        server.Requests.Any(r => r.Path.EndsWith("/messages", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(r.Body,
            "\"is_error\":\\s*true"));

    [Fact]
    public void A_real_claude_mayor_plans_a_request_into_a_convoy_that_lands_and_hears_that_it_landed()
    {
        var folder = Need("claude", ClaudePackage);
        // The model plays a mayor that follows its prime: items with files and a dependency, a convoy, the plan, the launch.
        using var server = new ModelServer(
        [
            ModelStep.Shell("orc prime"),
            ModelStep.Say("I am the mayor. What shall we build?"),
            ModelStep.Shell("orc item create \"Write the greeting\" --prefix app --description \"a greeting file\" --acceptance \"greet.txt exists\" --file greet.txt --json"),
            ModelStep.From(r => ModelStep.Shell($"orc item create \"Document the greeting\" --prefix app --deps {IdIn(r[^1])} --file GREETING.md --json")),
            ModelStep.From(r => ModelStep.Shell($"orc convoy create greet {IdIn(r[^2])} {IdIn(r[^1])} --title \"A greeting\"")),
            ModelStep.Shell("orc plan greet"),
            ModelStep.Shell("orc convoy launch greet"),
            ModelStep.Say("Convoy greet is launched; I will tell you when it lands."),
            ModelStep.Shell("orc mail inbox"),
            ModelStep.Say("The greeting convoy has landed."),
        ]);
        ClaudeHome();
        var env = AgentEnv(folder, server);
        _f.Ok("rig", "set", "app", "profile", "sim"); // the convoy's polecats: sim agents
        var started = Orc(env, "mayor", "start", "--profile", "claude");
        Assert.True(started.ExitCode == 0, started.ToString());
        string Screen() => _f.Tmux.CapturePane("orc", "mayor", 60);
        RigFixture.Eventually(() => server.Turns >= 2 && _f.State("mayor") == "idle",
            () => $"the mayor did not prime and wait: {_f.State("mayor")}\n{Screen()}", 90);
        // its prime
        Assert.Contains(server.ToolResults, r => r.Contains("orc item create", StringComparison.Ordinal) && r.Contains("orc convoy create",
            StringComparison.Ordinal));

        // The user's request, typed into its window.
        _f.Ok("nudge", "mayor", "Add a greeting to the app, with a document that explains it.");
        RigFixture.Eventually(() => server.Turns >= 8 && _f.State("mayor") == "idle",
            () => $"the mayor did not plan and launch: turns {server.Turns}\n{string.Join("\n--\n", server.ToolResults)}\n{Screen()}", 120);
        Assert.False(AnyToolFailed(server), "a command the mayor ran failed:\n" + string.Join("\n--\n", server.ToolResults));
        var items = JsonDocument.Parse(_f.Ok("convoy", "show", "greet", "--json").Out).RootElement;
        Assert.Contains("A greeting", items.ToString());
        // the plan showed the files
        Assert.Contains(server.ToolResults, r => r.Contains("greet.txt", StringComparison.Ordinal) && r.Contains("GREETING.md", StringComparison.Ordinal));

        // The services land it (run here pass by pass); the mayor is told and reads its mail.
        RigFixture.Eventually(() =>
        {
            Orc(env, "refinery", "run", "app", "--once");
            Orc(env, "deacon", "run", "--once", "--no-supervise");
            return JsonDocument.Parse(_f.Ok("convoy", "show", "greet", "--json").Out).RootElement.GetProperty("state").GetString() == "landed";
        }, () => _f.Ok("convoy", "show", "greet").Out + "\n" + _f.Ok("agents").Out, 180);
        RigFixture.Eventually(() => server.Turns >= 10, () => $"the mayor never read the landing mail: turns {server.Turns}\n{Screen()}", 90);
        Assert.Contains(server.ToolResults, r => r.Contains("convoy greet landed", StringComparison.Ordinal));
        Assert.False(AnyToolFailed(server), "a command the mayor ran failed:\n" + string.Join("\n--\n", server.ToolResults));
    }

    [Fact]
    public void A_real_claude_crew_member_at_its_prompt_takes_an_item_slung_to_it_and_lands_it()
    {
        var folder = Need("claude", ClaudePackage);
        var id = _f.Item("crew says hello");
        using var server = new ModelServer([ModelStep.Shell("orc prime"), ModelStep.Say("Ready for work."), .. WorkScript(id)]);
        ClaudeHome();
        var env = AgentEnv(folder, server);
        Assert.Equal(0, Orc(env, "crew", "add", "ada", "--rig", "app", "--profile", "claude").ExitCode);
        Assert.Equal(0, Orc(env, "crew", "start", "ada").ExitCode);
        string Screen() => _f.Tmux.CapturePane(_f.Rig!, "ada", 60);
        RigFixture.Eventually(() => server.Turns >= 2 && _f.State("ada") == "idle", () => $"ada did not prime and wait: {_f.State("ada")}\n{Screen()}", 90);
        // The item comes as a prompt typed into the running Claude.
        var slung = Orc(env, "sling", id, "--crew", "ada");
        Assert.True(slung.ExitCode == 0, slung.ToString());
        RigFixture.Eventually(() => JsonDocument.Parse(_f.Ok("mq", "list",
            "--json").Out).RootElement.EnumerateArray().Any(s => s.GetProperty("item").GetString() == id),
            () => $"ada never submitted {id}; turns {server.Turns}\n{string.Join("\n--\n", server.ToolResults)}\n{Screen()}", 120);
        Orc(env, "refinery", "run", "app", "--once");
        Assert.Equal("closed", JsonDocument.Parse(_f.Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString());
        using var repo = new LibGit2Sharp.Repository(_f.RigDir);
        Assert.Equal("hello from a real agent\nwritten with its file tool\n", ((LibGit2Sharp.Blob)repo.Head.Tip["HELLO.md"].Target).GetContentText());
        Assert.False(AnyToolFailed(server), "a command ada ran failed:\n" + string.Join("\n--\n", server.ToolResults));
    }

    /// <summary>
    /// Re-records the fixtures the classifier tests run on (Fixtures/screens/PROFILE/NAME.txt in
    /// the source tree), from the real CLIs in a private tmux server of 100x30, walking through
    /// their first-run screens by hand as a new user would: run with ORC_RECORD_SCREENS=1 after
    /// installing a new CLI version, then run ProfileTests and adjust the profiles until they pass.
    /// </summary>
    [Fact]
    public void Screens_of_the_real_clis_are_re_recorded_when_asked()
    {
        if (Environment.GetEnvironmentVariable("ORC_RECORD_SCREENS") != "1") Assert.Skip("re-records Fixtures/screens from the real CLIs only when ORC_RECORD_SCREENS=1 (for a new CLI version)");
        var claude = Need("claude", ClaudePackage);
        var codex = Need("codex", CodexPackage);
        var socket = "orc-rec-" + Guid.NewGuid().ToString("N")[..8];
        var fixtures = Path.Combine(OrcProcess.RepoRoot ?? throw new InvalidOperationException("needs the source tree"), "tests",
            "Orchestrator.Integration.Tests", "Fixtures", "screens");
        string Tmux(params string[] args)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["-L", socket, .. args]) psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return output;
        }
        void Save(string profile, string name, string text) => File.WriteAllText(Path.Combine(fixtures, profile, name + ".txt"), text);
        string Wait(string session, string text, int seconds = 30)
        {
            string screen = "";
            RigFixture.Eventually(() => (screen = Tmux("capture-pane", "-p", "-t", session)).Contains(text, StringComparison.Ordinal),
                () => $"'{text}' never appeared:\n{screen}", seconds);
            Thread.Sleep(500); // let it finish drawing
            return Tmux("capture-pane", "-p", "-t", session);
        }
        void Keys(string session, params string[] keys) { foreach (var k in keys) { Tmux("send-keys", "-t", session, k); Thread.Sleep(300); } }
        void Start(string session, string dir, Dictionary<string, string> env, params string[] argv)
        {
            Directory.CreateDirectory(dir);
            LibGit2Sharp.Repository.Init(dir); // a project folder, as the CLIs expect
            Tmux(["new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-c", dir, "env", .. env.Select(e => $"{e.Key}={e.Value}"), .. argv]);
        }
        try
        {
            // Claude Code: a folder it has not seen, a key it has not been told about, bypass mode never accepted.
            using (var server = new ModelServer([ModelStep.Slow(TimeSpan.FromSeconds(8), ModelStep.Say("Hello from the scripted model."))]))
            {
                ClaudeHome();
                var env = AgentEnv(claude, server);
                var shipped = new Orchestrator.Adapters.Profiles.ProfileCatalog([]).Get("claude");
                Start("claude", Path.Combine(_home, "rec-claude"), env, [Path.Combine(claude, "claude"), .. shipped.Args, "say hello"]);
                Save("claude", "trust-folder", Wait("claude", "Yes, I trust this folder"));
                Keys("claude", "Down", "Enter");
                Save("claude", "use-api-key", Wait("claude", "Do you want to use this API key"));
                Keys("claude", "Up", "Enter");
                Save("claude", "bypass-permissions", Wait("claude", "Yes, I accept"));
                Keys("claude", "Down", "Enter");
                Save("claude", "working", Wait("claude", "esc to interrupt"));
                var idle = Wait("claude", "Hello from the scripted model.");
                RigFixture.Eventually(() => !(idle = Tmux("capture-pane", "-p", "-t", "claude")).Contains("esc to interrupt", StringComparison.Ordinal),
                    () => "still working:\n" + idle, 30);
                Save("claude", "idle", idle);
            }
            // Codex: its composer first, then the folder trust screen.
            using (var server = new ModelServer([ModelStep.Slow(TimeSpan.FromSeconds(8), ModelStep.Say("Hello from the scripted model."))]))
            {
                CodexHome(server);
                var env = AgentEnv(codex, server);
                var shipped = new Orchestrator.Adapters.Profiles.ProfileCatalog([]).Get("codex");
                Start("codex", Path.Combine(_home, "rec-codex"), env, [Path.Combine(codex, "codex"), .. shipped.Args, "say hello"]);
                Save("codex", "starting", Wait("codex", "Ask Codex to do anything"));
                Save("codex", "trust-folder", Wait("codex", "Trust and continue"));
                Keys("codex", "Enter");
                Save("codex", "working", Wait("codex", "esc to interrupt"));
                var idle = Wait("codex", "Hello from the scripted model.");
                RigFixture.Eventually(() => !(idle = Tmux("capture-pane", "-p", "-t", "codex")).Contains("esc to interrupt", StringComparison.Ordinal),
                    () => "still working:\n" + idle, 30);
                Save("codex", "idle", idle);
            }
        }
        finally { Tmux("kill-server"); }
    }
}
