using System.Diagnostics;
using Deid.PluginHost.Video;
using OpenCvSharp;

namespace Deid.PluginHost.Bench;

/// <summary>
/// Builds a test clip with known people in it: photos composited onto a textured background, each moving on its own
/// path at its own size (from about 20 px faces to large ones), with a tone as audio. Used by the benchmark for a
/// 1080p workload and by tests that need a clip of people whose photos they hold.
/// </summary>
public sealed record MovingPhotosClip(int Width, int Height, int FrameRate, int Frames)
{
    /// <summary>One photo on the canvas: its height in pixels and where it travels (fractions of the canvas).</summary>
    public sealed record Actor(string PhotoPath, int Height, Point2f From, Point2f To, int FirstFrame = 0, int LastFrame = int.MaxValue);

    public void Write(FfmpegTools tools, IReadOnlyList<Actor> actors, string outputPath)
    {
        var photos = actors.Select(a => LoadScaled(a.PhotoPath, a.Height)).ToList();
        try
        {
            using var background = Background(Width, Height);
            using var canvas = new Mat(Height, Width, MatType.CV_8UC3);
            var start = new ProcessStartInfo(tools.FfmpegPath)
            {
                RedirectStandardInput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "-nostdin", "-v", "error", "-y",
                "-f", "rawvideo", "-pix_fmt", "bgr24", "-video_size", $"{Width}x{Height}", "-framerate", FrameRate.ToString(), "-i", "-",
                "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={Frames / (double)FrameRate:0.###}",
                "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", outputPath,
            })
            {
                start.ArgumentList.Add(argument);
            }
            using var ffmpeg = Process.Start(start) ?? throw new VideoException("cannot start ffmpeg");
            var errors = ffmpeg.StandardError.ReadToEndAsync();
            var stdin = ffmpeg.StandardInput.BaseStream;
            var frameBytes = new byte[Width * Height * 3];
            for (var f = 0; f < Frames; f++)
            {
                background.CopyTo(canvas);
                for (var i = 0; i < actors.Count; i++)
                {
                    if (f < actors[i].FirstFrame || f > actors[i].LastFrame) continue;
                    Place(canvas, photos[i], actors[i], f / (float)Math.Max(1, Frames - 1));
                }
                System.Runtime.InteropServices.Marshal.Copy(canvas.Data, frameBytes, 0, frameBytes.Length);
                stdin.Write(frameBytes);
            }
            stdin.Close();
            ffmpeg.WaitForExit();
            if (ffmpeg.ExitCode != 0) throw new VideoException($"ffmpeg could not write {outputPath}: {errors.Result.Trim()}");
        }
        finally
        {
            foreach (var photo in photos) photo.Dispose();
        }
    }

    /// <summary>The benchmark's 1080p clip: five people from the shared photos, faces from about 20 px to 300 px.</summary>
    public static IReadOnlyList<Actor> DefaultCast(string photosDirectory)
    {
        string Photo(string name) => Path.Combine(photosDirectory, name);
        return
        [
            new(Photo("obama.jpg"), 520, new(0.05f, 0.2f), new(0.45f, 0.3f)),
            new(Photo("biden.jpg"), 300, new(0.75f, 0.5f), new(0.55f, 0.1f)),
            new(Photo("train_rose_leslie_img1.jpg"), 160, new(0.1f, 0.75f), new(0.4f, 0.7f)),
            new(Photo("train_kit_harington_john1.jpeg"), 90, new(0.8f, 0.8f), new(0.9f, 0.6f)),
            new(Photo("train_alex_lacamoire_img1.jpg"), 48, new(0.6f, 0.85f), new(0.3f, 0.88f)),
        ];
    }

    private static Mat LoadScaled(string path, int height)
    {
        using var photo = Cv2.ImRead(path, ImreadModes.Color);
        if (photo.Empty()) throw new VideoException($"cannot read photo {path}");
        var scaled = new Mat();
        Cv2.Resize(photo, scaled, new Size(Math.Max(1, photo.Width * height / photo.Height), height), 0, 0, InterpolationFlags.Area);
        return scaled;
    }

    private static void Place(Mat canvas, Mat photo, Actor actor, float t)
    {
        var x = (int)((actor.From.X + (actor.To.X - actor.From.X) * t) * canvas.Width);
        var y = (int)((actor.From.Y + (actor.To.Y - actor.From.Y) * t) * canvas.Height);
        var target = new Rect(x, y, photo.Width, photo.Height).Intersect(new Rect(0, 0, canvas.Width, canvas.Height));
        if (target.Width <= 0 || target.Height <= 0) return;
        using var from = new Mat(photo, new Rect(target.X - x, target.Y - y, target.Width, target.Height));
        using var to = new Mat(canvas, target);
        from.CopyTo(to);
    }

    /// <summary>A textured, non-flat background, so the encoder does real work, as it would on real footage.</summary>
    private static Mat Background(int width, int height)
    {
        var background = new Mat(height, width, MatType.CV_8UC3);
        using var noise = new Mat(height / 8, width / 8, MatType.CV_8UC3);
        Cv2.Randu(noise, new Scalar(40, 60, 70), new Scalar(140, 150, 170));
        Cv2.Resize(noise, background, new Size(width, height), 0, 0, InterpolationFlags.Cubic);
        using var grain = new Mat(height, width, MatType.CV_8UC3);
        Cv2.Randn(grain, new Scalar(0, 0, 0), new Scalar(6, 6, 6));
        Cv2.Add(background, grain, background);
        return background;
    }
}
