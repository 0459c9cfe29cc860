using Terminal.Gui.Input;

namespace Orchestrator.Tui.Views;

/// <summary>
/// The box a <c>:</c> command's output goes to, opened as it starts and filled as its lines come
/// (so <c>:feed -f</c> shows events as they happen). While it runs, Ctrl-C stops the command
/// and keeps the box to read; Esc (or q) closes the box and stops the command with it.
/// </summary>
internal sealed class CommandOverlay : TextOverlay
{
    public const string RunningFooter = "running · Ctrl-C stops it · Esc stops it and closes";

    private readonly CancellationTokenSource _stop = new();

    public CommandOverlay(string line, int screenWidth, int screenHeight) : base("orc " + line, screenWidth, screenHeight)
    {
        Line = line;
        Footer = RunningFooter;
        Closed += Stop;
    }

    public string Line { get; }

    /// <summary>Cancelled when the command is to stop (Ctrl-C, or the box closing).</summary>
    public CancellationToken Stopping => _stop.Token;

    public bool Running { get; private set; } = true;

    /// <summary>Asks the command to stop (its process is killed); nothing once it has ended.</summary>
    public void Stop()
    {
        if (!Running || _stop.IsCancellationRequested) return;
        _stop.Cancel();
        Footer = "stopping…";
    }

    /// <summary>The command ended: the title and last line say how.</summary>
    public void Finished(int exitCode, bool stopped)
    {
        Running = false;
        var how = stopped ? "stopped" : $"exit {exitCode}";
        Title = $"orc {Line}  ({how})";
        Footer = $"{how} · Esc closes";
    }

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.C.WithCtrl)
        {
            if (Running) Stop(); else Close();
            return true;
        }
        return base.OnKeyDown(key);
    }
}
