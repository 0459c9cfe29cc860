using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Testing;

/// <summary>One answer of the scripted model: a turn of the main conversation.</summary>
public abstract record ModelStep
{
    /// <summary>Run a shell command (Claude Code's Bash tool; Codex's shell function).</summary>
    public static ModelStep Shell(string command, string? say = null) => new ShellStep(command, say);

    /// <summary>
    /// Write a new file with the CLI's own file tool (Claude Code's Write; Codex's apply_patch, or
    /// its shell when it offers no patch tool). A relative path is taken from the agent's working
    /// directory as its request states it.
    /// </summary>
    public static ModelStep Edit(string path, string content) => new EditStep(path, content);

    /// <summary>Say this text and end the turn (the agent goes back to its prompt).</summary>
    public static ModelStep Say(string text) => new TextStep(text);

    /// <summary>Answer with an HTTP error (429 rate limit, 500, 529 overloaded), as many times as asked, then go on.</summary>
    public static ModelStep Fail(int status, int times = 1) => new FailStep(status, times);

    /// <summary>Wait this long before answering (the agent shows it is working meanwhile).</summary>
    public static ModelStep Slow(TimeSpan delay, ModelStep then) => new SlowStep(delay, then);

    /// <summary>
    /// A step decided when it is reached, from what the agent's commands printed so far in this
    /// conversation (its tool results, oldest first): how a model uses an id a command printed.
    /// </summary>
    public static ModelStep From(Func<IReadOnlyList<string>, ModelStep> next) => new FromStep(next);

    /// <summary>Hold the request open and never answer (a model that hangs).</summary>
    public static ModelStep Hang() => new HangStep();

    /// <summary>Close the connection mid-answer (a dropped link).</summary>
    public static ModelStep Drop() => new DropStep();
}

public sealed record ShellStep(string Command, string? Text) : ModelStep;
public sealed record EditStep(string Path, string Content) : ModelStep;
public sealed record TextStep(string Text) : ModelStep;
public sealed record FailStep(int Status, int Times) : ModelStep;
public sealed record SlowStep(TimeSpan Delay, ModelStep Then) : ModelStep;
public sealed record FromStep(Func<IReadOnlyList<string>, ModelStep> Next) : ModelStep;
public sealed record HangStep : ModelStep;
public sealed record DropStep : ModelStep;

