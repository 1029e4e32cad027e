namespace Eventide.Operator.Reconciliation;

public sealed class LagUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
