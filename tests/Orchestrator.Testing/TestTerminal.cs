using Orchestrator.Adapters.Tmux;

namespace Orchestrator.Testing;

/// <summary>A second tmux server standing in for the user's terminal (plain config, its own socket).</summary>
public sealed class TestTerminal : IDisposable
{
    public string Socket { get; } = "orc-test-term-" + Guid.NewGuid().ToString("N")[..8];

    public string Run(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-L", Socket, "-f", "/dev/null", .. args]) psi.ArgumentList.Add(a);
        psi.Environment.Remove("TMUX");
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    public void Start(string cwd, string script, IDictionary<string, string> env, int width = 160, int height = 40)
    {
        var args = new List<string> { "new-session", "-d", "-s", "term", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y",
            height.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", cwd };
        foreach (var (k, v) in env) args.AddRange(["-e", $"{k}={v}"]);
        args.AddRange(["sh", "-c", script]);
        Run([.. args]);
    }

    public string Screen() => Run("capture-pane", "-p", "-J", "-t", "=term:");

    /// <summary>Types keys into the terminal as tmux key names (Enter, F12, Escape) or literal text with <paramref name="literal"/>.</summary>
    public void Keys(bool literal, params string[] keys) => Run(["send-keys", "-t", "=term:", .. (literal ? new[] { "-l" } : []), .. keys]);

    public void Dispose()
    {
        Run("kill-server");
        // Its socket file sits beside any orc server's (tmux 3.3 leaves it behind).
        var socket = Path.Combine(Path.GetDirectoryName(new TmuxServer("x", "/nonexistent", "/nonexistent").SocketPath)!, Socket);
        try { File.Delete(socket); } catch (IOException) { }
    }
}
