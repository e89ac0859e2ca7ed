namespace Deid.Effect.Models;

/// <summary>A model file is missing, unreadable or not the expected bytes. The message names the file and what was expected.</summary>
public sealed class ModelException(string message) : Exception(message);
