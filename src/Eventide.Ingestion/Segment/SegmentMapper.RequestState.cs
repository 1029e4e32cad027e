using System.Text.Json;

namespace Eventide.Ingestion.Segment;

public sealed partial class SegmentMapper
{
    /// <summary>Per-request buffers and the fields of the message being mapped.</summary>
    private sealed class RequestState(string site, DateTimeOffset receivedAt, int capacity) : IDisposable
    {
        public string Site { get; } = site;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public DateTimeOffset? SentAt { get; set; }

        /// <summary>The batch's context: the default of messages without their own.</summary>
        public JsonElement Context { get; set; }

        /// <summary>The mapped events as one JSON array, for the parser.</summary>
        public PooledBufferWriter Events { get; } = new(capacity);

        /// <summary>One message's event while it is written; copied to <see cref="Events"/> only when complete.</summary>
        public PooledBufferWriter Scratch { get; } = new(4096);

        public Utf8JsonWriter Writer { get; } = new(Stream.Null, WriterOptions);

        /// <summary>For each event in <see cref="Events"/>: its message's index, the message and its type.</summary>
        public List<(int Index, JsonElement Message, SegmentMessageType Type)> Mapped { get; } = [];

        public SegmentMessageType Type { get; set; }

        public JsonElement User { get; set; }

        public JsonElement Anonymous { get; set; }

        public DateTimeOffset? Timestamp { get; set; }

        public JsonElement Properties { get; set; }

        public JsonElement MessageContext { get; set; }

        public void Dispose()
        {
            Writer.Dispose();
            Events.Dispose();
            Scratch.Dispose();
        }
    }
}
