namespace Eventide.Storage;

public sealed record SiteInfo(string Site, DateTimeOffset CreatedAt, int WriteKeys, int ReadKeys);
