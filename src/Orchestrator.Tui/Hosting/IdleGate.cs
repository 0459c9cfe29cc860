using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Orchestrator.Tui.Hosting;

/// <summary>
/// Lets the TUI's main loop sleep while nothing happens. Terminal.Gui 2.5's loop runs a fixed number
/// of iterations a second (100 here, so a key is answered within 10 ms), which costs a few percent
/// of a core with nothing on screen changing. At the start of each iteration the loop asks
/// <see cref="BeforeIteration"/>, which returns at once while the TUI is busy (something to draw,
/// or the person did something within <see cref="AwakeFor"/>), and otherwise waits until a key
/// arrives or the terminal is resized (<see cref="Input"/>), a snapshot or an update is handed to
/// the UI (<see cref="Wake"/>), or <see cref="LongestSleep"/> passed, so Terminal.Gui's own timers still run.
/// A key that ends a sleep is handled in that same iteration: the wait adds no latency.
/// </summary>
internal sealed class IdleGate : IDisposable
{
    /// <summary>How long the loop keeps its full pace after the last thing that happened (an Esc waiting to be told from an escape sequence is decided by a
    /// timeout).</summary>
    public static readonly TimeSpan AwakeFor = TimeSpan.FromSeconds(1);

    /// <summary>The longest one idle wait lasts.</summary>
    public static readonly TimeSpan LongestSleep = TimeSpan.FromMilliseconds(250);

    private readonly AutoResetEvent _wake = new(false);
    private readonly PosixSignalRegistration? _resize;
    private long _lastActivity = Stopwatch.GetTimestamp();

    public IdleGate()
    {
        if (!OperatingSystem.IsWindows())
            _resize = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => Input());
    }

    /// <summary>Idle waits so far (for tests and the bench).</summary>
    public long Sleeps { get; private set; }

    /// <summary>Work was handed to the UI thread (an update, a snapshot): a sleeping loop runs its next iteration now.</summary>
    public void Wake() => _wake.Set();

    /// <summary>The person did something (a key, the mouse, a resize): the loop wakes and keeps its full pace for <see cref="AwakeFor"/>.</summary>
    public void Input()
    {
        Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());
        _wake.Set();
    }

    /// <summary>Called by the main loop (on its thread) before each iteration.</summary>
    /// <param name="busy">Whether anything waits to be laid out or drawn (asked only when the loop would sleep).</param>
    public void BeforeIteration(Func<bool> busy)
    {
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActivity)) < AwakeFor || busy()) return;
        Sleeps++;
        _wake.WaitOne(LongestSleep);
    }

    public void Dispose()
    {
        _resize?.Dispose();
        _wake.Dispose();
    }
}
