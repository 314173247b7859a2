using ConfigurableContracts.Server.ApiDocs;
using ConfigurableContracts.Server.Data;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Evaluations;
using ConfigurableContracts.Server.Health;
using ConfigurableContracts.Server.Hosting;
using ConfigurableContracts.Server.Scheduling;
using ConfigurableContracts.Server.Templates;

// The root appsettings.json is the one configuration file, whatever folder the server starts from.
var builder = WebApplication.CreateBuilder(ContentRoot.CreateOptions(args));

// Storage: SQLite by default, PostgreSQL or SQL Server by configuration; migrations run before listening.
builder.AddData();

// Contract templates and outcome rules from schemas/ and rules/, hot-reloaded on edit.
builder.AddTemplates();

// Nightly evaluation of every active contract with Quartz (clustered on PostgreSQL/SQL Server), run records, catch-up.
builder.AddScheduling();

// Every error is a ProblemDetails; the API is described by OpenAPI with Swagger UI.
builder.Services.AddProblemResponses();
builder.Services.AddApiDocs();

var app = builder.Build();

app.UseProblemResponses();
app.MapApiDocs();
app.MapHealth();
app.MapTemplates();
app.MapEvaluations();

app.Run();

/// <summary>The server's entry point; public so whole-app tests can host it.</summary>
public partial class Program;