/// <summary>
/// A scripted model server on 127.0.0.1 for the real agent CLIs: the Anthropic Messages API
/// (<c>POST /v1/messages</c>, streamed as server-sent events, and <c>count_tokens</c>) that Claude
/// Code speaks given <c>ANTHROPIC_BASE_URL</c>, and the OpenAI Responses API that Codex speaks.
/// <para>
/// A request of the main conversation (one that offers tools) is answered by the step of the
/// script whose index is the number of assistant turns already in it, so a retried request gets
/// the same answer and the conversation advances only when the agent has acted. After the last
/// step it says "All done." Side requests (no tools: titles, summaries, checks) get a short text.
/// Every request is kept in <see cref="Requests"/> for assertions.
/// </para>
/// </summary>
public sealed class ModelServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<ModelStep> _script;
    private readonly ConcurrentDictionary<int, int> _failuresLeft = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _ids;

    public ModelServer(IEnumerable<ModelStep> script)
    {
        _script = [.. script];
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try { _listener.Start(); break; }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        _loop = Task.Run(Loop);
    }

    public int Port { get; }

    /// <summary>The base address to give an agent (ANTHROPIC_BASE_URL; Codex's base_url adds /v1).</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Every request seen: path and body.</summary>
    public ConcurrentQueue<(string Path, string Body)> Requests { get; } = new();

    /// <summary>How many main-conversation turns were answered (steps taken, the final "done" included).</summary>
    public int Turns => _turns;
    private int _turns;

    /// <summary>The tool results the agent sent back, in order (what the commands printed).</summary>
    public ConcurrentQueue<string> ToolResults { get; } = new();

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening) { return; }
            catch (HttpListenerException) { continue; }
            _ = Task.Run(() => Serve(ctx));
        }
    }

    private async Task Serve(HttpListenerContext ctx)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
            var path = ctx.Request.Url?.AbsolutePath ?? "/";
            Requests.Enqueue((path, body));
            if (ctx.Request.HttpMethod == "HEAD" || ctx.Request.HttpMethod == "GET") { await Json(ctx, 200,
                new JsonObject { ["data"] = new JsonArray() }); return; }
            if (path.EndsWith("/messages/count_tokens", StringComparison.Ordinal)) { await Json(ctx, 200, new JsonObject { ["input_tokens"] = 100 }); return; }
            if (path.EndsWith("/messages", StringComparison.Ordinal)) { await Anthropic(ctx, body); return; }
            if (path.EndsWith("/responses", StringComparison.Ordinal)) { await OpenAi(ctx, body); return; }
            await Json(ctx, 404, new JsonObject { ["error"] = new JsonObject { ["type"] = "not_found_error", ["message"] = "no such path " + path } });
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException) { }
    }

    // ---- the script ----

    /// <summary>The step for a conversation with <paramref name="turnsSoFar"/> assistant turns; null past the end.</summary>
    private ModelStep? StepAt(int turnsSoFar) => turnsSoFar < _script.Count ? _script[turnsSoFar] : null;

    /// <summary>Resolves failures (counted per step) and delays; returns the step to answer with, or an HTTP status to fail with.</summary>
    private async Task<(ModelStep? Step, int? Fail)> Resolve(int index, IReadOnlyList<string> results)
    {
        var step = StepAt(index);
        while (true)
        {
            switch (step)
            {
                case FailStep f:
                    var left = _failuresLeft.AddOrUpdate(index, f.Times - 1, (_, n) => n - 1);
                    if (left >= 0) return (null, f.Status);
                    // This step's failures are used up: the conversation goes on with the next.
                    index++;
                    step = StepAt(index);
                    continue;
                case SlowStep s:
                    await Task.Delay(s.Delay, _stop.Token);
                    step = s.Then;
                    continue;
                case FromStep f:
                    step = f.Next(results);
                    continue;
                default:
                    return (step, null);
            }
        }
    }

    private int NextId() => Interlocked.Increment(ref _ids);

    // ---- Anthropic Messages API ----

    private async Task Anthropic(HttpListenerContext ctx, string body)
    {
        var req = JsonNode.Parse(body)!.AsObject();
        var tools = req["tools"] is JsonArray t && t.Count > 0;
        var messages = req["messages"] as JsonArray ?? [];
        var stream = req["stream"]?.GetValue<bool>() ?? false;
        var model = req["model"]?.GetValue<string>() ?? "claude-scripted";
        ModelStep? step;
        if (!tools) step = ModelStep.Say("OK");
        else
        {
            var turns = messages.Count(m => m?["role"]?.GetValue<string>() == "assistant");
            CollectToolResults(messages.LastOrDefault());
            var (s, fail) = await Resolve(turns,
                [.. messages.SelectMany(m => m?["content"] as JsonArray
                ?? []).Where(p => p?["type"]?.GetValue<string>() == "tool_result").Select(ToolResultText)]);
            if (fail is { } status) { await AnthropicError(ctx, status); return; }
            Interlocked.Increment(ref _turns);
            step = s ?? ModelStep.Say("All done.");
        }
        if (step is HangStep) { await Task.Delay(Timeout.Infinite, _stop.Token); return; }
        if (step is DropStep && !stream) { ctx.Response.Abort(); return; } // (streamed: dropped after the first event, below)
        var content = new JsonArray();
        string stopReason;
        switch (step)
        {
            case ShellStep sh:
                if (sh.Text is { } say) content.Add(new JsonObject { ["type"] = "text", ["text"] = say });
                content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{NextId():D6}", ["name"] = "Bash",
                    ["input"] = new JsonObject { ["command"] = sh.Command, ["description"] = "Run a command" } });
                stopReason = "tool_use";
                break;
            case EditStep ed:
                // Claude's Write takes an absolute path.
                var file = Path.IsPathRooted(ed.Path) ? ed.Path : Path.Combine(WorkingDirectory(body) ?? "/nonexistent-working-directory", ed.Path);
                content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{NextId():D6}", ["name"] = "Write",
                    ["input"] = new JsonObject { ["file_path"] = file, ["content"] = ed.Content } });
                stopReason = "tool_use";
                break;
            case TextStep tx:
                content.Add(new JsonObject { ["type"] = "text", ["text"] = tx.Text });
                stopReason = "end_turn";
                break;
            default:
                content.Add(new JsonObject { ["type"] = "text", ["text"] = "OK" });
                stopReason = "end_turn";
                break;
        }
        var id = $"msg_{NextId():D6}";
        var usage = new JsonObject { ["input_tokens"] = 100, ["output_tokens"] = 20, ["cache_creation_input_tokens"] = 0, ["cache_read_input_tokens"] = 0 };
        if (!stream)
        {
            await Json(ctx, 200, new JsonObject
            {
                ["id"] = id, ["type"] = "message", ["role"] = "assistant", ["model"] = model, ["content"] = content,
                ["stop_reason"] = stopReason, ["stop_sequence"] = null, ["usage"] = usage,
            });
            return;
        }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.SendChunked = true;
        ctx.Response.Headers["Cache-Control"] = "no-cache";
        ctx.Response.Headers["request-id"] = "req_" + id;
        var o = ctx.Response.OutputStream;
        await Sse(o, "message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = id, ["type"] = "message", ["role"] = "assistant", ["model"] = model, ["content"] = new JsonArray(),
                ["stop_reason"] = null, ["stop_sequence"] = null, ["usage"] = usage.DeepClone(),
            },
        });
        if (step is DropStep) { ctx.Response.Abort(); return; }
        for (var i = 0; i < content.Count; i++)
        {
            var block = content[i]!.AsObject();
            var type = block["type"]!.GetValue<string>();
            if (type == "text")
            {
                await Sse(o, "content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = i,
                    ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } });
                await Sse(o, "content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = i,
                    ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = block["text"]!.GetValue<string>() } });
            }
            else
            {
                await Sse(o, "content_block_start", new JsonObject
                {
                    ["type"] = "content_block_start", ["index"] = i,
                    ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = block["id"]!.DeepClone(), ["name"] = block["name"]!.DeepClone(),
                        ["input"] = new JsonObject() },
                });
                await Sse(o, "content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = i,
                    ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = block["input"]!.ToJsonString() } });
            }
            await Sse(o, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = i });
        }
        await Sse(o, "message_delta", new JsonObject { ["type"] = "message_delta", ["delta"] = new JsonObject { ["stop_reason"] = stopReason,
            ["stop_sequence"] = null }, ["usage"] = new JsonObject { ["output_tokens"] = 20 } });
        await Sse(o, "message_stop", new JsonObject { ["type"] = "message_stop" });
        ctx.Response.Close();
    }

    /// <summary>The agent's working directory as its request's system prompt or context states it.</summary>
    private static string? WorkingDirectory(string body) =>
        System.Text.RegularExpressions.Regex.Match(body, @"(?:[Ww]orking directory|<cwd>|""cwd"":\s*"")[:\s]*(/[^\s""<\\]+)") is { Success: true } m ? m.Groups[1].Value : null;

    private void CollectToolResults(JsonNode? last)
    {
        if (last?["content"] is not JsonArray parts) return;
        foreach (var p in parts)
            if (p?["type"]?.GetValue<string>() == "tool_result")
                ToolResults.Enqueue(ToolResultText(p));
    }

    private static string ToolResultText(JsonNode? part) => part?["content"] switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray a => string.Concat(a.Select(x => x?["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };

    private static Task AnthropicError(HttpListenerContext ctx, int status)
    {
        var (type, message) = status switch
        {
            429 => ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit (scripted)"),
            529 => ("overloaded_error", "Overloaded (scripted)"),
            _ => ("api_error", "Internal server error (scripted)"),
        };
        if (status == 429) ctx.Response.Headers["retry-after"] = "1";
        return Json(ctx, status, new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message } });
    }

    // ---- OpenAI Responses API (Codex) ----

    private async Task OpenAi(HttpListenerContext ctx, string body)
    {
        var req = JsonNode.Parse(body)!.AsObject();
        var input = req["input"] as JsonArray ?? [];
        var tools = req["tools"] is JsonArray t && t.Count > 0;
        var model = req["model"]?.GetValue<string>() ?? "gpt-scripted";
        ModelStep? step;
        if (!tools) step = ModelStep.Say("OK");
        else
        {
            // A turn of the model is a tool call it made (answered by its output) or a message it said.
            var turns = input.Count(i => i?["type"]?.GetValue<string>() is "function_call" or "custom_tool_call"
                || (i?["type"]?.GetValue<string>() == "message" && i["role"]?.GetValue<string>() == "assistant"));
            foreach (var i in input.Where(i => i?["type"]?.GetValue<string>() is "function_call_output" or "custom_tool_call_output").TakeLast(1))
                ToolResults.Enqueue(i!["output"] is JsonValue v ? v.ToString() : i["output"]?.ToJsonString() ?? "");
            var (s, fail) = await Resolve(turns, [.. input.Where(i => i?["type"]?.GetValue<string>() is "function_call_output" or "custom_tool_call_output")
                .Select(i => i!["output"] is JsonValue v ? v.ToString() : i["output"]?.ToJsonString() ?? "")]);
            if (fail is { } status)
            {
                await Json(ctx, status, new JsonObject { ["error"] = new JsonObject { ["type"] = status == 429 ? "rate_limit_exceeded" : "server_error",
                    ["message"] = $"scripted failure {status}" } });
                return;
            }
            Interlocked.Increment(ref _turns);
            step = s ?? ModelStep.Say("All done.");
        }
        if (step is HangStep) { await Task.Delay(Timeout.Infinite, _stop.Token); return; }
        var id = $"resp_{NextId():D6}";
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.SendChunked = true;
        var o = ctx.Response.OutputStream;
        var seq = 0;
        JsonObject Ev(string type, JsonObject rest) { rest["type"] = type; rest["sequence_number"] = seq++; return rest; }
        var response = new JsonObject { ["id"] = id, ["object"] = "response", ["model"] = model, ["status"] = "in_progress", ["output"] = new JsonArray() };
        await Sse(o, "response.created", Ev("response.created", new JsonObject { ["response"] = response.DeepClone() }));
        if (step is DropStep) { ctx.Response.Abort(); return; }
        var output = new JsonArray();
        if (step is EditStep ed && ToolsOf(req).FirstOrDefault(t => Name(t) == "apply_patch") is { } patchTool)
        {
            // Codex's patch format: a new file is "*** Add File: PATH" with each line prefixed by '+'.
            var patch = $"*** Begin Patch\n*** Add File: {ed.Path}\n{string.Concat(ed.Content.TrimEnd('\n').Split('\n').Select(l => "+" + l + "\n"))}*** End Patch\n";
            var callId = $"call_{NextId():D6}";
            var item = patchTool["type"]?.GetValue<string>() == "custom"
                ? new JsonObject { ["type"] = "custom_tool_call", ["id"] = $"ctc_{NextId():D6}", ["call_id"] = callId, ["name"] = "apply_patch",
                    ["input"] = patch, ["status"] = "completed" }
                : new JsonObject { ["type"] = "function_call", ["id"] = $"fc_{NextId():D6}", ["call_id"] = callId, ["name"] = "apply_patch",
                    ["arguments"] = new JsonObject { ["input"] = patch }.ToJsonString(), ["status"] = "completed" };
            await Sse(o, "response.output_item.added", Ev("response.output_item.added", new JsonObject { ["output_index"] = 0, ["item"] = item.DeepClone() }));
            await Sse(o, "response.output_item.done", Ev("response.output_item.done", new JsonObject { ["output_index"] = 0, ["item"] = item.DeepClone() }));
            output.Add(item);
        }
        else if ((step is EditStep e ? new ShellStep($"cat > '{e.Path}' <<'ORC_EOF'\n{e.Content.TrimEnd('\n')}\nORC_EOF", null) : step) is ShellStep sh)
        {
            var callId = $"call_{NextId():D6}";
            var shellTool = ToolNames(req).FirstOrDefault(n => n is "shell" or "exec_command" or "shell_command" or "local_shell") ?? "shell";
            var args = shellTool == "shell"
                ? new JsonObject { ["command"] = new JsonArray("bash", "-lc", sh.Command), ["workdir"] = null }
                : new JsonObject { ["cmd"] = sh.Command, ["command"] = sh.Command };
            if (shellTool == "shell") args.Remove("workdir");
            var item = new JsonObject { ["type"] = "function_call", ["id"] = $"fc_{NextId():D6}", ["call_id"] = callId, ["name"] = shellTool,
                ["arguments"] = args.ToJsonString(), ["status"] = "completed" };
            await Sse(o, "response.output_item.added", Ev("response.output_item.added", new JsonObject { ["output_index"] = 0, ["item"] = item.DeepClone() }));
            await Sse(o, "response.output_item.done", Ev("response.output_item.done", new JsonObject { ["output_index"] = 0, ["item"] = item.DeepClone() }));
            output.Add(item);
        }
        else
        {
            var text = step is TextStep tx ? tx.Text : "OK";
            var msgId = $"msg_{NextId():D6}";
            var item = new JsonObject
            {
                ["type"] = "message", ["id"] = msgId, ["role"] = "assistant", ["status"] = "completed",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() }),
            };
            await Sse(o, "response.output_item.added", Ev("response.output_item.added", new JsonObject
            {
                ["output_index"] = 0,
                ["item"] = new JsonObject { ["type"] = "message", ["id"] = msgId, ["role"] = "assistant", ["status"] = "in_progress",
                    ["content"] = new JsonArray() },
            }));
            await Sse(o, "response.output_text.delta", Ev("response.output_text.delta", new JsonObject { ["item_id"] = msgId, ["output_index"] = 0,
                ["content_index"] = 0, ["delta"] = text }));
            await Sse(o, "response.output_item.done", Ev("response.output_item.done", new JsonObject { ["output_index"] = 0, ["item"] = item.DeepClone() }));
            output.Add(item);
        }
        response["status"] = "completed";
        response["output"] = output;
        response["usage"] = new JsonObject
        {
            ["input_tokens"] = 100, ["output_tokens"] = 20, ["total_tokens"] = 120,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 }, ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
        };
        await Sse(o, "response.completed", Ev("response.completed", new JsonObject { ["response"] = response }));
        ctx.Response.Close();
    }

    private static IEnumerable<JsonObject> ToolsOf(JsonObject req) => (req["tools"] as JsonArray ?? []).OfType<JsonObject>();

    private static string Name(JsonObject tool) => tool["name"]?.GetValue<string>() ?? tool["type"]?.GetValue<string>() ?? "";

    private static IEnumerable<string> ToolNames(JsonObject req) => ToolsOf(req).Select(Name).Where(n => n.Length > 0);

    // ---- plumbing ----

    private static async Task Sse(Stream o, string name, JsonObject data)
    {
        var bytes = Encoding.UTF8.GetBytes($"event: {name}\ndata: {data.ToJsonString()}\n\n");
        await o.WriteAsync(bytes);
        await o.FlushAsync();
    }

    private static async Task Json(HttpListenerContext ctx, int status, JsonNode body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength64 = bytes.Length;
        await ctx.Response.OutputStream.WriteAsync(bytes);
        ctx.Response.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        // Close after Stop looks the port up again and, on Linux, binds it to do so: when another
        // server took the freed port meanwhile it throws "Address already in use" (seen in CI). The
        // listener is stopped by then; nothing is left to undo.
        try { _listener.Stop(); _listener.Close(); } catch (Exception ex) when (ex is ObjectDisposedException or System.Net.HttpListenerException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
