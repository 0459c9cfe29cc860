using System.Buffers;
using System.CommandLine;
using System.Text;
using Orchestrator.Adapters.Storage;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc import</c>, <c>orc export</c> (Beads JSONL) and the git merge driver for ledger files.</summary>
internal static class TransferCommands
{
    public static IEnumerable<Command> Build(IServiceProvider services)
    {
        yield return Import(services);
        yield return Export(services);
        yield return MergeDriver(services);
    }

    private static Command Import(IServiceProvider services)
    {
        var file = new Argument<string>("FILE") { Description = "A JSONL file of work items, e.g. a Beads .beads/issues.jsonl ('-' reads standard input)" };
        var json = Options.Json();
        var cmd = new Command("import", "Import work items from a JSONL file (Beads format, every field kept). New ids are added; known ones are merged, the later updated_at winning. A file with any bad line, or a record over a limit orc holds typed input to, is refused whole (FILE:LINE).")
        {
            file, json,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var path = pr.GetValue(file)!;
            byte[] bytes;
            string name;
            if (path == "-") { bytes = v.Env.ReadStdinBytes(); name = "<stdin>"; }
            else
            {
                var full = v.Context.Resolve(path);
                name = path;
                try { bytes = File.ReadAllBytes(full); }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                    throw new OrcException($"{path}: no such file", ExitCodes.NotFound);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new OrcException($"{path}: cannot read: {ex.Message}");
                }
            }
            // Read and checked whole before the lock: a bad record is refused without holding it.
            var incoming = ImportFile.Read(bytes, name);
            var result = v.Mutate("import", ops => ops.Import(incoming));
            var s = result.Value;
            if (pr.GetValue(json))
                JsonOut.Write(v.Env, new ImportSummaryJson(s.Added, s.Updated, s.Unchanged), CliJsonContext.Default.ImportSummaryJson);
            else v.Out.WriteLine($"imported {TerminalText.Line(name)}: {s.Added} added, {s.Updated} updated, {s.Unchanged} unchanged");
            return 0;
        });
        return cmd;
    }

    private static Command Export(IServiceProvider services)
    {
        var file = new Argument<string>("FILE") { Description = "Where to write (default: standard output)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("export", "Export every work item as JSONL (the Beads format), sorted by id, with every field the ledger holds") { file };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var ledger = v.Read();
            var buffer = new ArrayBufferWriter<byte>(Math.Max(4096, ledger.Count * 400));
            LedgerCodec.WriteLedger(buffer, ledger.Items);
            if (pr.GetValue(file) is { } path)
            {
                AtomicFile.Write(v.Context.Resolve(path), buffer.WrittenSpan);
                v.Env.Error.WriteLine($"exported {ledger.Count} work items to {TerminalText.Line(path)}");
            }
            else v.Env.WriteUtf8(buffer.WrittenSpan);
            return 0;
        });
        return cmd;
    }

    private static Command MergeDriver(IServiceProvider services)
    {
        var b = new Argument<string>("BASE") { Description = "The common ancestor's version (%O)" };
        var o = new Argument<string>("OURS") { Description = "Our version, replaced by the result (%A)" };
        var t = new Argument<string>("THEIRS") { Description = "Their version (%B)" };
        var p = new Argument<string>("PATH") { Description = "The file's path in the repository (%P)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("merge-driver", "git merge driver for ledger files: merges by item id (per field, the later updated_at wins; labels, dependencies and comments unioned), never leaving conflict markers. Installed by 'orc init' through .gitattributes.")
        {
            b, o, t, p,
        };
        cmd.Hidden = true;
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var result = LedgerMergeDriver.Run(pr.GetValue(b)!, pr.GetValue(o)!, pr.GetValue(t)!, pr.GetValue(p));
            foreach (var w in result.Warnings) v.Env.Error.WriteLine($"orc: warning: {TerminalText.Line(w)}");
            return 0;
        });
        return cmd;
    }
}
