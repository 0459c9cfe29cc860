using Orchestrator.Adapters.Tmux;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>Whether orc runs inside a given tmux server: the socket path $TMUX starts with, exactly.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class TmuxAttachTests
{
    [Theory]
    [InlineData("/tmp/tmux-1000/orc-abc,1234,0", true)]
    [InlineData("/tmp/tmux-1000/orc-abcd,1234,0", false)] // another server whose name starts the same
    [InlineData("/tmp/tmux-1000/default,1234,0", false)] // the user's own tmux
    [InlineData("/other/tmux-1000/orc-abc,1234,0", false)] // the same name in another socket folder
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Inside_compares_the_socket_path(string? tmux, bool inside) =>
        Assert.Equal(inside, TmuxAttach.Inside(tmux, "/tmp/tmux-1000/orc-abc"));

    [Fact]
    public void Inside_knows_the_socket_through_a_symlinked_folder()
    {
        var dir = Directory.CreateTempSubdirectory("orc-attach-").FullName;
        try
        {
            var real = Path.Combine(dir, "real");
            Directory.CreateDirectory(real);
            File.WriteAllText(Path.Combine(real, "orc-abc"), "");
            Directory.CreateSymbolicLink(Path.Combine(dir, "link"), real);
            Assert.Equal(OperatingSystem.IsLinux(), TmuxAttach.Inside(Path.Combine(dir, "link", "orc-abc") + ",1234,0", Path.Combine(real, "orc-abc")));
            Assert.False(TmuxAttach.Inside(Path.Combine(dir, "link", "orc-abcd") + ",1234,0", Path.Combine(real, "orc-abc")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
