using System.Security.Claims;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Organisations;

/// <summary>
/// <c>/api/organisations</c>: admins create organisations and issue and revoke their API keys; commissioners list
/// organisations to name providers in a contract.
/// </summary>
public static class OrganisationEndpoints
{
    public static WebApplication MapOrganisations(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/organisations").WithTags("Organisations");

        group.MapPost("/", CreateOrganisation).RequireAuthorization(Policies.Admin)
            .WithName(nameof(CreateOrganisation)).WithSummary("Create an organisation (admin).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListOrganisations).RequireAuthorization(Policies.OrganisationReader)
            .WithName(nameof(ListOrganisations)).WithSummary("List organisations: ids and names (admin, commissioner).");
        group.MapGet("/{organisationId}", GetOrganisation).RequireAuthorization(Policies.OrganisationReader)
            .WithName(nameof(GetOrganisation)).WithSummary("Get one organisation (admin, commissioner).");
        group.MapPost("/{organisationId}/keys", CreateKey).RequireAuthorization(Policies.Admin)
            .WithName(nameof(CreateKey)).WithSummary("Issue an API key for the organisation; the answer is the only time the key is shown (admin).");
        group.MapGet("/{organisationId}/keys", ListKeys).RequireAuthorization(Policies.Admin)
            .WithName(nameof(ListKeys)).WithSummary("List the organisation's API keys, without secrets (admin).");
        group.MapDelete("/{organisationId}/keys/{keyId}", RevokeKey).RequireAuthorization(Policies.Admin)
            .WithName(nameof(RevokeKey)).WithSummary("Revoke an API key; it stops working at once (admin).");
        return app;
    }

    public static async Task<Results<Created<OrganisationDto>, ValidationProblem, ProblemHttpResult>> CreateOrganisation(
        CreateOrganisationRequest request, OrganisationStore organisations, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!OrganisationIds.IsValid(request.Id))
        {
            errors["$.id"] = [$"Use lower-case letters and digits joined by single hyphens, at most {OrganisationIds.MaxLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors["$.name"] = ["Give a name of 1 to 200 characters."];
        }

        // Ids and names are shown to every commissioner and kept in the audit log: no personal identity number.
        foreach (var refusal in new[] { PersonalIdentityNumbers.RefusalOf(request.Id, "$.id"), PersonalIdentityNumbers.RefusalOf(request.Name, "$.name") }.OfType<DocumentError>())
        {
            errors[refusal.Path] = [refusal.Message];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var created = await organisations.CreateAsync(request.Id!, request.Name!.Trim(), cancellationToken).ConfigureAwait(false);
        return created is null
            ? Problems.Conflict($"Organisation '{request.Id}' already exists.")
            : TypedResults.Created($"/api/organisations/{created.Id}", OrganisationDto.From(created));
    }

    public static async Task<Ok<IReadOnlyList<OrganisationDto>>> ListOrganisations(OrganisationStore organisations, CancellationToken cancellationToken)
    {
        var all = await organisations.ListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<OrganisationDto>>(all.Select(OrganisationDto.From).ToList());
    }

    public static async Task<Results<Ok<OrganisationDto>, NotFound>> GetOrganisation(
        string organisationId, OrganisationStore organisations, CancellationToken cancellationToken)
    {
        var organisation = await organisations.GetAsync(organisationId, cancellationToken).ConfigureAwait(false);
        return organisation is null ? TypedResults.NotFound() : TypedResults.Ok(OrganisationDto.From(organisation));
    }

    public static async Task<Results<Created<CreatedKeyDto>, NotFound, ValidationProblem>> CreateKey(
        string organisationId, CreateKeyRequest request, ApiKeyStore keys, IOptions<BootstrapOptions> bootstrap, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Roles.IsKnown(request.Role))
        {
            errors["$.role"] = [$"'{request.Role}' is not a role; use one of {string.Join(", ", Roles.All)}."];
        }
        else if (!PlatformOrganisation.MayHold(organisationId, request.Role!, bootstrap.Value.OrganisationId))
        {
            errors["$.role"] = [PlatformOrganisation.AdminRefusal(organisationId, bootstrap.Value.OrganisationId)];
        }

        if (request.Label is { Length: > 200 })
        {
            errors["$.label"] = ["Keep the label to at most 200 characters."];
        }
        else if (PersonalIdentityNumbers.RefusalOf(request.Label, "$.label") is { } refusal)
        {
            errors[refusal.Path] = [refusal.Message];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var created = await keys.CreateAsync(organisationId, request.Role!, request.Label ?? "", cancellationToken).ConfigureAwait(false);
        if (created is null)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Created(
            $"/api/organisations/{organisationId}/keys/{created.Key.Id}",
            new CreatedKeyDto(ApiKeyDto.From(created.Key), created.Secret));
    }

    public static async Task<Results<Ok<IReadOnlyList<ApiKeyDto>>, NotFound>> ListKeys(
        string organisationId, OrganisationStore organisations, ApiKeyStore keys, CancellationToken cancellationToken)
    {
        if (await organisations.GetAsync(organisationId, cancellationToken).ConfigureAwait(false) is null)
        {
            return TypedResults.NotFound();
        }

        var all = await keys.ListAsync(organisationId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<ApiKeyDto>>(all.Select(ApiKeyDto.From).ToList());
    }

    public static async Task<Results<NoContent, NotFound>> RevokeKey(
        string organisationId, string keyId, ApiKeyStore keys, CancellationToken cancellationToken) =>
        await keys.RevokeAsync(organisationId, keyId, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : TypedResults.NotFound();
}

public sealed record CreateOrganisationRequest(string? Id, string? Name);

public sealed record OrganisationDto(string Id, string Name, DateTimeOffset CreatedAt)
{
    public static OrganisationDto From(Organisation organisation)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        return new(organisation.Id, organisation.Name, organisation.CreatedAt);
    }
}

public sealed record CreateKeyRequest(string? Role, string? Label);

public sealed record ApiKeyDto(string Id, string OrganisationId, string Role, string Label, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyDto From(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(key.Id, key.OrganisationId, key.Role, key.Label, key.CreatedAt, key.RevokedAt);
    }
}

/// <summary>A new key and its secret: send the secret as <c>X-Api-Key</c>; it cannot be shown again.</summary>
public sealed record CreatedKeyDto(ApiKeyDto Key, string Secret);
