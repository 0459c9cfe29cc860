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
    /// <summary>Where UTF-8 bytes for standard output go (the process's stdout stream, or <see cref="Out"/> as text).</summary>
    public Stream? RawOut { get; init; }

    /// <summary>How to start this orc again (for agents it launches); null: this process's own command line.</summary>
    public IReadOnlyList<string>? SelfArgv { get; init; }

    public static CliEnvironment FromProcess() => new(
        Environment.CurrentDirectory,
        Environment.GetEnvironmentVariable,
        Console.Out,
        Console.Error,
        Console.In)
    {
        RawOut = Console.OpenStandardOutput(),
    };

    /// <summary>Writes UTF-8 bytes to standard output without a round trip through strings.</summary>
    public void WriteUtf8(ReadOnlySpan<byte> bytes)
    {
        if (RawOut is null) { Out.Write(System.Text.Encoding.UTF8.GetString(bytes)); return; }
        Out.Flush();
        RawOut.Write(bytes);
        RawOut.Flush();
    }

    /// <summary>Reads an option's text: "-" means standard input.</summary>
    public string? TextOrStdin(string? value) => value == "-" ? In.ReadToEnd() : value;
}
