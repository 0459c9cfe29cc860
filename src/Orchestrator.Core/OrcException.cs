namespace Orchestrator.Core;

/// <summary>
/// An error the user caused or can fix: reported as one line on stderr with a non-zero exit code.
/// Anything else that escapes is an internal error.
/// </summary>
public class OrcException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The exit codes of every orc command (documented in docs/cli.md, "Exit codes").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int NoWorkspace = 4;
    public const int Busy = 5;
}
