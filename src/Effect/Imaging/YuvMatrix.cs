namespace Deid.Effect.Imaging;

/// <summary>A Y'CbCr matrix (luma weights Kr, Kb) and range, for converting the few pixels of hidden faces.</summary>
public readonly record struct YuvMatrix(double Kr, double Kb, bool FullRange)
{
    public static YuvMatrix Bt601(bool fullRange) => new(0.299, 0.114, fullRange);

    public static YuvMatrix Bt709(bool fullRange) => new(0.2126, 0.0722, fullRange);

    public static YuvMatrix Bt2020(bool fullRange) => new(0.2627, 0.0593, fullRange);

    /// <summary>By swscale's matrix name (bt709, bt601, bt2020; others fall back to BT.601).</summary>
    public static YuvMatrix ByName(string name, bool fullRange) => name switch
    {
        "bt709" => Bt709(fullRange),
        "bt2020" => Bt2020(fullRange),
        _ => Bt601(fullRange),
    };

    public double Kg => 1 - Kr - Kb;
}
