namespace Eventide.Storage.Processing;

/// <summary>An inbox row claimed by a consume transaction: one group commit's events of one shard, in <see cref="Core.InboxCodec"/> form.</summary>
internal sealed record InboxRow(long Id, int EventCount, DateTimeOffset ReceivedAt, byte[] Payload);
