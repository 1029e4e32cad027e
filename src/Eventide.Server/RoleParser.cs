namespace Eventide.Server;

public static class RoleParser
{
    /// <summary>Parses <c>all</c> or a comma-separated list of roles; returns an error message or null.</summary>
    public static string? TryParse(string value, out Role roles)
    {
        roles = Role.None;
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= part.ToLowerInvariant() switch
            {
                "all" => Role.All,
                "ingestion" => Role.Ingestion,
                "processor" => Role.Processor,
                "query" => Role.Query,
                _ => Role.None,
            };
            if (part.ToLowerInvariant() is not ("all" or "ingestion" or "processor" or "query"))
            {
                return $"unknown role '{part}' (expected all, ingestion, processor, query)";
            }
        }
        return roles == Role.None ? "no role given (expected all, ingestion, processor, query)" : null;
    }
}
