using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Core.Ledger;

/// <summary>
/// Makes ids <c>prefix-hash</c> (base36), with a hash that grows with the number of items so that
/// a random collision stays rare (and is checked against existing ids); children of an item
/// are <c>parent.1</c>, <c>parent.2</c>, ….
/// </summary>
public static class IdGenerator
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>Hash length for a ledger of <paramref name="count"/> items: 36^len ≥ 50·n², at least 4.</summary>
    public static int HashLength(int count)
    {
        var needed = 50.0 * Math.Max(1, count) * Math.Max(1, count);
        var len = 4;
        while (Math.Pow(36, len) < needed && len < 12) len++;
        return len;
    }

    /// <summary>A new id unused in <paramref name="exists"/>. <paramref name="seed"/> makes it vary per call.</summary>
    public static string NewId(string prefix, string seed, int count, Func<string, bool> exists)
    {
        var len = HashLength(count);
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var nonce = RandomNumberGenerator.GetHexString(16);
            // 64 random bits hashed with the seed; XxHash128, not SHA-256: the id needs no secrecy, and
            // SHA-256 would load OpenSSL (~5 ms) into every 'orc item create'.
            var hash = System.IO.Hashing.XxHash128.Hash(Encoding.UTF8.GetBytes($"{seed}\n{nonce}\n{attempt}"));
            var id = $"{prefix}-{Base36(hash, len + attempt / 100)}";
            if (!exists(id)) return id;
        }
        throw new OrcException("could not find an unused id (the ledger is unusually full)");
    }

    /// <summary>The next child id of <paramref name="parentId"/>: one past the highest existing child number.</summary>
    public static string NextChildId(string parentId, IEnumerable<string> existingIds)
    {
        var max = 0;
        var prefix = parentId + ".";
        foreach (var id in existingIds)
        {
            if (!id.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = id.AsSpan(prefix.Length);
            var dot = rest.IndexOf('.');
            if (dot >= 0) rest = rest[..dot];
            if (int.TryParse(rest, out var n) && n > max) max = n;
        }
        return $"{parentId}.{max + 1}";
    }

    private static string Base36(byte[] hash, int length)
    {
        var sb = new StringBuilder(length);
        var value = new System.Numerics.BigInteger(hash, isUnsigned: true);
        for (var i = 0; i < length; i++)
        {
            sb.Append(Alphabet[(int)(value % 36)]);
            value /= 36;
        }
        return sb.ToString();
    }

    public const int MaxIdLength = 100;

    /// <summary>
    /// True for an id a ledger line may carry (orc's own, Beads' and other trackers'): ASCII letters,
    /// digits, '.', '-' and '_', a letter or digit first, no '..'. Ids become file names, branch
    /// names and arguments, so none can be read as a path, an option or a tmux target.
    /// </summary>
    public static bool IsWellFormedId(string id)
    {
        if (id.Length is < 1 or > MaxIdLength || !char.IsAsciiLetterOrDigit(id[0])) return false;
        for (var i = 1; i < id.Length; i++) // every line's id is checked: a loop, not a query
        {
            var c = id[i];
            if (c == '.' ? id[i - 1] == '.' : !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        }
        return true;
    }

    /// <summary>True when <paramref name="prefix"/> can start ids: lowercase letters and digits, 1–16 chars, a letter first.</summary>
    public static bool IsValidPrefix(string prefix) =>
        prefix.Length is >= 1 and <= 16 && char.IsAsciiLetterLower(prefix[0]) && prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));
}
