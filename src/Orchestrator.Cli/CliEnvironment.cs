namespace Orchestrator.Cli;

/// <summary>
/// What one run of orc sees of the world: its directory, environment and standard streams.
/// The real process passes its own; tests run orc in-process with their own values, in parallel.
/// </summary>
public sealed record CliEnvironment(
    string CurrentDirectory,
    Func<string, string?> Variable,
    TextWriter Out,
    TextWriter Error,
    TextReader In)
{
    public static CliEnvironment FromProcess() => new(
        Environment.CurrentDirectory,
        Environment.GetEnvironmentVariable,
        Console.Out,
        Console.Error,
        Console.In);

    /// <summary>Reads an option's text: "-" means standard input.</summary>
    public string? TextOrStdin(string? value) => value == "-" ? In.ReadToEnd() : value;
}
