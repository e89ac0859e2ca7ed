using System.Globalization;
using Newtonsoft.Json.Linq;

namespace Deid.PluginHost.Video;

/// <summary>
/// Describes a video file with ffprobe, or says in one line why it cannot be used.
/// </summary>
/// <remarks>
/// Frame count policy: nb_frames from the container is reported as it is (null where the container does not say)
/// and never re-counted here, since counting means decoding the whole file; the exact count is what
/// <see cref="FrameReader.FramesRead"/> ends at. What the probe does prove, by decoding at most a few packets, is that
/// at least one frame decodes: a stream that yields none (a header whose media data is missing, a stream without
/// packets) is rejected here, before any work, even when the container declares frames.
/// </remarks>
public static class VideoProbe
{
    /// <summary>
    /// Packets read to find the first frame: a few cover a normal start; the second, longer read covers a stream cut
    /// mid-GOP, whose first decodable frame is the next keyframe.
    /// </summary>
    private static readonly int[] ProofPackets = [32, 2000];

    public static VideoInfo Probe(FfmpegTools tools, string path)
    {
        RequireReadableFile(path);
        var (exitCode, output, error) = tools.Run(tools.FfprobePath,
            ["-hide_banner", "-v", "error", "-show_streams", "-show_format", "-of", "json", Path.GetFullPath(path)]);
        if (exitCode != 0) throw new VideoException($"{path} is not a video: {Explain(error, path)}");
        var info = Parse(path, output);
        if (ProofPackets.All(packets => CountDecodableFrames(tools, path, info.VideoStreamIndex, packets) == 0))
        {
            throw new VideoException($"{path} is not a usable video: its video stream has no decodable frame");
        }
        return info;
    }

    /// <summary>Counts a stream's packets without decoding them; fast, and one packet is one frame for video.</summary>
    public static long CountPackets(FfmpegTools tools, string path, int streamIndex)
    {
        var (exitCode, output, error) = tools.Run(tools.FfprobePath,
        [
            "-hide_banner", "-v", "error", "-count_packets", "-select_streams", streamIndex.ToString(CultureInfo.InvariantCulture),
            "-show_entries", "stream=nb_read_packets", "-of", "json", Path.GetFullPath(path),
        ]);
        if (exitCode != 0) throw new VideoException($"{path}: cannot count packets: {Explain(error, path)}");
        return ReadStreamNumber(output, "nb_read_packets");
    }

    private static long CountDecodableFrames(FfmpegTools tools, string path, int streamIndex, int packets)
    {
        var (exitCode, output, error) = tools.Run(tools.FfprobePath,
        [
            "-hide_banner", "-v", "error", "-select_streams", streamIndex.ToString(CultureInfo.InvariantCulture),
            "-read_intervals", string.Create(CultureInfo.InvariantCulture, $"%+#{packets}"), "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "json",
            Path.GetFullPath(path),
        ]);
        if (exitCode != 0) throw new VideoException($"{path} is not a video: {Explain(error, path)}");
        return ReadStreamNumber(output, "nb_read_frames");
    }

