using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Tests.Hosting;

public sealed class HostingTests(ServerFactory factory) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task Health_ReportsHealthyDatabase_AfterMigrationsOnStart()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var database = body.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("Healthy", database.GetProperty("status").GetString());
        Assert.Equal("Sqlite", database.GetProperty("data").GetProperty("provider").GetString());
        Assert.True(database.GetProperty("data").GetProperty("schemaVersion").GetInt32() >= 1);
    }

    [Fact]
    public async Task OpenApiDocument_IsServed_WithSwaggerUi()
    {
        using var client = factory.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));
        using var ui = await client.GetAsync("/swagger/index.html");

        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("ConfigurableContracts", document.RootElement.GetProperty("info").GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_AnswersProblemDetails_WithTraceId()
    {
        // Without a key every route, known or not, answers 401: the server does not tell strangers what exists.
        using var client = factory.ClientWithKey(factory.AdminKey);

        using var response = await client.GetAsync("/api/no-such-thing");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, body.RootElement.GetProperty("status").GetInt32());
        Assert.True(body.RootElement.TryGetProperty("traceId", out _));
    }
}

public sealed class OptionsValidationTests
{
    [Fact]
    public void Startup_Fails_NamingTheBadValue_WhenSqlServerEncryptionIsOff()
    {
        using var factory = ServerFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "SqlServer",
            ["Database:ConnectionString"] = "Server=db.invalid;Database=x;Encrypt=false",
        });

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("Encrypt=false", error.Message, StringComparison.Ordinal);
        Assert.Contains("Optional", error.Message, StringComparison.Ordinal);
    }
}
