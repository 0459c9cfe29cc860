using System.Reflection;
using Orchestrator.Core.Text;

namespace Orchestrator.Tui.Config;

/// <summary>
/// Named YAML files (layouts or themes) looked up in folders in priority order, then among the
/// ones shipped inside orc. Loading never throws: whatever goes wrong, the default comes back with
/// a one-line warning saying what and where (<c>FILE:LINE: problem; using the overview layout</c>).
/// </summary>
public abstract class ConfigCatalog<T> where T : class
{
    /// <summary>Files larger than this are refused.</summary>
    public const int MaxFileBytes = 256 * 1024;

    private readonly string _what;
    private readonly string _resourceFolder;
    private T? _shippedDefault;

    /// <param name="what">"layout" or "theme", for messages.</param>
    /// <param name="resourceFolder">"layouts" or "themes": the shipped files' resource prefix.</param>
    /// <param name="defaultName">The name loaded when none is given or the asked one cannot be.</param>
    /// <param name="folders">Folders searched first, highest priority first; missing ones are skipped.</param>
    protected ConfigCatalog(string what, string resourceFolder, string defaultName, IEnumerable<string?> folders)
    {
        _what = what;
        _resourceFolder = resourceFolder;
        DefaultName = defaultName;
        Folders = [.. folders.Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f!)];
    }

    public string DefaultName { get; }

    public IReadOnlyList<string> Folders { get; }

    /// <summary>Reads one file; throws <see cref="Orchestrator.Core.OrcException"/> (FILE:LINE: problem) when it is broken.</summary>
    protected abstract T Parse(string text, string path, string name);

    /// <summary>Used only if even the shipped default cannot be read (a broken build): never null.</summary>
    protected abstract T BuiltIn { get; }

    /// <summary>Every name that can be loaded (folders and shipped), the default first, then alphabetically.</summary>
    public IReadOnlyList<string> Names()
    {
        var names = new HashSet<string>(ShippedNames(), StringComparer.Ordinal);
        foreach (var folder in Folders)
        {
            try
            {
                if (!Directory.Exists(folder)) continue;
                foreach (var f in Directory.EnumerateFiles(folder, "*.yaml"))
                {
                    var n = Path.GetFileNameWithoutExtension(f);
                    if (ConfigName.IsValid(n)) names.Add(n);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }
        return [.. names.OrderBy(n => n == DefaultName ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The spec called <paramref name="name"/> (the default when null or empty), from the first
    /// folder that has it, else the shipped one. When it is missing or broken: the default and a
    /// one-line warning, safe to show (no control characters).
    /// </summary>
    public (T Spec, string? Warning) Load(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) name = DefaultName;
        if (!ConfigName.IsValid(name))
            return Fallback($"'{ConfigYaml.Clip(name)}' is not a {_what} name (letters, digits, '-' and '_')");
        var (spec, problem) = TryLoad(name);
        if (spec is not null) return (spec, null);
        return Fallback(problem ?? $"no {_what} '{name}' (have: {string.Join(", ", Names())})");
    }

    private (T Spec, string Warning) Fallback(string problem)
    {
        var spec = TryLoad(DefaultName).Spec ?? ShippedDefault();
        return (spec, TerminalText.Line($"{problem}; using the {DefaultName} {_what}"));
    }

    // (spec, null) when loaded; (null, problem) when found but broken; (null, null) when not found.
    private (T? Spec, string? Problem) TryLoad(string name)
    {
        foreach (var folder in Folders)
        {
            var path = Path.Combine(folder, name + ".yaml");
            if (!File.Exists(path)) continue;
            var shown = TerminalText.Line(path);
            string text;
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (ReadLimited(stream) is not { } t) return (null, $"{shown}: larger than {MaxFileBytes / 1024} KB");
                text = t;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (null, $"{shown}: cannot read: {ex.Message}");
            }
            return ParseSafely(text, shown, name);
        }
        var shipped = ReadShipped(name);
        return shipped is null ? (null, null) : ParseSafely(shipped, $"(shipped) {_resourceFolder}/{name}.yaml", name);
    }

    private (T? Spec, string? Problem) ParseSafely(string text, string path, string name)
    {
        try { return (Parse(text, path, name), null); }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // OrcException messages already read FILE:LINE: problem; anything else gets the file name.
            return (null, ex is Orchestrator.Core.OrcException ? ex.Message : $"{path}: {ex.Message}");
        }
    }

    private T ShippedDefault()
    {
        if (_shippedDefault is not null) return _shippedDefault;
        var text = ReadShipped(DefaultName);
        T? spec = null;
        if (text is not null)
        {
            try { spec = Parse(text, DefaultName, DefaultName); }
            catch (Exception ex) when (ex is not OutOfMemoryException) { }
        }
        return _shippedDefault = spec ?? BuiltIn;
    }

    private static string? ReadLimited(Stream stream)
    {
        var buffer = new byte[MaxFileBytes + 1];
        var total = 0;
        int n;
        while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0) total += n;
        if (total > MaxFileBytes) return null;
        return new System.Text.UTF8Encoding(false).GetString(buffer, 0, total).TrimStart('\uFEFF');
    }

    private IEnumerable<string> ShippedNames()
    {
        var prefix = _resourceFolder + "/";
        foreach (var r in Resources.GetManifestResourceNames())
        {
            if (!r.StartsWith(prefix, StringComparison.Ordinal) || !r.EndsWith(".yaml", StringComparison.Ordinal)) continue;
            var n = r[prefix.Length..^".yaml".Length];
            if (ConfigName.IsValid(n)) yield return n;
        }
    }

    private string? ReadShipped(string name)
    {
        using var s = Resources.GetManifestResourceStream($"{_resourceFolder}/{name}.yaml");
        if (s is null) return null;
        using var reader = new StreamReader(s);
        return reader.ReadToEnd();
    }

    private static Assembly Resources => typeof(ConfigCatalog<>).Assembly;
}
