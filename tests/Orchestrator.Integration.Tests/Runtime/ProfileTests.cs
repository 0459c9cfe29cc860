using Orchestrator.Adapters.Profiles;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;

namespace Orchestrator.Integration.Tests.Runtime;

public class ProfileTests
{
    private static readonly ProfileCatalog Shipped = new([]);

    [Fact]
    public void Every_shipped_profile_loads()
    {
        Assert.Equal(ProfileCatalog.ShippedNames.Order(), Shipped.All.Select(p => p.Name).Order());
        Assert.Equal(PromptModes.None, Shipped.Get("sim").Prompt);
        Assert.Equal(AgentProfile.SelfPlaceholder, Shipped.Get("sim").Command);
    }

    /// <summary>Pane texts modelled on each CLI's documented screens, and the state each shows.</summary>
    public static TheoryData<string, string, string> Panes() => new()
    {
        { "claude", "✻ Cogitating… (12s · ↑ 1.2k tokens · esc to interrupt)", AgentStates.Working },
        { "claude", "╭──────────────╮\n│ > Try \"fix lint errors\" │\n╰──────────────╯\n  ? for shortcuts", AgentStates.Idle },
        { "claude", "Edit file src/app.ts\nDo you want to make this edit to app.ts?\n❯ 1. Yes\n  2. No, and tell Claude what to do differently",
            AgentStates.Waiting },
        { "codex", "• Working (5s • esc to interrupt)", AgentStates.Working },
        { "codex", "Allow command?\n  $ npm test\n[y/N]", AgentStates.Waiting },
        { "codex", "▌ Ask Codex to do anything\n ⏎ send   ⇧⏎ newline", AgentStates.Idle },
        { "gemini", "⠋ Thinking about the change (esc to cancel, 3s)", AgentStates.Working },
        { "gemini", "Allow execution of: 'npm test'?\n● 1. Yes, allow once", AgentStates.Waiting },
        { "gemini", ">   Type your message or @path/to/file", AgentStates.Idle },
        { "aider", "Tokens: 4.2k sent, 310 received.\nApplied edit to app.py", AgentStates.Working },
        { "aider", "Add app.py to the chat? (Y)es/(N)o [Yes]:", AgentStates.Waiting },
        { "aider", "app.py\n> ", AgentStates.Idle },
        { "shell", "orc$ ", AgentStates.Idle },
        { "sim", "sim: working on hq-a1b2 (step 2 of 3)", AgentStates.Working },
        { "sim", "sim: question: which database should I use?", AgentStates.Waiting },
        { "sim", "sim: done hq-a1b2", AgentStates.Idle },
        { "claude", "some unrelated build output", AgentStates.Unknown },
    };

    [Theory]
    [MemberData(nameof(Panes))]
    public void The_state_is_recognised_from_the_pane(string profile, string pane, string state) =>
        Assert.Equal(state, Shipped.Get(profile).Classify(pane));

    /// <summary>
    /// Screens captured from the real CLIs (Fixtures/screens/PROFILE/NAME.txt; the real-CLI tests
    /// re-record some with ORC_RECORD_SCREENS=1) and what the shipped profile must make of each:
    /// the state, and for a first-run screen, which one it is and the keys that answer it.
    /// </summary>
    public static TheoryData<string, string, string, string?> RealScreens() => new()
    {
        { "claude", "trust-folder", AgentStates.Trust, "trust folder" },
        { "claude", "use-api-key", AgentStates.Trust, "use API key" },
        { "claude", "bypass-permissions", AgentStates.Trust, "bypass permissions" },
        { "claude", "working", AgentStates.Working, null },
        { "claude", "working-hung-first", AgentStates.Working, null },
        { "claude", "working-hung-later", AgentStates.Working, null },
        { "claude", "idle", AgentStates.Idle, null },
        { "claude", "idle-after-work", AgentStates.Idle, null },
        { "claude", "waiting-approval", AgentStates.Waiting, null },
        { "claude", "error-rate-limit", AgentStates.Error, null },
        { "claude", "error-dropped", AgentStates.Error, null },
        { "claude", "exited-as-root", AgentStates.Unknown, null },
        { "codex", "trust-folder", AgentStates.Trust, "trust folder" },
        { "codex", "starting", AgentStates.Idle, null },
        { "codex", "working", AgentStates.Working, null },
        { "codex", "working-hung-first", AgentStates.Working, null },
        { "codex", "working-hung-later", AgentStates.Working, null },
        { "codex", "idle", AgentStates.Idle, null },
        { "codex", "idle-after-work", AgentStates.Idle, null },
        { "codex", "waiting-approval", AgentStates.Waiting, null },
        { "codex", "error-retrying", AgentStates.Error, null },
    };

    [Theory]
    [MemberData(nameof(RealScreens))]
    public void Real_screens_are_recognised_by_the_shipped_profiles(string profile, string screen, string state, string? firstRun)
    {
        var text = Fixture(profile, screen);
        var p = Shipped.Get(profile);
        Assert.Equal(state, p.Classify(text));
        Assert.Equal(firstRun, p.ScreenOn(text)?.Name);
    }

