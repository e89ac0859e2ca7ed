using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Deid.Effect.Selection;

/// <summary>
/// Reads the selection document (JSON, see README):
/// <code>
/// { "default": "anonymize-everyone" | "anonymize-only-listed",
///   "identities": [ { "identity": 2, "anonymize": false },
///                   { "identity": 3, "keys": [ { "t": 0.0, "anonymize": false }, { "frame": 375, "anonymize": true } ] } ] }
/// </code>
/// Key times are seconds ("t") or frames ("frame", converted with the clip's frame rate). Anything malformed is a
/// <see cref="FormatException"/> that says where.
/// </summary>
public static class SelectionDocument
{
    public static AnonymizationSelection Load(string path, double framesPerSecond)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new FormatException($"cannot read selection {path}: {e.Message}"); }
        return Parse(text, framesPerSecond, path);
    }

    public static AnonymizationSelection Parse(string json, double framesPerSecond, string source = "selection")
    {
        JObject root;
        try { root = JObject.Parse(json); }
        catch (JsonException e) { throw new FormatException($"{source}: not valid JSON ({e.Message})"); }

        var policy = (string?)root["default"] switch
        {
            null or "anonymize-everyone" => AnonymizationPolicy.AnonymizeEveryone,
            "anonymize-only-listed" => AnonymizationPolicy.AnonymizeOnlyListed,
            var other => throw new FormatException($"{source}: \"default\" must be \"anonymize-everyone\" or \"anonymize-only-listed\", not \"{other}\""),
        };

        var keys = new Dictionary<int, IReadOnlyList<SelectionKey>>();
        if (root["identities"] is { } identities)
        {
            if (identities is not JArray list) throw new FormatException($"{source}: \"identities\" must be a list");
            foreach (var (entry, index) in list.Select((e, i) => (e, i)))
            {
                var where = $"{source}: identities[{index}]";
                if (entry is not JObject item || item["identity"] is not { Type: JTokenType.Integer } idToken)
                    throw new FormatException($"{where}: needs an integer \"identity\"");
                var id = (int)idToken;
                if (id < 1) throw new FormatException($"{where}: identity numbers start at 1");
                if (keys.ContainsKey(id)) throw new FormatException($"{where}: identity {id} is listed twice");
                keys[id] = ParseKeys(item, where, framesPerSecond);
            }
        }
        return new AnonymizationSelection(policy, keys);
    }

    private static List<SelectionKey> ParseKeys(JObject item, string where, double framesPerSecond)
    {
        if (item["keys"] is null)
        {
            return [new SelectionKey(0, Flag(item, where))];
        }
        if (item["keys"] is not JArray keys || keys.Count == 0) throw new FormatException($"{where}: \"keys\" must be a non-empty list");
        var result = new List<SelectionKey>();
        foreach (var (token, index) in keys.Select((k, i) => (k, i)))
        {
            var at = $"{where}.keys[{index}]";
            if (token is not JObject key) throw new FormatException($"{at}: must be an object");
            double seconds;
            if (key["t"] is { } t && t.Type is JTokenType.Float or JTokenType.Integer) seconds = (double)t;
            else if (key["frame"] is { Type: JTokenType.Integer } frame) seconds = (long)frame / framesPerSecond;
            else throw new FormatException($"{at}: needs a time \"t\" in seconds or an integer \"frame\"");
            if (seconds < 0 || double.IsNaN(seconds)) throw new FormatException($"{at}: time must not be negative");
            result.Add(new SelectionKey(seconds, Flag(key, at)));
        }
        return result;
    }

    private static bool Flag(JObject item, string where) =>
        item["anonymize"] is { Type: JTokenType.Boolean } flag ? (bool)flag : throw new FormatException($"{where}: needs \"anonymize\": true or false");
}
