namespace Eventide.Operator.Resources;

/// <summary>Condition types, statuses and reasons: the words users and alerts match on, kept in one place.</summary>
public static class Conditions
{
    public const string Ready = "Ready";
    public const string Progressing = "Progressing";
    public const string Degraded = "Degraded";
    public const string DatabaseReady = "DatabaseReady";

    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    public const string ReasonAllReady = "AllComponentsReady";
    public const string ReasonComponentsNotReady = "ComponentsNotReady";
    public const string ReasonRollingOut = "RollingOut";
    public const string ReasonUpToDate = "UpToDate";
    public const string ReasonApplyFailed = "ApplyFailed";
    public const string ReasonAsExpected = "AsExpected";
    public const string ReasonLagReported = "LagReported";
    public const string ReasonLagUnavailable = "LagUnavailable";
    public const string ReasonSecretMissing = "SecretMissing";
    public const string ReasonInvalidSpec = "InvalidSpec";
}
