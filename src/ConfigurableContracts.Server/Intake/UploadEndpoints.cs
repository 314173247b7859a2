using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConfigurableContracts.Server.Intake;

/// <summary>
/// <c>GET /api/contracts/{contractId}/uploads/{uploadKey}</c>: how far a bulk upload of the caller's organisation
/// is committed, for a client that lost the answer (or the server) and wants to know before it sends again.
/// </summary>
public static class UploadEndpoints
{
    public static WebApplication MapUploads(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGroup("/api/contracts/{contractId}").WithTags("Participants", "Measurements")
            .MapGet("/uploads/{uploadKey}", GetUpload).RequireAuthorization(Policies.Provider)
            .WithName(nameof(GetUpload))
            .WithSummary("A bulk upload of your organisation by its Idempotency-Key (or sha256:<body hash> when sent without one): the lines committed so far and whether it is complete (provider).");
        return app;
    }

    public static async Task<Results<Ok<BulkUploadDto>, ProblemHttpResult>> GetUpload(
        string contractId, string uploadKey, RequestCaller caller, BulkUploadStore uploads, CancellationToken cancellationToken) =>
        await uploads.FindAsync(caller.Caller, contractId, uploadKey, cancellationToken).ConfigureAwait(false) is { } upload
            ? TypedResults.Ok(BulkUploadDto.From(upload))
            : Problems.NotFound($"Your organisation has no upload named '{uploadKey}' in this contract in the last {BulkUploadStore.Lifetime.TotalHours:0} hours.");
}
