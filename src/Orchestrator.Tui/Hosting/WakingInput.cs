using System.Runtime.InteropServices;
using Terminal.Gui.Drivers;

namespace Orchestrator.Tui.Hosting;

/// <summary>
/// Terminal.Gui's ANSI input, read as soon as a byte arrives. The stock input thread checks the
/// terminal and then sleeps 20 ms whatever happens; this one blocks in <c>poll(2)</c> on the
/// terminal until a byte arrives (or a short timeout passes, to notice the stop), so a key reaches
/// the input queue at once and waits only for the main loop's next iteration. With real terminal
/// I/O disabled (the headless tests) it is the stock input.
/// </summary>
/// <remarks>
/// <see cref="InputImpl{T}.Run"/> is not virtual; the main loop calls it through
/// <see cref="IInput{T}"/>, which this class implements again so that call comes here.
/// </remarks>
internal sealed partial class WakingInput(IdleGate? gate = null) : AnsiInput, IInput<char>
{
    private const int StdinFd = 0;
    private const short PollIn = 1;
    private static readonly TimeSpan StopCheck = TimeSpan.FromMilliseconds(100);
    private System.Collections.Concurrent.ConcurrentQueue<char>? _queue;

    /// <summary>True when this process reads a real terminal (not Terminal.Gui's disabled I/O, not a pipe).</summary>
    public static bool ReadsTerminal =>
        Environment.GetEnvironmentVariable("DisableRealDriverIO") is not ("1" or "true") && OperatingSystem.IsLinux() && IsATty(StdinFd) == 1;

    void IInput<char>.Initialize(System.Collections.Concurrent.ConcurrentQueue<char> inputQueue)
    {
        _queue = inputQueue;
        Initialize(inputQueue);
    }

    void IInput<char>.Run(CancellationToken runCancellationToken)
    {
        if (!ReadsTerminal || _queue is null) { Run(runCancellationToken); return; }
        using var linked = ExternalCancellationTokenSource is { } external
            ? CancellationTokenSource.CreateLinkedTokenSource(runCancellationToken, external.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(runCancellationToken);
        var token = linked.Token;
        var fd = new PollFd { Fd = StdinFd, Events = PollIn };
        while (!token.IsCancellationRequested)
        {
            var got = false;
            while (Peek())
                foreach (var c in Read()) { _queue.Enqueue(c); got = true; }
            if (got) gate?.Input();
            fd.Revents = 0;
            // Blocks until the terminal has a byte, the stop check is due, or a signal interrupts it.
            if (Poll(ref fd, 1, (int)StopCheck.TotalMilliseconds) < 0 && Marshal.GetLastPInvokeError() is not 4 /* EINTR */)
                token.WaitHandle.WaitOne(20); // the terminal cannot be polled: fall back to the stock pace
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsATty(int fd);
}
