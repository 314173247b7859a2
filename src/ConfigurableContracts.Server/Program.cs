using ConfigurableContracts.Core;
using ConfigurableContracts.Server.ApiDocs;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Contracts;
using ConfigurableContracts.Server.Data;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Evaluations;
using ConfigurableContracts.Server.Health;
using ConfigurableContracts.Server.Hosting;
using ConfigurableContracts.Server.Intake;
using ConfigurableContracts.Server.Limits;
using ConfigurableContracts.Server.Measurements;
using ConfigurableContracts.Server.Organisations;
using ConfigurableContracts.Server.Outcomes;
using ConfigurableContracts.Server.Participants;
using ConfigurableContracts.Server.Payments;
using ConfigurableContracts.Server.Privacy;
using ConfigurableContracts.Server.Scheduling;
using ConfigurableContracts.Server.Security;
using ConfigurableContracts.Server.Telemetry;
using ConfigurableContracts.Server.Templates;

// The root appsettings.json is the one configuration file, whatever folder the server starts from.
var builder = WebApplication.CreateBuilder(ContentRoot.CreateOptions(args));

// Listens on http://localhost:5080 unless --urls, ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS say otherwise.
builder.UseConventionalAddresses();

// Core, exactly as the CLI has it: storage, templates, evaluation, outcomes and payments, audit, privacy, each with
// its options validated at start-up.
builder.Services.AddContractsCore(builder.Configuration, builder.Environment.ContentRootPath);

// Storage: SQLite by default, PostgreSQL or SQL Server by configuration; migrations run before listening.
builder.AddData();

// Never open: every request carries an API key or a bearer token (organisation + role); the first start makes an admin key.
builder.AddSecurity();

// Tamper-evident audit of API access: writes, reads of participant data, refusals; GET /api/audit.
builder.AddAudit();

// Behind reverse proxies: the caller's address from X-Forwarded-For, believed only from Hosting:TrustedProxies.
builder.AddProxies();

// Hostile input: body size, JSON depth and duplicate keys, timeouts, a rate limit per organisation.
builder.AddLimits();

// Contract templates and outcome rules from schemas/ and rules/, hot-reloaded on edit.
builder.AddTemplates();

// Nightly evaluation of every active contract with Quartz (clustered on PostgreSQL/SQL Server), run records, catch-up.
builder.AddScheduling();

// Privacy: the nightly job that removes participant data after the retention period.
builder.AddPrivacy();

// Metrics and traces (runs, decisions, reports, intake, rule errors) over OTLP, off unless Telemetry:OtlpEndpoint is set.
builder.AddTelemetry();

// Every error is a ProblemDetails; the API is described by OpenAPI with Swagger UI.
builder.Services.AddProblemResponses();
builder.Services.AddApiDocs();

// Health: /health, /health/ready (database, writes, templates, scheduler) and /health/live.
builder.AddHealth();

var app = builder.Build();

app.UseProblemResponses();
app.UseProxies();
app.MapApiDocs();
app.MapHealth();
// Who is calling, then the rate limit: per organisation for valid credentials, per remote address for any other
// request, so guessed or revoked credentials are cut off with 429 before they are audited and refused.
app.UseCallerIdentity();
app.UseRateLimits();
app.UseAudit();
app.UseSecurity();
app.UseLimits();

// Organisations and their API keys (admin); templates.
app.MapOrganisations();
app.MapTemplates();

// Contracts (commissioners), participants and measurements (providers), each scoped by organisation in SQL; bulk uploads' progress.
app.MapContracts();
app.MapParticipants();
app.MapMeasurements();
app.MapUploads();

// Decisions with replay, outcome reports, payment statements and their review.
app.MapOutcomes();
app.MapPayments();

// Evaluation runs: run now, list, progress.
app.MapEvaluations();

// Data subject export (commissioner, auditor); what the next retention run removes (admin).
app.MapPrivacy();

app.Run();

/// <summary>The server's entry point; public so whole-app tests can host it.</summary>
public partial class Program;
