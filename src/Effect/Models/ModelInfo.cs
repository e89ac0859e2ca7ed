namespace Deid.Effect.Models;

/// <summary>One model file the engine depends on, with the digest that proves it is the expected one.</summary>
public sealed record ModelInfo(string Name, string FileName, string Sha256, string Licence, string Source, string Purpose);
