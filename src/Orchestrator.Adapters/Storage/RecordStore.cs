using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Orchestrator.Core;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// A folder of JSON records, one file each (agents/NAME.json, mq/RIG/ITEM.json). Files are
/// replaced atomically; a file that does not parse is reported with its path, never overwritten
/// silently by a reader.
/// </summary>
public sealed class RecordStore<T>(string directory, JsonTypeInfo<T> type) where T : class
{
    public string Directory { get; } = directory;

    public string PathOf(string name) => System.IO.Path.Combine(Directory, name + ".json");

    public T? Find(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path)) return null;
        return Parse(path);
    }

    public List<T> All()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var list = new List<T>();
        foreach (var f in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
            list.Add(Parse(f));
        return list;
    }

    /// <summary>Writes the record; returns the path written.</summary>
    public string Write(string name, T record)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(name);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, type) + "\n"));
        return path;
    }

    public string Delete(string name)
    {
        var path = PathOf(name);
        if (File.Exists(path)) File.Delete(path);
        return path;
    }

    private T Parse(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), type)
                ?? throw new OrcException($"{path}: empty record");
        }
        catch (JsonException ex)
        {
            throw new OrcException($"{path}:{(ex.LineNumber ?? 0) + 1}: invalid record: {ex.Message.Split(" Path:")[0]}");
        }
    }
}