    private static long ReadStreamNumber(string json, string field)
    {
        var stream = (JObject.Parse(json)["streams"] as JArray)?.FirstOrDefault();
        return long.TryParse((string?)stream?[field], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    private static void RequireReadableFile(string path)
    {
        if (Directory.Exists(path)) throw new VideoException($"{path} is a directory, not a video file");
        if (!File.Exists(path)) throw new VideoException($"input file not found: {path}");
        if (new FileInfo(path).Length == 0) throw new VideoException($"{path} is not a video: the file is empty (0 bytes)");
    }

    /// <summary>
    /// Turns ffprobe's error log into one phrase: its final verdict ("Invalid data found when processing input"),
    /// with the demuxer's first specific complaint ("moov atom not found") when there is one.
    /// </summary>
    private static string Explain(string error, string path)
    {
        var fullPath = Path.GetFullPath(path);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.StartsWith(fullPath + ": ", StringComparison.Ordinal) ? line[(fullPath.Length + 2)..] : line)
            .ToArray();
        var verdict = FfmpegTools.MeaningfulLine(lines);
        var detail = FfmpegTools.MeaningfulLine(lines, first: true);
        if (verdict is null) return "ffprobe failed without saying why";
        return detail is not null && detail != verdict ? $"{verdict} ({StripTag(detail)})" : verdict;
    }

    /// <summary>"[mov,mp4,m4a,3gp,3g2,mj2] moov atom not found" reads better without the demuxer list.</summary>
    private static string StripTag(string line) =>
        line.StartsWith('[') && line.IndexOf("] ", StringComparison.Ordinal) is var end and > 0 ? line[(end + 2)..] : line;

    /// <summary>Builds a <see cref="VideoInfo"/> from ffprobe's `-show_streams -show_format -of json` output.</summary>
    internal static VideoInfo Parse(string path, string json)
    {
        var root = JObject.Parse(json);
        var streams = (root["streams"] as JArray ?? new JArray()).OfType<JObject>().ToList();
        var format = root["format"] as JObject ?? new JObject();
        // An encoder that got no frame (ffmpeg -frames:v 0) leaves a valid container with no stream at all.
        if (streams.Count == 0) throw new VideoException($"{path} is not a video: it holds no streams, so no video frames");
        // Cover art in an audio file is a "video" stream of one picture; it is not a video.
        var video = streams.FirstOrDefault(s => (string?)s["codec_type"] == "video" && (int?)s["disposition"]?["attached_pic"] != 1)
            ?? throw new VideoException($"{path} is not a video: ffprobe found no video stream");
        var audio = streams.Where(s => (string?)s["codec_type"] == "audio").ToList();

        var width = (int?)video["width"] ?? 0;
        var height = (int?)video["height"] ?? 0;
        if (width <= 0 || height <= 0) throw new VideoException($"{path} is not a usable video: its video stream has no frame size");

        var frameRate = Rational(video["r_frame_rate"]) is { Numerator: > 0 } real ? real : Rational(video["avg_frame_rate"]);
        if (frameRate.Numerator <= 0) throw new VideoException($"{path} is not a usable video: ffprobe reports no frame rate for its video stream");
        var timeBase = Rational(video["time_base"]);
        if (timeBase.Numerator <= 0) timeBase = (frameRate.Denominator, frameRate.Numerator);

        var frameCount = Number(video["nb_frames"]) is long declared and > 0 ? declared : (long?)null;
        return new VideoInfo
        {
            Path = path,
            VideoStreamIndex = (int?)video["index"] ?? 0,
            Width = width,
            Height = height,
            FrameRate = frameRate,
            TimeBase = timeBase,
            FrameCount = frameCount,
            Duration = Seconds(video["duration"]) ?? Seconds(format["duration"]) ?? 0,
            VideoStartTime = Seconds(video["start_time"]) ?? 0,
            VideoStartPts = Number(video["start_pts"]) ?? 0,
            Rotation = Rotation(video),
            AudioStreamCount = audio.Count,
            AudioStartTime = audio.Count > 0 ? Seconds(audio[0]["start_time"]) ?? 0 : null,
            PixelFormat = (string?)video["pix_fmt"] ?? "unknown",
            ColorSpace = Tag(video["color_space"]),
            ColorPrimaries = Tag(video["color_primaries"]),
            ColorTransfer = Tag(video["color_transfer"]),
            ColorRange = Tag(video["color_range"]),
            FormatName = (string?)format["format_name"] ?? "unknown",
            VideoCodec = (string?)video["codec_name"] ?? "unknown",
        };
    }

    /// <summary>
    /// Counter-clockwise degrees (see <see cref="VideoInfo.Rotation"/>). The display matrix wins; a legacy `rotate`
    /// tag (clockwise, written by ffprobe before 5.0) is negated. Odd angles snap to the nearest quarter turn.
    /// </summary>
    private static int Rotation(JObject video)
    {
        var matrix = (video["side_data_list"] as JArray ?? new JArray())
            .OfType<JObject>()
            .FirstOrDefault(s => (string?)s["side_data_type"] == "Display Matrix" && s["rotation"] is not null);
        double? counterClockwise = matrix is not null ? (double?)matrix["rotation"]
            : double.TryParse((string?)video["tags"]?["rotate"], NumberStyles.Float, CultureInfo.InvariantCulture, out var clockwise) ? -clockwise
            : null;
        if (counterClockwise is not double degrees || double.IsNaN(degrees)) return 0;
        var quarterTurns = (int)Math.Round(degrees / 90);
        return (quarterTurns % 4 + 4) % 4 * 90;
    }

    private static (int Numerator, int Denominator) Rational(JToken? token)
    {
        var parts = ((string?)token ?? "0/0").Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var numerator)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var denominator)
            && denominator > 0
            ? (numerator, denominator)
            : (0, 0);
    }

    private static double? Seconds(JToken? token) =>
        double.TryParse((string?)token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static long? Number(JToken? token) =>
        long.TryParse((string?)token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string? Tag(JToken? token) => (string?)token is { Length: > 0 } value && value != "unknown" ? value : null;
}
