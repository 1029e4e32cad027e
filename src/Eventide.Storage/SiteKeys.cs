namespace Eventide.Storage;

/// <summary>The clear keys of a new site: shown once, never stored.</summary>
public sealed record SiteKeys(string Site, string WriteKey, string ReadKey);
