using Orchestrator.Adapters.Processes;
using Orchestrator.Adapters.Tmux;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>
/// Every way orc starts a process passes each argument as one word: a configured command
/// (CommandRunner: gates, on-land commands), a window's program (tmux new-window, no shell) and a
/// background job from the tmux server (run-shell, each word quoted). Shell syntax arrives intact, unrun.
/// </summary>
public sealed class ArgumentArrayTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("orc-argv-").FullName;
    private readonly string _socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
    private string Marker => Path.Combine(_dir, "pwned");

    private string[] Hostile() =>
    [
        $"$(touch {Marker})", $"`touch {Marker}`", $"a b; touch {Marker}", $"x' ; touch '{Marker}", "#{pane_id} #(echo hi) ##", $"-c touch {Marker}", "*", "~",
            "",
    ];

    private static readonly string Recorder = "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done > \"$OUT\"";

    public void Dispose()
    {
        new TmuxServer(_socket, Path.Combine(_dir, "tmux.conf"), _dir).KillServer();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string[] Recorded(string file) => File.ReadAllLines(file);

    private string[] Expected() => [.. Hostile().Select(a => $"[{a}]")];

    [Fact]
    public void A_configured_command_gets_each_argument_as_one_word()
    {
        var output = Path.Combine(_dir, "runner.txt");
        var outcome = CommandRunner.Run(["sh", "-c", Recorder, "sh", .. Hostile()], _dir, new Dictionary<string, string?> { ["OUT"] = output,
            ["ORC_ITEMS"] = $"$(touch {Marker})" }, TimeSpan.FromSeconds(30));
        Assert.True(outcome.Green, outcome.Tail);
        Assert.Equal(Expected(), Recorded(output));
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void A_window_program_and_a_background_job_get_each_argument_as_one_word()
    {
        TmuxServer.CheckVersion();
        var tmux = new TmuxServer(_socket, Path.Combine(_dir, "tmux.conf"), _dir);
        var window = Path.Combine(_dir, "window.txt");
        tmux.StartWindow("s", "w", _dir, new Dictionary<string, string> { ["OUT"] = window }, ["sh", "-c", Recorder + "; sleep 60", "sh", .. Hostile()]);
        Testing.RigFixture.Eventually(() => File.Exists(window) && Recorded(window).Length == Hostile().Length,
            () => "the window's program never wrote its arguments");
        Assert.Equal(Expected(), Recorded(window));

        var background = Path.Combine(_dir, "background.txt");
        tmux.RunInBackground(_dir, new Dictionary<string, string> { ["OUT"] = background }, ["sh", "-c", Recorder, "sh", .. Hostile()]);
        Testing.RigFixture.Eventually(() => File.Exists(background) && Recorded(background).Length == Hostile().Length,
            () => "the background job never wrote its arguments");
        Assert.Equal(Expected(), Recorded(background));
        Assert.False(File.Exists(Marker));
    }
}
