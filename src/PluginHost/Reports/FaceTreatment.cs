namespace Deid.PluginHost.Reports;

/// <summary>What the rendered file shows where a tracked face was, as a redaction report counts it.</summary>
public enum FaceTreatment
{
    /// <summary>Kept visible by the selection: the person as filmed.</summary>
    Visible,

    /// <summary>Hidden by the chosen method (blur, pixelate, solid).</summary>
    Hidden,

    /// <summary>Replace: the person's new face.</summary>
    NewFace,

    /// <summary>Replace: another of the person's new faces, where their first stayed too near them.</summary>
    OtherNewFace,

    /// <summary>Replace: blurred instead (too small, no upright face, a doubtful detection, still recognized).</summary>
    Blurred,

    /// <summary>The read-back found the face too near its person in the written file and blurred it wider.</summary>
    BlurredMore,

    /// <summary>The read-back filled the face: even a blur stayed too near.</summary>
    Filled,
}
