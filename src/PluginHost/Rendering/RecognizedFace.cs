namespace Deid.PluginHost.Rendering;

/// <summary>
/// A hidden face that the rendered file, read back, still shows too near its person: <see cref="Distance"/> from the
/// face in the source, and <see cref="BlurredDistance"/>, how near a heavily blurred copy of the source face comes
/// (the recognizer's floor for this face: on small or dark faces even a blob is near).
/// </summary>
public sealed record RecognizedFace(int Frame, int TrackId, float Distance, float BlurredDistance);
