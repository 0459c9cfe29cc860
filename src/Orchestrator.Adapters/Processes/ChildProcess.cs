using System.Diagnostics;
using System.Text;
using CliWrap;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Processes;

/// <summary>How a buffered run ended: the exit code (-1 when it timed out), and everything it wrote to stdout and stderr.</summary>
public sealed record ProcessResult(int ExitCode, string Out, string Err, bool TimedOut = false)
{
    public bool Ok => ExitCode == 0 && !TimedOut;
}

/// <summary>A program that cannot be started: not found, or not executable.</summary>
public sealed class ProgramNotFoundException(string program)
    : OrcException($"cannot run '{TerminalText.Line(program)}': not found or not executable");

/// <summary>
/// The one place orc starts child processes (through CliWrap; the interactive run through
/// <see cref="Process"/>, as CliWrap always redirects the standard streams). Every command is an
/// argument array, never a shell string. The entry points:
/// <list type="bullet">
/// <item><see cref="Run"/>: buffered; stdout, stderr and the exit code, with a time limit.</item>
/// <item><see cref="StreamAsync"/>: each output line as it comes, until the end or a cancellation.</item>
/// <item><see cref="ConverseAsync"/>: a long-lived child fed and read as streams (tmux's control client).</item>
/// <item><see cref="CommandRunner.Run"/>: a gate (a user's configured command): its exit status and output tail, its process group killed on timeout.</item>
/// <item><see cref="Interactive"/>: the child gets this terminal (tmux attach) until it exits.</item>
/// </list>
/// <see cref="ProcessImage.Replace"/> replaces this process instead (execv).
/// An environment entry with a null value removes that variable from the child's environment.
/// </summary>
public static class ChildProcess
{
    /// <summary>
    /// Runs <paramref name="argv"/> to its end and returns what it wrote. On timeout the child is
    /// killed with its process tree, or, with <paramref name="ownGroup"/> (Linux, setsid), with its
    /// whole process group (also what it started and left behind), and the result says TimedOut.
    /// Throws <see cref="ProgramNotFoundException"/> when the program cannot be started.
    /// </summary>
    public static ProcessResult Run(IReadOnlyList<string> argv, string? cwd = null, IReadOnlyDictionary<string, string?>? env = null,
        TimeSpan? timeout = null, bool ownGroup = false)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var (program, args, grouped) = Launch(argv, ownGroup);
        var cmd = Prepare(program, args, cwd, env)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout, Encoding.UTF8))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr, Encoding.UTF8));
        var (exit, timedOut) = Execute(cmd, argv[0], timeout, grouped);
        return new ProcessResult(exit, stdout.ToString(), stderr.ToString(), timedOut);
    }

    /// <summary>
    /// Runs <paramref name="argv"/> with standard input closed and hands over each line it writes
    /// (stdout and stderr alike) as it comes; returns the exit code. Cancelling kills the child and
    /// what it started, and throws <see cref="OperationCanceledException"/>. Throws
    /// <see cref="ProgramNotFoundException"/> when the program cannot be started.
    /// </summary>
    public static async Task<int> StreamAsync(IReadOnlyList<string> argv, Action<string> line, string? cwd = null,
        IReadOnlyDictionary<string, string?>? env = null, CancellationToken cancel = default)
    {
        try
        {
            var result = await Prepare(argv[0], argv.Skip(1), cwd, env)
                .WithStandardInputPipe(PipeSource.Null)
                .WithStandardOutputPipe(PipeTarget.ToDelegate(line, Encoding.UTF8))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(line, Encoding.UTF8))
                .ExecuteAsync(cancel).ConfigureAwait(false);
            return result.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { throw new ProgramNotFoundException(argv[0]); }
    }

    /// <summary>
    /// Runs a long-lived <paramref name="argv"/> whose standard input is written by
    /// <paramref name="input"/> (returning closes it) and whose standard output is read by
    /// <paramref name="output"/>; returns the exit code. Cancelling kills it. Throws
    /// <see cref="ProgramNotFoundException"/> when the program cannot be started.
    /// </summary>
    public static async Task<int> ConverseAsync(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string?>? env,
        Func<Stream, CancellationToken, Task> input, Func<Stream, CancellationToken, Task> output, CancellationToken cancel)
    {
        try
        {
            var result = await Prepare(argv[0], argv.Skip(1), null, env)
                .WithStandardInputPipe(PipeSource.Create(input))
                .WithStandardOutputPipe(PipeTarget.Create(output))
                .ExecuteAsync(cancel).ConfigureAwait(false);
            return result.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { throw new ProgramNotFoundException(argv[0]); }
    }

    /// <summary>
    /// Runs <paramref name="argv"/> on this process's terminal (its standard input, output and
    /// error, not redirected) and waits for it to end; returns its exit code. Throws
    /// <see cref="ProgramNotFoundException"/> when the program cannot be started.
    /// </summary>
    public static int Interactive(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string?>? env = null)
    {
        var psi = new ProcessStartInfo(argv[0]) { UseShellExecute = false };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        try
        {
            using var p = Process.Start(psi) ?? throw new ProgramNotFoundException(argv[0]);
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { throw new ProgramNotFoundException(argv[0]); }
    }

    /// <summary>
    /// Runs <paramref name="cmd"/> to its end, or until <paramref name="timeout"/>: then its process
    /// group (when <paramref name="grouped"/>) and its process tree are killed, and the exit code is
    /// -1. <paramref name="started"/> is told the child's pid once it runs.
    /// </summary>
    internal static (int Exit, bool TimedOut) Execute(Command cmd, string program, TimeSpan? timeout, bool grouped, Action<int>? started = null)
    {
        using var forceful = new CancellationTokenSource();
        CommandTask<CommandResult> task;
        try { task = cmd.ExecuteAsync(forceful.Token); }
        catch (System.ComponentModel.Win32Exception) { throw new ProgramNotFoundException(program); }
        started?.Invoke(task.ProcessId);
        try
        {
            if (timeout is { } limit && !task.Task.Wait(limit))
            {
                if (grouped) ProcessGroup.Kill(task.ProcessId);
                forceful.Cancel();
                try { task.Task.GetAwaiter().GetResult(); }
                catch (OperationCanceledException) { }
                return (-1, true);
            }
            return (task.Task.GetAwaiter().GetResult().ExitCode, false);
        }
        catch (AggregateException e) when (e.InnerException is System.ComponentModel.Win32Exception) { throw new ProgramNotFoundException(program); }
        catch (System.ComponentModel.Win32Exception) { throw new ProgramNotFoundException(program); }
    }

    /// <summary>
    /// The program to start for <paramref name="argv"/>: with <paramref name="ownGroup"/> on Linux,
    /// <c>setsid</c> in front, which puts the command in a new session and process group (it execs
    /// in place, so the child's pid leads the group); then true.
    /// </summary>
    internal static (string Program, IEnumerable<string> Args, bool Grouped) Launch(IReadOnlyList<string> argv, bool ownGroup)
    {
        if (argv.Count == 0) throw new OrcException("no command to run");
        var grouped = ownGroup && OperatingSystem.IsLinux() && File.Exists(Setsid);
        return grouped ? (Setsid, argv, true) : (argv[0], argv.Skip(1), false);
    }

    private const string Setsid = "/usr/bin/setsid";

    /// <summary>A CliWrap command for <paramref name="program"/>: no validation of the exit code, the directory and environment if given.</summary>
    internal static Command Prepare(string program, IEnumerable<string> args, string? cwd, IReadOnlyDictionary<string, string?>? env)
    {
        var cmd = Cli.Wrap(program).WithArguments(args).WithValidation(CommandResultValidation.None);
        if (cwd is not null) cmd = cmd.WithWorkingDirectory(cwd);
        if (env is not null) cmd = cmd.WithEnvironmentVariables(env);
        return cmd;
    }
}
