using System.Buffers;
using System.Buffers.Binary;
using OpenCvSharp;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// What a render's first pass changed in each frame, kept in a temporary file (deleted when closed), so that a
/// later pass writes the same frames again from the source without running the method again: the replace method
/// costs a landmark fit and safety checks per face, a pass from here only a copy of the changed bytes. Frames are
/// stored as runs of changed bytes per row, so a frame costs about the area of its hidden faces.
/// </summary>
public sealed class RenderedPatches : IDisposable
{
    /// <summary>Unchanged stretches shorter than this stay inside a run: fewer, longer runs read back faster.</summary>
    private const int MinimumGap = 32;

    private readonly FileStream _file;
    private readonly List<(long Offset, int Length)> _frames = [];
    private readonly ArrayBufferWriter<byte> _frame = new();
    private readonly Mat _before = new();

    public RenderedPatches(string path)
    {
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    public int Frames => _frames.Count;

    /// <summary>Bytes kept so far.</summary>
    public long Bytes => _file.Length;

    /// <summary>Runs <paramref name="change"/> on <paramref name="frame"/> and keeps what it changed as the next frame.</summary>
    public void Record(Mat frame, Action change)
    {
        frame.CopyTo(_before);
        change();
        Record(_before, frame);
    }

    private void Record(Mat before, Mat after)
    {
        _frame.Clear();
        ForEachChange(before, after, (row, start, bytes) => WriteRun(row, start, bytes));
        _frames.Add((_file.Length, _frame.WrittenCount));
        _file.Seek(0, SeekOrigin.End);
        _file.Write(_frame.WrittenSpan);
    }

    private delegate void RunAction(int row, int start, ReadOnlySpan<byte> bytes);

    /// <summary>Each run of changed bytes, row by row; unchanged stretches shorter than <see cref="MinimumGap"/> stay inside a run.</summary>
    private static void ForEachChange(Mat before, Mat after, RunAction run)
    {
        if (before.Size() != after.Size() || before.Type() != after.Type())
            throw new ArgumentException("a frame's changes need the frame before and after in the same shape");
        var rowBytes = RowBytes(after);
        var rows = after.Rows;
        for (var row = 0; row < rows; row++)
        {
            var a = Row(before, row, rowBytes);
            var b = Row(after, row, rowBytes);
            var x = a.CommonPrefixLength(b);
            while (x < rowBytes)
            {
                var start = x;
                var last = x++;
                while (x < rowBytes)
                {
                    var equal = a[x..].CommonPrefixLength(b[x..]);
                    if (x + equal >= rowBytes) { x = rowBytes; break; }
                    x += equal;
                    if (equal >= MinimumGap) break;
                    last = x++;
                }
                run(row, start, b.Slice(start, last - start + 1));
            }
        }
    }

    /// <summary>Writes frame <paramref name="index"/>'s kept changes into <paramref name="frame"/> (the same frame, decoded again).</summary>
    public void Restore(int index, Mat frame)
    {
        var (offset, length) = _frames[index];
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            _file.Seek(offset, SeekOrigin.Begin);
            _file.ReadExactly(bytes, 0, length);
            var rowBytes = RowBytes(frame);
            var rows = frame.Rows;
            var data = bytes.AsSpan(0, length);
            while (!data.IsEmpty)
            {
                var row = BinaryPrimitives.ReadInt32LittleEndian(data);
                var start = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
                var count = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
                if (row < 0 || row >= rows || start < 0 || count < 0 || start + count > rowBytes || 12 + count > data.Length)
                    throw new InvalidDataException($"the kept changes of frame {index} do not fit a {frame.Cols}x{frame.Rows} frame");
                data.Slice(12, count).CopyTo(Row(frame, row, rowBytes)[start..]);
                data = data[(12 + count)..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private void WriteRun(int row, int start, ReadOnlySpan<byte> bytes)
    {
        var header = _frame.GetSpan(12);
        BinaryPrimitives.WriteInt32LittleEndian(header, row);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], start);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], bytes.Length);
        _frame.Advance(12);
        _frame.Write(bytes);
    }

    private static int RowBytes(Mat frame) => frame.Cols * (int)frame.ElemSize();

    private static unsafe Span<byte> Row(Mat frame, int row, int rowBytes) => new((byte*)frame.Ptr(row), rowBytes);

    public void Dispose()
    {
        _file.Dispose();
        _before.Dispose();
    }
}