    private static string Fixture(string profile, string screen) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "screens", profile, screen + ".txt"));

    [Theory]
    [InlineData("claude")]
    [InlineData("codex")]
    public void A_cli_waiting_on_a_hung_model_shows_a_steady_screen_although_its_spinner_moves(string profile)
    {
        // Captured 6 s and 42-48 s into a model call that never answers: the spinner glyph, its
        // seconds and a footer hint changed; nothing the agent did.
        var p = Shipped.Get(profile);
        var (first, later) = (Fixture(profile, "working-hung-first"), Fixture(profile, "working-hung-later"));
        Assert.NotEqual(first, later);
        Assert.Equal(p.Steady(first), p.Steady(later));
        // What the agent does still changes it.
        Assert.NotEqual(p.Steady(Fixture(profile, "working")), p.Steady(Fixture(profile, "idle-after-work")));
        Assert.NotEqual(p.Steady(Fixture(profile, "working-hung-later")), p.Steady(Fixture(profile, "working")));
    }

    [Fact]
    public void First_run_screens_are_answered_away_from_their_default_no()
    {
        // Claude's trust and bypass screens highlight "No, exit"; its API key screen highlights "No".
        var claude = Shipped.Get("claude");
        Assert.Equal(["Down", "Enter"], claude.Screens.Single(s => s.Name == "trust folder").Keys);
        Assert.Equal(["Up", "Enter"], claude.Screens.Single(s => s.Name == "use API key").Keys);
        Assert.Equal(["Down", "Enter"], claude.Screens.Single(s => s.Name == "bypass permissions").Keys);
        Assert.Equal(["Enter"], Shipped.Get("codex").Screens.Single().Keys);
        Assert.Contains("--dangerously-skip-permissions", claude.Args);
    }

    [Theory]
    [InlineData("claude", "2.1.328", true)]
    [InlineData("claude", "2.1.400", true)]
    [InlineData("claude", "2.10.1", false)]
    [InlineData("claude", "2.2.0", false)]
    [InlineData("codex", "0.169.0", true)]
    [InlineData("codex", "0.16", false)]
    public void Verified_versions_are_prefixes(string profile, string version, bool covered) =>
        Assert.Equal(covered, Shipped.Get(profile).Verified!.Covers(version));

    [Fact]
    public void Profiles_never_run_against_their_cli_say_so()
    {
        foreach (var name in new[] { "gemini", "aider", "opencode" }) Assert.Null(Shipped.Get(name).Verified);
        Assert.Equal("2.1.328", ProfileVerification.VersionIn("2.1.328 (Claude Code)"));
        Assert.Equal("0.169.0", ProfileVerification.VersionIn("codex-cli 0.169.0"));
    }

    [Fact]
    public void Only_the_bottom_of_the_screen_counts()
    {
        var old = "Do you want to proceed?\n" + string.Join('\n', Enumerable.Range(0, 30).Select(i => "line " + i)) + "\n? for shortcuts";
        Assert.Equal(AgentStates.Idle, Shipped.Get("claude").Classify(old));
    }

    [Theory]
    [InlineData("name: broken\ncommand: x\nargs: [unclosed\n", "broken.yaml:4: invalid YAML")]
    [InlineData("name: broken\ncommand: x\nstates:\n  working: ['(unclosed']\n",
        "broken.yaml:4: 'working' pattern '(unclosed' is not a valid regular expression")]
    [InlineData("name: broken\ncommand: x\nvolatile: ['[spinner']\n", "broken.yaml:3: 'volatile' pattern '[spinner' is not a valid regular expression")]
    [InlineData("name: broken\ncommand: x\ncomand: y\n", "broken.yaml:3: unknown setting 'comand'")]
    [InlineData("name: broken\ncommand: x\nprompt: shout\n", "broken.yaml:3: 'prompt' must be one of arg, keys, none")]
    [InlineData("name: other\ncommand: x\n", "broken.yaml:1: 'name' is 'other' but the file is named broken.yaml")]
    [InlineData("name: broken\ncommand: x\nscreens:\n  - name: s\n    keys: [Enter]\n", "broken.yaml:4: 'detect' of screen 's' needs at least one pattern")]
    [InlineData("name: broken\ncommand: x\nscreens: {a: 1}\n", "broken.yaml:3: 'screens' must be a list of mappings")]
    public void A_broken_profile_names_its_file_and_line(string yaml, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("orc-profiles-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "broken.yaml"), yaml);
            var e = Assert.Throws<OrcException>(() => new ProfileCatalog([dir.FullName]));
            Assert.Contains(expected, e.Message);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void A_workspace_profile_overrides_the_shipped_one()
    {
        var dir = Directory.CreateTempSubdirectory("orc-profiles-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "claude.yaml"), "command: /opt/claude/bin/claude\nargs: ['--model', 'opus']\nprompt: arg\n");
            var p = new ProfileCatalog([dir.FullName]).Get("claude");
            Assert.Equal("/opt/claude/bin/claude", p.Command);
            Assert.Equal(["--model", "opus"], p.Args);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void An_unknown_profile_lists_the_known_ones()
    {
        var e = Assert.Throws<OrcException>(() => Shipped.Get("gpt"));
        Assert.Contains("claude", e.Message);
        Assert.Contains("sim", e.Message);
    }

    [Fact]
    public void Agent_clis_are_looked_up_on_path()
    {
        Assert.True(ProfileCatalog.OnPath("sh", Environment.GetEnvironmentVariable("PATH")));
        Assert.False(ProfileCatalog.OnPath("no-such-agent-cli", Environment.GetEnvironmentVariable("PATH")));
    }

    [Fact]
    public void Yaml_errors_from_any_file_name_the_line()
    {
        var e = Assert.Throws<OrcException>(() => YamlFile.Parse("a: 1\nb: : :\n", "x.yaml"));
        Assert.StartsWith("x.yaml:2:", e.Message);
    }
}
