namespace Deid.PluginHost.Serve;

/// <summary>Typed, validated access to the fields of a decoded MessagePack map; a missing or mistyped field is a clear error.</summary>
public sealed class MessageFields(IReadOnlyDictionary<object, object?> map)
{
    public static MessageFields From(object? decoded) =>
        decoded is IDictionary<object, object?> map ? new MessageFields(map.AsReadOnly())
            : throw new FrameMessageException("a message must be a map");

    public string Type => String("type");

    public bool Has(string key) => map.ContainsKey(key);

    public string String(string key) =>
        Get(key) as string ?? throw new FrameMessageException($"field '{key}' must be a string");

    public long Integer(string key) => Get(key) switch
    {
        byte v => v, sbyte v => v, short v => v, ushort v => v, int v => v, uint v => v, long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => throw new FrameMessageException($"field '{key}' must be an integer"),
    };

    public int Int32(string key, int min, int max)
    {
        var value = Integer(key);
        return value >= min && value <= max ? (int)value : throw new FrameMessageException($"field '{key}' must be between {min} and {max}, got {value}");
    }

    public double Number(string key, double min, double max)
    {
        var value = Get(key) switch
        {
            double v => v, float v => v,
            byte or sbyte or short or ushort or int or uint or long or ulong => Integer(key),
            _ => throw new FrameMessageException($"field '{key}' must be a number"),
        };
        return value >= min && value <= max && !double.IsNaN(value) ? value : throw new FrameMessageException($"field '{key}' must be between {min} and {max}, got {value}");
    }

    public bool Boolean(string key) => Get(key) is bool value ? value : throw new FrameMessageException($"field '{key}' must be true or false");

    public IReadOnlyDictionary<object, object?> Map(string key) =>
        Get(key) is IDictionary<object, object?> value ? value.AsReadOnly() : throw new FrameMessageException($"field '{key}' must be a map");

    private object? Get(string key) => map.TryGetValue(key, out var value) ? value : throw new FrameMessageException($"field '{key}' is missing");
}
