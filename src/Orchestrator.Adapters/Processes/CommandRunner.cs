using System.Diagnostics;
using System.Text;
using CliWrap;
using Orchestrator.Core;

namespace Orchestrator.Adapters.Processes;

/// <summary>How a command run ended: its exit code (or a timeout), how long it took, and the tail of its output.</summary>
public sealed record CommandOutcome(int ExitCode, bool TimedOut, TimeSpan Elapsed, string Tail)
{
    public bool Green => ExitCode == 0 && !TimedOut;
}

/// <summary>
/// The gate run of <see cref="ChildProcess"/>: runs a configured command (a rig's gate, a hook
/// command) as an argument array in a given directory, with a time limit. stdout and stderr are
/// kept together, only the last lines. On timeout the whole process group is killed, so a gate
/// that forks cannot outlive its limit.
/// </summary>
public static class CommandRunner
{
    /// <param name="started">Told the started command's <see cref="SessionMark"/> (Linux), e.g. to record it where a successor finds it.</param>
    public static CommandOutcome Run(IReadOnlyList<string> argv, string cwd, IReadOnlyDictionary<string, string?> env, TimeSpan timeout, int tailLines = 40,
        Action<SessionMark>? started = null)
    {
        if (argv.Count == 0) throw new OrcException("no command to run");
        var tail = new Queue<string>();
        var gate = new Lock();
        void Keep(string line)
        {
            lock (gate)
            {
                tail.Enqueue(line.Length > 500 ? line[..500] + "…" : line);
                while (tail.Count > tailLines) tail.Dequeue();
            }
        }
        // setsid puts the command in its own process group: on timeout it and everything it
        // started are killed together.
        var (program, args, useSetsid) = ChildProcess.Launch(argv, ownGroup: true);
        var cmd = ChildProcess.Prepare(program, args, cwd, env)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(Keep, Encoding.UTF8))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(Keep, Encoding.UTF8));
        var clock = Stopwatch.StartNew();
        // setsid execs in place: the pid leads the session.
        var (exit, timedOut) = ChildProcess.Execute(cmd, argv[0], timeout, useSetsid,
            pid => { if (useSetsid && started is not null && SessionMark.Of(pid) is { } mark) started(mark); });
        string text;
        lock (gate) text = string.Join('\n', tail);
        return new CommandOutcome(exit, timedOut, clock.Elapsed, text);
    }
}
