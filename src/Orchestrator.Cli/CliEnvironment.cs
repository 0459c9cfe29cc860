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

    /// <summary>Standard input as bytes (the process's stdin stream); null: read <see cref="In"/> as text.</summary>
    public Stream? RawIn { get; init; }

    /// <summary>How to start this orc again (for agents it launches); null: this process's own command line.</summary>
    public IReadOnlyList<string>? SelfArgv { get; init; }

    /// <summary>
    /// The process's command line as bytes, one array per argument, or null when it cannot be read;
    /// the property itself is null when the arguments did not come from a command line (a batch
    /// line, a test running orc in-process), which are text already. See <see cref="Core.Text.CommandLineText"/>.
    /// </summary>
    public Func<IReadOnlyList<byte[]>?>? CommandLineBytes { get; init; }

    /// <summary>
    /// How many columns a line may take before the terminal wraps it: the terminal's width when
    /// standard output is one, else null (a pipe or a file: no limit, nothing is cut).
    /// </summary>
    public int? TerminalWidth { get; init; }

    public static CliEnvironment FromProcess() => new(
        Environment.CurrentDirectory,
        Environment.GetEnvironmentVariable,
        Console.Out,
        Console.Error,
        Console.In)
    {
        RawOut = Console.OpenStandardOutput(),
        RawIn = Console.OpenStandardInput(),
        CommandLineBytes = ReadCommandLine,
        TerminalWidth = ConsoleWidth(),
    };

    private static int? ConsoleWidth()
    {
        if (Console.IsOutputRedirected) return null;
        try { return Console.WindowWidth is > 20 and var w ? w : null; }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or InvalidOperationException) { return null; }
    }

    /// <summary>This process's arguments as the kernel holds them (Linux: /proc/self/cmdline, NUL-separated); null elsewhere.</summary>
    private static IReadOnlyList<byte[]>? ReadCommandLine()
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes("/proc/self/cmdline"); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException) { return null; }
        if (bytes.Length == 0 || bytes[^1] != 0) return null;
        var list = new List<byte[]>();
        var rest = bytes.AsSpan(0, bytes.Length - 1);
        while (true)
        {
            var nul = rest.IndexOf((byte)0);
            if (nul < 0) { list.Add(rest.ToArray()); return list; }
            list.Add(rest[..nul].ToArray());
            rest = rest[(nul + 1)..];
        }
    }

    /// <summary>Writes UTF-8 bytes to standard output without a round trip through strings.</summary>
    public void WriteUtf8(ReadOnlySpan<byte> bytes)
    {
        if (RawOut is null) { Out.Write(System.Text.Encoding.UTF8.GetString(bytes)); return; }
        Out.Flush();
        RawOut.Write(bytes);
        RawOut.Flush();
    }

    /// <summary>Reads an option's text: "-" means standard input.</summary>
    public string? TextOrStdin(string? value) => value == "-" ? ReadStdin() : value;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// All of standard input as UTF-8 bytes. Bytes that are not UTF-8 are refused with the line
    /// they are on, never silently replaced.
    /// </summary>
    public byte[] ReadStdinBytes()
    {
        byte[] bytes;
        if (RawIn is null) bytes = System.Text.Encoding.UTF8.GetBytes(In.ReadToEnd());
        else
        {
            using var buffer = new MemoryStream();
            RawIn.CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        var chars = new char[bytes.Length];
        if (System.Text.Unicode.Utf8.ToUtf16(bytes, chars, out var valid, out _,
            replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done) return bytes;
        var line = 1 + bytes.AsSpan(0, valid).Count((byte)'\n');
        throw new Core.OrcException($"<stdin>:{line}: is not valid UTF-8 (byte {valid + 1}); nothing was read");
    }

    /// <summary>All of standard input as text (see <see cref="ReadStdinBytes"/>).</summary>
    public string ReadStdin() => StrictUtf8.GetString(ReadStdinBytes());
}
