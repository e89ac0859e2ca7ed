using Deid.PluginHost.Rendering;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Rendering;

/// <summary>A later pass of a checked render writes the first pass's faces back from these: byte for byte, and nothing else.</summary>
public sealed class RenderedPatchesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-patches-").FullName;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void What_a_pass_changed_is_written_back_exactly_onto_the_frame_decoded_again(int channels)
    {
        var random = new Random(5);
        var sources = Enumerable.Range(0, 4).Select(_ => Noise(random, 120, 160, channels)).ToList();
        var rendered = new List<Mat>();
        var path = Path.Combine(_directory, "patches");
        using (var patches = new RenderedPatches(path))
        {
            foreach (var (source, index) in sources.Select((s, i) => (s, i)))
            {
                var frame = source.Clone();
                patches.Record(frame, () =>
                {
                    if (index == 2) return; // a frame without faces
                    using var face = new Mat(frame, new Rect(10 + 20 * index, 30, 40, 50));
                    face.SetTo(Scalar.All(17 * index));
                    // One pixel, and every second pixel of a row: changes with short gaps between them make one run.
                    Invert(frame, 100, 150);
                    for (var x = 0; x < 60; x += 2) Invert(frame, 5, x);
                });
                rendered.Add(frame);
            }
            Assert.Equal(4, patches.Frames);
            Assert.True(patches.Bytes < sources.Sum(s => s.Total() * s.ElemSize()) / 4, $"{patches.Bytes} bytes kept for four small changes");

            // Read back in another order than written, onto fresh copies of the source frames.
            foreach (var index in new[] { 3, 0, 2, 1 })
            {
                using var again = sources[index].Clone();
                patches.Restore(index, again);
                using var difference = new Mat();
                Cv2.Absdiff(again, rendered[index], difference);
                Assert.Equal(0, Cv2.CountNonZero(difference.Reshape(1)));
            }
        }
        Assert.False(File.Exists(path), "the temporary file was left behind");
        foreach (var mat in sources.Concat(rendered)) mat.Dispose();
    }

    [Fact]
    public void Kept_changes_that_do_not_fit_the_frame_are_refused()
    {
        using var patches = new RenderedPatches(Path.Combine(_directory, "patches"));
        using var wide = new Mat(10, 200, MatType.CV_8UC1, Scalar.All(0));
        patches.Record(wide, () => wide.Set(9, 199, (byte)5));
        using var narrow = new Mat(10, 100, MatType.CV_8UC1, Scalar.All(0));
        Assert.Throws<InvalidDataException>(() => patches.Restore(0, narrow));
    }

    private static unsafe void Invert(Mat frame, int row, int column)
    {
        var pixel = (byte*)frame.Ptr(row, column);
        for (var c = 0; c < frame.Channels(); c++) pixel[c] ^= 0xFF;
    }

    private static Mat Noise(Random random, int rows, int cols, int channels)
    {
        var mat = new Mat(rows, cols, channels == 1 ? MatType.CV_8UC1 : MatType.CV_8UC3);
        var bytes = new byte[rows * cols * channels];
        random.NextBytes(bytes);
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, mat.Data, bytes.Length);
        return mat;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
