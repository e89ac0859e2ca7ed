using System.Globalization;

namespace Deid.PluginHost.Reports;

/// <summary>Times on a clip as the reports write them: mm:ss.hh, from the clip's exact frame rate.</summary>
public static class ClipTimecode
{
    /// <summary>The start of frame <paramref name="frame"/>, rounded up to the hundredth so it never reads as the frame before.</summary>
    public static string OfFrame(int frame, int rateNumerator, int rateDenominator) =>
        FromHundredths(((long)frame * rateDenominator * 100 + rateNumerator - 1) / rateNumerator);

    public static string FromHundredths(long hundredths) =>
        string.Create(CultureInfo.InvariantCulture, $"{hundredths / 6000:00}:{hundredths / 100 % 60:00}.{hundredths % 100:00}");
}
