using System.Net.Sockets;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>
/// orc's tmux socket is private: a socket directory others can reach, one owned by someone else,
/// a socket owned by someone else and a socket name that is a path are each refused with a clear
/// error. Real orc processes with their own TMUX_TMPDIR (the variable tmux reads too).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class TmuxSocketSecurityTests : IDisposable
{
    private readonly TempWorkspace _ws = new();
    private readonly string _tmp = Directory.CreateTempSubdirectory("orc-tmuxtmp-").FullName;
    private readonly string _socket = "orc-test-" + Guid.NewGuid().ToString("N")[..10];
    private string Dir => Path.Combine(_tmp, $"tmux-{Uid()}");

    public void Dispose()
    {
        _ws.Dispose();
        try { Directory.Delete(_tmp, true); } catch (IOException) { }
    }

    private static string Uid()
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("id", "-u") { RedirectStandardOutput = true })!;
        var uid = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return uid;
    }

    // 'orc down' talks to the workspace's tmux server even when no agent is running.
    private CliResult Agents(string? socket = null) =>
        OrcProcess.Run(_ws.Root, ["down"], new Dictionary<string, string> { ["TMUX_TMPDIR"] = _tmp, ["ORC_TMUX_SOCKET"] = socket ?? _socket });

    [Fact]
    public void A_private_socket_directory_is_used()
    {
        Directory.CreateDirectory(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var r = Agents();
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Fact]
    public void A_socket_directory_others_can_reach_is_refused()
    {
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode(Dir, (UnixFileMode)0x1FF); // 0777
        var r = Agents();
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"tmux socket directory {Dir} has mode 777", r.Err);
        Assert.Contains($"chmod 700 {Dir}", r.Err);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_socket_or_directory_owned_by_another_user_is_refused()
    {
        Assert.Equal("0", Uid()); // the tests run as root, who can give a file away
        Directory.CreateDirectory(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(Dir, _socket);
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            Chown(path, "65534");
            var r = Agents();
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"tmux socket {path} is owned by uid 65534, not you (uid 0)", r.Err);
        }
        File.Delete(path);
        Chown(Dir, "65534");
        var d = Agents();
        Assert.Equal(1, d.ExitCode);
        Assert.Contains($"tmux socket directory {Dir} is owned by uid 65534", d.Err);
    }

    [Fact]
    public void A_symlinked_socket_directory_is_refused()
    {
        var real = Directory.CreateDirectory(Path.Combine(_tmp, "elsewhere")).FullName;
        Directory.CreateSymbolicLink(Dir, real);
        var r = Agents();
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("is not a directory (a symlink", r.Err);
    }

    [Theory]
    [InlineData("../../tmp/evil")]
    [InlineData("a/b")]
    [InlineData("-L")]
    [InlineData(".hidden")]
    public void A_socket_name_that_is_a_path_or_an_option_is_refused(string name)
    {
        var r = Agents(name);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"tmux socket name '{name}' is not valid (ORC_TMUX_SOCKET", r.Err);
        Assert.False(File.Exists(Path.Combine(_tmp, "evil")));
    }

    private static void Chown(string path, string uid)
    {
        using var p = System.Diagnostics.Process.Start("chown", ["-h", uid, path]);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
