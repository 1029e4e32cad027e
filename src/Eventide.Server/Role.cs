namespace Eventide.Server;

[Flags]
public enum Role
{
    None = 0,
    Ingestion = 1,
    Processor = 2,
    Query = 4,
    All = Ingestion | Processor | Query,
}
