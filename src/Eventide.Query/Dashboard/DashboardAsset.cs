namespace Eventide.Query.Dashboard;

/// <summary>One file of the built dashboard, read once from the assembly's resources.</summary>
internal sealed record DashboardAsset(string Path, byte[] Content, string ContentType, string ETag);
