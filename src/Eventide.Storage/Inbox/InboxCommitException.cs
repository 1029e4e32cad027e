namespace Eventide.Storage.Inbox;

/// <summary>
/// A group commit did not succeed. <see cref="InDoubt"/> says whether it may
/// have committed anyway: true only when the connection failed after COMMIT
/// was sent, so the server may have committed without us hearing back.
/// </summary>
public sealed class InboxCommitException(bool inDoubt, string message, Exception inner) : Exception(message, inner)
{
    public bool InDoubt { get; } = inDoubt;
}
