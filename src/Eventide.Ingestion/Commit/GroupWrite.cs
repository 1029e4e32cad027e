using Eventide.Core;

namespace Eventide.Ingestion.Commit;

/// <summary>
/// Writes one group's events in one transaction (in production <see cref="Storage.Inbox.InboxWriter.WriteAsync"/>):
/// returns once COMMIT is durable, throws <see cref="Storage.Inbox.InboxCommitException"/> otherwise.
/// <paramref name="mayCommit"/> is asked right before COMMIT; false rolls back.
/// </summary>
public delegate Task GroupWrite(IReadOnlyList<EventRecord> events, Func<bool> mayCommit, CancellationToken cancellationToken, TimeSpan statementTimeout);
