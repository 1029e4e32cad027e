namespace Eventide.Operator.Resources;

public static class AutoscalingModes
{
    public const string Lag = "Lag";
    public const string Keda = "KEDA";
    public const string Off = "Off";
}
