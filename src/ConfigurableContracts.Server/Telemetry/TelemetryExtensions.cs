using ConfigurableContracts.Core.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ConfigurableContracts.Server.Telemetry;

/// <summary>Where metrics and traces go. Bound from the <c>Telemetry</c> section; empty, the default, exports nothing.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The variable the OpenTelemetry SDK reads; honoured when <see cref="OtlpEndpoint"/> is not set.</summary>
    public const string StandardEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// The OpenTelemetry collector, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>http://otel-collector:4318</c>
    /// with <see cref="OtlpProtocol"/> <c>http/protobuf</c>. Empty: telemetry is off.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (the default) or <c>http/protobuf</c>, as OTEL_EXPORTER_OTLP_PROTOCOL spells them.</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The <c>service.name</c> the collector files this server's data under.</summary>
    public string ServiceName { get; set; } = "configurable-contracts";

    internal OtlpExportProtocol Protocol => OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
}

/// <summary>Refuses to start on an endpoint that is not an absolute http(s) address or an unknown protocol, quoting it.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint) && !TelemetryExtensions.IsHttpAddress(options.OtlpEndpoint))
        {
            failures.Add($"Telemetry:OtlpEndpoint '{options.OtlpEndpoint}' must be an absolute http:// or https:// address, e.g. http://otel-collector:4317.");
        }

        if (options.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            failures.Add($"Telemetry:OtlpProtocol '{options.OtlpProtocol}' must be 'grpc' or 'http/protobuf'.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            failures.Add("Telemetry:ServiceName must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Exports <see cref="ContractsTelemetry"/>'s metrics and traces, with ASP.NET Core's request metrics and spans,
/// over OTLP — only when a collector is named (<c>Telemetry:OtlpEndpoint</c>, or the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>). Off, OpenTelemetry is not registered at all: nothing listens, nothing is
/// buffered, no connection is tried. Logs stay as they are (console, structured with <c>json</c>).
/// </summary>
public static class TelemetryExtensions
{
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();

        // Read here, not through IOptions: whether OpenTelemetry is registered at all is decided while services are added.
        var settings = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var ownEndpoint = IsHttpAddress(settings.OtlpEndpoint) ? new Uri(settings.OtlpEndpoint!) : null;
        if (ownEndpoint is null && string.IsNullOrWhiteSpace(builder.Configuration[TelemetryOptions.StandardEndpointVariable]))
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(ContractsTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(exporter => Point(exporter, ownEndpoint, settings, "v1/metrics")))
            .WithTracing(tracing => tracing
                .AddSource(ContractsTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(exporter => Point(exporter, ownEndpoint, settings, "v1/traces")));
        return builder;
    }

    internal static bool IsHttpAddress(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// Our own setting wins; without it the exporter reads the OTEL_EXPORTER_OTLP_* variables itself. An endpoint set
    /// in code is used as given, so over HTTP the signal's path is added here, as the SDK does for the variable.
    /// </summary>
    private static void Point(OtlpExporterOptions exporter, Uri? endpoint, TelemetryOptions settings, string signalPath)
    {
        if (endpoint is null)
        {
            return;
        }

        exporter.Protocol = settings.Protocol;
        exporter.Endpoint = settings.Protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : endpoint;
    }
}
