using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Bench;

/// <summary>
/// Where the time of <c>orc ready --json</c> goes, measured in this process with Orchestrator.Core:
/// read the file, parse it, decide readiness (the filter, then the sort), write the JSON. The
/// output phase copies what the CLI's JsonOut.Items does (it is internal to the CLI). The first
/// iteration runs on freshly jitted code, like one short-lived orc process; the median is the
/// steady state.
/// </summary>
internal static class InProcessProfile
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static readonly string[] Phases =
        ["read file", "parse (LedgerDocument.Parse)", "ready filter (IsBlocked, defer)", "ready sort (ByPriorityThenAge)", "json output (JsonOut.Items copy)",
            "total"];

    public static int Run(string workspace, int runs, int warmup)
    {
        var path = Path.Combine(Path.GetFullPath(workspace), "ledger", "issues.jsonl");
        if (!File.Exists(path)) throw new BenchException($"no ledger at {path}");
        if (runs < 1) throw new UsageException("--runs must be at least 1");

        var samples = Phases.Select(_ => new List<double>()).ToArray();
        double[]? first = null;
        int readyCount = 0, itemCount = 0;
        long outBytes = 0;
        for (var i = 0; i < warmup + runs; i++)
        {
            var t = Once(path, out readyCount, out itemCount, out outBytes);
            first ??= t;
            if (i < warmup) continue;
            for (var p = 0; p < t.Length; p++) samples[p].Add(t[p]);
        }

        Console.WriteLine($"in-process profile of 'ready --json' on {path}");
        Console.WriteLine($"{itemCount} items, {readyCount} ready, {outBytes:N0} bytes of JSON; {runs} runs after {warmup} warm-up (JIT, this process)");
        Console.WriteLine($"{"phase",-36} {"1st run ms",10} {"median ms",10} {"share",6}");
        var total = Median(samples[^1]);
        for (var p = 0; p < Phases.Length; p++)
        {
            var m = Median(samples[p]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Phases[p],-36} {first![p],10:F1} {m,10:F1} {100 * m / total,5:F0}%"));
        }
        return 0;
    }

    private static double[] Once(string path, out int readyCount, out int itemCount, out long outBytes)
    {
        var t = new double[Phases.Length];
        var sw = Stopwatch.StartNew();
        var start = sw.Elapsed;

        var bytes = File.ReadAllBytes(path);
        t[0] = Lap(sw, ref start);

        var doc = LedgerDocument.Parse(bytes);
        itemCount = doc.Count;
        t[1] = Lap(sw, ref start);

        // DependencyGraph.Ready, in two halves: the filter, then the sort.
        var graph = new DependencyGraph(doc);
        var now = DateTimeOffset.UtcNow;
        var ready = new List<WorkItem>();
        foreach (var item in doc.Items)
        {
            if (item.Status != Statuses.Open) continue;
            if (Timestamps.TryParse(item.DeferUntil, out var until) && until > now) continue;
            if (graph.IsBlocked(item)) continue;
            ready.Add(item);
        }
        t[2] = Lap(sw, ref start);
        ready.Sort(DependencyGraph.ByPriorityThenAge);
        readyCount = ready.Count;
        t[3] = Lap(sw, ref start);

        // JsonOut.Items: one buffer, raw lines copied, then decoded to a string for the TextWriter.
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, ready.Count * 400));
        buffer.Write("["u8);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            for (var i = 0; i < ready.Count; i++)
            {
                buffer.Write(i == 0 ? "\n"u8 : ",\n"u8);
                LedgerCodec.WriteItem(w, ready[i]);
                w.Flush();
                w.Reset(buffer);
            }
        }
        buffer.Write(ready.Count == 0 ? "]"u8 : "\n]"u8);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        using (var writer = new StreamWriter(Stream.Null, new UTF8Encoding(false)))
        {
            writer.Write(text);
            writer.Write('\n');
        }
        outBytes = buffer.WrittenCount;
        t[4] = Lap(sw, ref start);
        t[5] = sw.Elapsed.TotalMilliseconds;
        return t;
    }

    private static double Lap(Stopwatch sw, ref TimeSpan start)
    {
        var now = sw.Elapsed;
        var ms = (now - start).TotalMilliseconds;
        start = now;
        return ms;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
