using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orc batch</c>: many orc commands from standard input, one JSON array of arguments per line,
/// run one after the other in this process through the same verb tree (same checks, lock and
/// commit per change). Each line is answered, once its change is committed, by one JSON line.
/// </summary>
internal static class BatchCommand
{
    /// <summary>Verbs that wait for a person, take the terminal or run until stopped.</summary>
    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["batch"] = "a batch cannot run a batch",
        ["tui"] = "it is interactive",
        ["demo"] = "it is interactive",
        ["attach"] = "it is interactive",
        ["crew attach"] = "it is interactive",
        ["mayor attach"] = "it is interactive",
        ["sim-agent"] = "it runs as an agent, reading standard input",
        ["handoff-restart"] = "tmux runs it for 'orc handoff'",
        ["merge-driver"] = "git runs it",
        ["convoy launch"] = "it runs until the convoy lands",
        ["refinery run"] = "it runs until stopped",
        ["witness run"] = "it runs until stopped",
        ["deacon run"] = "it runs until stopped",
        ["boot run"] = "it runs until stopped",
    };

    private static readonly JsonWriterOptions AnswerOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Build(IServiceProvider services, RootCommand root)
    {
        var stopOnError = new Option<bool>("--stop-on-error") { Description = "Stop at the first line that fails (its answer is still written)" };
        var cmd = new Command("batch",
            "Run many orc commands in one process: each line of standard input is a JSON array of arguments " +
            "(e.g. [\"item\",\"create\",\"a title\",\"--json\"]), never split by a shell. Each line is answered, " +
            "after its change is committed, by one JSON line {\"line\":N,\"exit\":CODE,\"out\":\"…\",\"err\":\"…\"}. " +
            "Interactive and long-running verbs (tui, attach, demo, service loops) are refused. Exit 0 when every line succeeded, " +
            "else the exit code of the first line that failed")
        {
            stopOnError,
        };
        cmd.SetAction(pr =>
        {
            var env = services.GetRequiredService<CliEnvironment>();
            var stop = pr.GetValue(stopOnError);
            var first = 0;
            var number = 0;
            foreach (var line in Lines(env))
            {
                number++;
                if (line.Text is { } t && string.IsNullOrWhiteSpace(t)) continue;
                var (code, output, error) = line.Text is { } text
                    ? RunLine(root, env, number, text)
                    : (ExitCodes.Usage, "", $"orc: stdin:{number}: {line.Error}\n");
                Answer(env, number, code, output, error);
                if (code != 0 && first == 0) first = code;
                if (code != 0 && stop) break;
            }
            return first;
        });
        return cmd;
    }

    /// <summary>
    /// The lines of standard input. From the process's own stdin they are read as bytes, so a line
    /// that is not UTF-8 is answered as such (exit 2) instead of being stored with U+FFFD in place
    /// of its bytes; the lines around it run.
    /// </summary>
    private static IEnumerable<(string? Text, string? Error)> Lines(CliEnvironment env)
    {
        if (env.RawIn is null)
        {
            string? text;
            while ((text = env.In.ReadLine()) is not null) yield return (text, null);
            yield break;
        }
        var buffer = new byte[64 * 1024];
        var line = new MemoryStream();
        var start = true;
        int read;
        while ((read = env.RawIn.Read(buffer)) > 0)
        {
            var rest = buffer.AsMemory(0, read);
            if (start && rest.Span.StartsWith("\uFEFF"u8)) rest = rest[3..]; // a byte order mark, as a text reader would skip it
            start = false;
            int nl;
            while ((nl = rest.Span.IndexOf((byte)'\n')) >= 0)
            {
                line.Write(rest.Span[..nl]);
                yield return Decode(line);
                line.SetLength(0);
                rest = rest[(nl + 1)..];
            }
            line.Write(rest.Span);
        }
        if (line.Length > 0) yield return Decode(line);
    }

    private static (string? Text, string? Error) Decode(MemoryStream line)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        var chars = new char[bytes.Length];
        if (System.Text.Unicode.Utf8.ToUtf16(bytes, chars, out var valid, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
            return (null, $"is not valid UTF-8 (byte {valid + 1}); the line was not run");
        return (new string(chars, 0, written), null);
    }

    private static (int Code, string Out, string Err) RunLine(RootCommand root, CliEnvironment env, int number, string text)
    {
        string[] args;
        try
        {
            args = Arguments(text);
        }
        catch (FormatException ex)
        {
            return (ExitCodes.Usage, "", $"orc: stdin:{number}: {ex.Message}\n");
        }
        if (RefusalOf(root, args) is { } why)
            return (ExitCodes.Usage, "", $"orc: stdin:{number}: {why}\n");

        var output = new StringWriter();
        var error = new StringWriter();
        var lineEnv = new CliEnvironment(env.CurrentDirectory, env.Variable, output, error, new NoInput(number))
        {
            SelfArgv = env.SelfArgv,
        };
        var code = OrcCli.Run(args, lineEnv);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The arguments on one line: a JSON array of strings, nothing else.</summary>
    private static string[] Arguments(string text)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not a JSON array of arguments: {ex.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new FormatException($"expected a JSON array of arguments, got a {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            var args = new List<string>();
            var i = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.String)
                    throw new FormatException($"argument {i + 1} is a {e.ValueKind.ToString().ToLowerInvariant()}, not a string");
                try { args.Add(e.GetString()!); }
                catch (InvalidOperationException)
                {
                    // An escaped lone surrogate ("a\ud800b") is valid JSON but not text: it cannot be stored, printed or given to git.
                    throw new FormatException($"argument {i + 1} is not valid text (it holds a lone UTF-16 surrogate, such as \\ud800 without its pair)");
                }
                i++;
            }
            if (args.Count == 0) throw new FormatException("an empty array: no verb to run");
            return args.ToArray();
        }
    }

    private static string? RefusalOf(RootCommand root, string[] args)
    {
        var parse = root.Parse(args, OrcCli.Parser);
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            if (r.Command is not RootCommand) names.Insert(0, r.Command.Name);
        var path = string.Join(' ', names);
        var help = parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?" or "--version");
        if (help) return null;
        if (path.Length == 0)
            return "no verb: 'orc' alone opens the TUI, which cannot run in a batch";
        if (Refused.TryGetValue(path, out var why))
            return $"'orc {path}' cannot run in a batch ({why}); run it on its own";
        if (path == "feed" && parse.Tokens.Any(t => t.Value is "--follow" or "-f"))
            return "'orc feed --follow' cannot run in a batch (it runs until stopped); run it on its own";
        return null;
    }

    private static void Answer(CliEnvironment env, int number, int code, string output, string error)
    {
        // Control characters (C0 and C1, so escape sequences) are always escaped: an answer is one line, inert on a terminal.
        var buffer = new ArrayBufferWriter<byte>(256 + (output.Length + error.Length) * 2);
        using (var w = new Utf8JsonWriter(buffer, AnswerOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("line", number);
            w.WriteNumber("exit", code);
            w.WriteString("out", output);
            w.WriteString("err", error);
            w.WriteEndObject();
        }
        buffer.Write("\n"u8);
        env.WriteUtf8(buffer.WrittenSpan);
        env.Out.Flush();
    }

    /// <summary>Standard input inside a batch is the batch itself: a verb asking for it ('-') is told so.</summary>
    private sealed class NoInput(int number) : TextReader
    {
        private OrcException Refusal() => new(
            $"stdin:{number}: standard input is the batch's own command stream; pass the text as an argument instead of '-'", ExitCodes.Usage);

        public override int Peek() => throw Refusal();
        public override int Read() => throw Refusal();
        public override string? ReadLine() => throw Refusal();
        public override string ReadToEnd() => throw Refusal();
    }
}
