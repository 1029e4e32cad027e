namespace Eventide.Query.Live;

/// <summary>A live client fell further behind than its buffer allows and was disconnected.</summary>
public sealed class LiveDroppedException() : Exception("The live client did not keep up and was dropped.");
