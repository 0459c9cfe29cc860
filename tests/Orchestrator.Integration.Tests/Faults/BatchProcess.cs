using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Faults;

/// <summary>One answer of <c>orc batch</c>: the line it answers, the exit code, what the command printed.</summary>
public sealed record BatchAnswer(int Line, int Exit, string Out, string Err)
{
    public static BatchAnswer Parse(string json)
    {
        var e = JsonDocument.Parse(json).RootElement;
        return new BatchAnswer(e.GetProperty("line").GetInt32(), e.GetProperty("exit").GetInt32(), e.GetProperty("out").GetString()!,
            e.GetProperty("err").GetString()!);
    }

    public string Id() => JsonDocument.Parse(Out).RootElement.GetProperty("id").GetString()!;
}

/// <summary>A real <c>orc batch</c> child process, fed one command at a time (each waits for its answer).</summary>
public sealed class BatchProcess : IDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(120);
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private int _line;

    public BatchProcess(string root, IDictionary<string, string>? env = null)
    {
        _process = Process.Start(OrcProcess.StartInfo(root, ["batch"], env))!;
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public Process Process => _process;

    /// <summary>Writes one command line without waiting for its answer.</summary>
    public void Write(params string[] args)
    {
        _line++;
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(args, BatchJson.Default.StringArray));
        _process.StandardInput.Flush();
    }

    /// <summary>The next whole answer line, or null when the process ended (a line cut short by a kill is not an answer).</summary>
    public BatchAnswer? ReadAnswer()
    {
        var read = _process.StandardOutput.ReadLineAsync();
        if (!read.Wait(AnswerTimeout)) throw new TimeoutException($"orc batch gave no answer within {AnswerTimeout.TotalSeconds}s; stderr so far: {(_stderr.IsCompleted ? _stderr.Result : "")}");
        var text = read.Result;
        if (text is null) return null;
        try { return BatchAnswer.Parse(text); }
        catch (JsonException) { return null; }
    }

    /// <summary>Runs one command and returns its answer; fails the test if it did not succeed.</summary>
    public BatchAnswer Run(params string[] args)
    {
        Write(args);
        var answer = ReadAnswer()
            ?? throw new InvalidOperationException($"orc batch ended without answering line {_line}: {string.Join(' ', args)}; stderr: {Finish()}");
        Assert.True(answer.Exit == 0, $"line {answer.Line} ({string.Join(' ', args)}) failed: {answer}");
        return answer;
    }

    /// <summary>Closes standard input, waits for the end and returns what it wrote on stderr.</summary>
    public string Finish()
    {
        try { _process.StandardInput.Close(); } catch (IOException) { }
        if (!_process.WaitForExit(120_000)) { _process.Kill(); throw new TimeoutException("orc batch did not end after its input closed"); }
        return _stderr.Result;
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(); } catch (InvalidOperationException) { }
        _process.WaitForExit(30_000);
        _process.Dispose();
    }
}
