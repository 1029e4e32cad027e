namespace Eventide.Core;

public sealed class DatabaseOptions
{
    public string ConnectionString { get; set; } = "";

    public TimescaleMode Timescale { get; set; } = TimescaleMode.Auto;
}
