using Eventide.Core;
using Eventide.Storage.Auth;
using Microsoft.AspNetCore.Http;

namespace Eventide.Ingestion;

public sealed partial class IntakeGate
{
    /// <summary>The first key lookup opens a connection; warming it keeps that cost off the first request.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken) =>
        _auth.AuthenticateAsync(ApiKey.Generate(ApiKeyKind.Write), cancellationToken);

    /// <summary>
    /// Resolves a write key. Returns the caller, or the refusal to answer with: 401 for a
    /// missing or unknown key (<paramref name="missingKeyDetail"/> says how to send one), 403 for
    /// a key that cannot write, 503 when the lookup could not reach the database in time.
    /// </summary>
    public async Task<(Caller? Caller, IResult? Refusal)> AuthenticateAsync(string? key, string missingKeyDetail, CancellationToken aborted)
    {
        Caller caller;
        if (key is null)
        {
            caller = Caller.Anonymous;
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                timeout.CancelAfter(_keyLookupTimeout);
                caller = await _auth.AuthenticateAsync(key, timeout.Token).WaitAsync(timeout.Token);
            }
            catch (Exception ex) when (!aborted.IsCancellationRequested)
            {
                Log.KeyLookupFailed(_logger, ex);
                return (null, IntakeProblems.Unavailable(
                    "The write key could not be checked because the database is unreachable. Nothing was stored; retry after the indicated delay."));
            }
        }
        if (caller.Kind == CallerKind.None)
        {
            return (null, IntakeProblems.Problem(StatusCodes.Status401Unauthorized, "Missing or unknown write key", missingKeyDetail));
        }
        if (caller.Kind != CallerKind.Write)
        {
            return (null, IntakeProblems.Problem(StatusCodes.Status403Forbidden, "This key cannot write events",
                "The key is a read key or the admin token; posting events needs the site's write key (evw_...)."));
        }
        return (caller, null);
    }
}
