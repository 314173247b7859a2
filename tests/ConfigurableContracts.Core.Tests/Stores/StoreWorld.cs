using System.Text.Json;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Measurements;
using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Participants;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using Microsoft.Extensions.Time.Testing;

namespace ConfigurableContracts.Core.Tests.Stores;

/// <summary>
/// The stores over one fresh database, with a commissioner, two providers (A and B) and helpers to set up
/// contracts, so each scoping test states only what it is about.
/// </summary>
internal sealed class StoreWorld(DbConnectionFactory connections)
{
    public static readonly DateTimeOffset Start = new(2022, 1, 10, 8, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Time { get; } = new(Start);

    public DbConnectionFactory Connections { get; } = connections;

    public OrganisationStore Organisations => new(Connections, Time);

    public ApiKeyStore Keys => new(Connections, Time);

    public ContractStore Contracts => new(Connections, Time);

    public ParticipantStore Participants => new(Connections, Time);

    public MeasurementStore Measurements => new(Connections, Time);

    public Caller Commissioner { get; } = new("kommun", Roles.Commissioner, "key-kommun");

    public Caller Auditor { get; } = new("kommun", Roles.Auditor, "key-revisor");

    public Caller OtherCommissioner { get; } = new("annan-kommun", Roles.Commissioner, "key-annan");

    public Caller ProviderA { get; } = new("forening-a", Roles.Provider, "key-a");

    public Caller ProviderB { get; } = new("forening-b", Roles.Provider, "key-b");

    public Caller Admin { get; } = new("platform", Roles.Admin, "key-admin");

    public static TemplateVersion Template(string hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") => new()
    {
        Id = "store-test",
        Version = "1.0.0",
        BundleHash = hash,
        Files = new Dictionary<string, string> { ["schemas/store-test/template.json"] = "{}", ["rules/store-test/a.json"] = "[]" },
        Title = new Dictionary<string, string> { ["en"] = "Store test" },
        Description = new Dictionary<string, string>(),
        ContractSchema = AcceptAll.Instance,
        ParticipantSchema = AcceptAll.Instance,
        MeasurementSchema = AcceptAll.Instance,
        MeasurementPlan = new MeasurementPlan([new MeasurementPoint("baseline", "baseline", 0, 0, 30)]),
        Workflows = [],
        Manifest = JsonDocument.Parse("{}").RootElement,
        Warnings = [],
    };

    public async Task<StoreWorld> WithOrganisationsAsync()
    {
        foreach (var id in new[] { "platform", "kommun", "annan-kommun", "forening-a", "forening-b" })
        {
            await Organisations.CreateAsync(id, id.ToUpperInvariant());
        }

        return this;
    }

    /// <summary>A contract of <see cref="Commissioner"/> naming the given providers, in the given status.</summary>
    public async Task<Contract> ContractAsync(string status, params string[] providers)
    {
        var contract = await Contracts.CreateAsync(Commissioner, Template(), "Avtal", """{"title":"Avtal"}""", providers);
        if (status is ContractStatus.Active or ContractStatus.Closed)
        {
            contract = (await Contracts.ActivateAsync(Commissioner, contract.Id, null)).Contract!;
        }

        if (status == ContractStatus.Closed)
        {
            contract = (await Contracts.CloseAsync(Commissioner, contract.Id, null)).Contract!;
        }

        return contract;
    }

    public async Task<Participant> EnrolAsync(Caller provider, string contractId, string pseudonym)
    {
        var enrolment = await Participants.EnrolAsync(provider, contractId, Participant(pseudonym));
        Assert.Equal(EnrolmentOutcome.Enrolled, enrolment.Outcome);
        return enrolment.Participant!;
    }

    public static NewParticipant Participant(string pseudonym) =>
        new(pseudonym, new DateOnly(2022, 1, 10), $$"""{"pseudonym":"{{pseudonym}}","enrolmentDate":"2022-01-10"}""");

    public static NewMeasurement Measurement(string participantId, int score) =>
        new(participantId, "baseline", new DateOnly(2022, 1, 12), $$"""{"point":"baseline","score":{{score}}}""");

    private sealed class AcceptAll : IDocumentSchema
    {
        public static readonly AcceptAll Instance = new();

        public IReadOnlyList<DocumentError> Validate(JsonElement document) => [];
    }
}
