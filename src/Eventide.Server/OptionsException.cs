namespace Eventide.Server;

/// <summary>Configuration that cannot be used; the message is one line for the user.</summary>
public sealed class OptionsException(string message) : Exception(message);
