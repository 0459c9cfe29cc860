using Orchestrator.Adapters.Storage;
using Orchestrator.Adapters.Workspace;
using Orchestrator.Core;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Workspace;

/// <summary>
/// <c>orc config</c>: reads and changes the settings of <c>.orc/config.yaml</c> (the workspace's,
/// committed) and of the user's <c>~/.config/orc/config.yaml</c>, which the workspace overrides.
/// </summary>
public sealed class ConfigService(RuntimeContext runtime, LedgerService ledger)
{
    private WorkspaceContext Context => runtime.Workspace;

    /// <summary>Where a value in effect comes from.</summary>
    public enum Source { Default, User, Workspace }

    public sealed record Entry(ConfigKey Key, string Value, Source From, string? File);

    public sealed record Change(string Key, string Before, string After, bool Changed, string File);

    /// <summary>The key, or a usage error listing the known ones.</summary>
    public static ConfigKey Key(string key) =>
        ConfigKeys.Find(key)
            ?? throw new OrcException($"KEY: unknown setting '{TerminalText.Line(key)}' (known: {ConfigKeys.Known}; rig settings: 'orc rig set RIG KEY VALUE')",
            ExitCodes.Usage);

    public string? UserFile => Context.UserConfigFile;

    /// <summary>Every setting with its value in effect and where it comes from. With <paramref name="user"/>: the user's file only (no workspace
    /// needed).</summary>
    public List<Entry> List(bool user)
    {
        var userFile = UserFile;
        var userText = Read(userFile);
        var userConfig = userText is null ? null : WorkspaceConfig.Parse(userText, userFile!, null, user: true);
        if (user)
            return ConfigKeys.All.Where(k => !k.WorkspaceOnly).Select(k =>
                userText is not null && ConfigEditor.Find(userText, userFile!, k.Key) is not null
                    ? new Entry(k, k.Value(userConfig!), Source.User, userFile)
                    : new Entry(k, k.Default, Source.Default, null)).ToList();
        var wsFile = Context.Paths.ConfigFile;
        var wsText = Read(wsFile) ?? "";
        var effective = WorkspaceConfig.Parse(wsText, wsFile, userConfig);
        return ConfigKeys.All.Select(k =>
        {
            var from = ConfigEditor.Find(wsText, wsFile, k.Key) is not null ? Source.Workspace
                : userText is not null && ConfigEditor.Find(userText, userFile!, k.Key) is not null ? Source.User
                : Source.Default;
            return new Entry(k, k.Value(effective), from, from switch { Source.Workspace => wsFile, Source.User => userFile, _ => null });
        }).ToList();
    }

    public Entry Get(string key, bool user)
    {
        var k = Key(key);
        if (user && k.WorkspaceOnly) throw WorkspaceOnly(k);
        return List(user).First(e => e.Key == k);
    }

    /// <summary>
    /// Sets one key. The value is checked by reading the whole changed file back before anything is
    /// written; the workspace's file is written under the workspace lock and committed, the user's
    /// under a lock beside it. Setting what is already there writes nothing.
    /// </summary>
    public Change Set(string key, string value, bool user)
    {
        var k = Key(key);
        if (user && k.WorkspaceOnly) throw WorkspaceOnly(k);
        var yamlValue = ConfigEditor.Render(Normalise(k, value), k.IsList);
        if (k.Key == "default_profile")
        {
            // Outside a workspace (--user): the shipped profiles and the user's own.
            var profiles = Context.TryPaths is not null ? runtime.Profiles
                : new Adapters.Profiles.ProfileCatalog(UserConfigLocation.Folder(Context.Environment) is { } folder ? [Path.Combine(folder, "profiles")] : []);
            try { profiles.Get(value); }
            catch (OrcException e) { throw new OrcException("VALUE: " + e.Message, ExitCodes.Usage); }
        }
        if (user)
        {
            var file = UserFile ?? throw new OrcException("no user configuration folder: set HOME or XDG_CONFIG_HOME");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            using var _ = FileLock.Acquire(Path.Combine(Path.GetDirectoryName(file)!, ".config.yaml.lock"), LedgerService.LockTimeout, "config set");
            return Apply(file, k, yamlValue, user: true);
        }
        var wsFile = Context.Paths.ConfigFile;
        Check(wsFile, k, yamlValue, user: false); // KEY and VALUE checked before the lock is taken
        return ledger.Transact("config set", t =>
        {
            var c = Apply(wsFile, k, yamlValue, user: false);
            if (c.Changed) t.Touched(wsFile, $"{k.Key}={c.After}");
            return c;
        }).Value;
    }

    private Change Apply(string file, ConfigKey k, string yamlValue, bool user)
    {
        var (before, after, text) = Check(file, k, yamlValue, user);
        if (before == after && Read(file) is { } old && ConfigEditor.Find(old, file, k.Key) is not null) return new Change(k.Key, before, after, false, file);
        AtomicFile.Write(file, System.Text.Encoding.UTF8.GetBytes(text));
        return new Change(k.Key, before, after, true, file);
    }

    /// <summary>The value before and after, and the new text; a bad value fails naming the key, with the file untouched.</summary>
    private static (string Before, string After, string Text) Check(string file, ConfigKey k, string yamlValue, bool user)
    {
        var old = Read(file) ?? "";
        var before = k.Value(WorkspaceConfig.Parse(old, file, null, user)); // a broken file fails here, naming its line
        var text = ConfigEditor.Set(old, file, k.Key, yamlValue);
        WorkspaceConfig next;
        try { next = WorkspaceConfig.Parse(text, file, null, user); }
        catch (OrcException e)
        {
            var m = e.Message;
            var cut = m.IndexOf(": ", m.StartsWith(file, StringComparison.Ordinal) ? file.Length + 1 : 0, StringComparison.Ordinal);
            throw new OrcException($"VALUE for {k.Key}: {(cut > 0 ? m[(cut + 2)..] : m)} (the file is unchanged)", ExitCodes.Usage);
        }
        return (before, k.Value(next), text);
    }

    private static string Normalise(ConfigKey k, string value) => k.Type == "bool"
        ? value.Trim().ToLowerInvariant() switch { "true" or "yes" or "on" => "true", "false" or "no" or "off" => "false", var v => v }
        : value;

    private static OrcException WorkspaceOnly(ConfigKey k) =>
        new($"KEY: '{k.Key}' belongs to a workspace's .orc/config.yaml, not to the user's configuration (drop --user)", ExitCodes.Usage);

    private static string? Read(string? file)
    {
        if (file is null || !File.Exists(file)) return null;
        try { return File.ReadAllText(file); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"{file}: cannot read: {ex.Message}");
        }
    }
}
