using Eventide.Core.Events;

namespace Eventide.Reliability.Tests.Fuzzing;

/// <summary>One generated request body and what was done to it (for the failure message).</summary>
public sealed record FuzzCase(byte[] Body, BodyFormat Format, bool EpochMillis, string Mutations);
