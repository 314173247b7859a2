using System.Text.Json;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Binding;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Checks that everything a manifest names means something: workflows and rules exist where the payment model and
/// cohort target name them, parameter paths resolve in the contract schema with the type their use needs, declared
/// participant and cohort-member fields exist, every workflow input is given a value, and every contract parameter
/// is read by something. Runs after the manifest passed its schema and the workflows compiled, so each finding is a
/// designer's mistake that would otherwise change money silently (a misspelt cap path used to mean "no cap").
/// </summary>
/// <remarks>Codes CCT0121–CCT0130; see docs/writing-templates.md.</remarks>
internal sealed class ManifestChecks(
    TemplateManifest manifest,
    IReadOnlyDictionary<string, SchemaDocument> schemas,
    IReadOnlyList<WorkflowDefinition> definitions,
    IReadOnlyList<TemplateWorkflow> workflows,
    IReadOnlyDictionary<string, RuleType> schemaTypes,
    Action<string, string, string, DiagnosticSeverity> report,
    List<Diagnostic> diagnostics)
{
    public const string UnknownName = "CCT0121";
    public const string UnresolvedParameter = "CCT0122";
    public const string ParameterType = "CCT0123";
    public const string PaymentModelMistake = "CCT0124";
    public const string CohortTargetMistake = "CCT0125";
    public const string ParticipantFieldMistake = "CCT0126";
    public const string MeasurementPlanMistake = "CCT0127";
    public const string UnboundInput = "CCT0128";
    public const string UnreadParameter = "CCT0129";
    public const string RuleTests = "CCT0130";

    /// <summary>The statuses a cohort member's status field carries.</summary>
    private static readonly string[] Statuses = Enum.GetNames<RuleStatus>();

    /// <summary>Contract parameters the server itself reads when a contract is created (who commissions it, who provides, its title).</summary>
    public static readonly IReadOnlyList<string> ServerReadParameters = ["title", "commissioner.id", "providers[].id"];

    private readonly HashSet<string> _readByManifest = new(StringComparer.Ordinal);

    public void Run()
    {
        CheckInputs();
        CheckPlan();
        CheckParticipantFields();
        CheckPayments();
        CheckCohortTarget();
        CheckDescriptiveParameters();

        // After an error the manifest's own parameters may not have resolved; "unread" would then be its echo.
        if (!_failed)
        {
            CheckUnreadParameters();
        }
    }

    private bool _failed;

    private void Error(string code, string pointer, string message)
    {
        _failed = true;
        report(code, pointer, message, DiagnosticSeverity.Error);
    }

    private void Warning(string code, string pointer, string message) => report(code, pointer, message, DiagnosticSeverity.Warning);

    private SchemaDocument Contract => schemas["contract"];

    private void CheckInputs()
    {
        var planInputs = (manifest.MeasurementPlan?.Points ?? []).Select(p => p.Input ?? p.Id!).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < (manifest.Workflows ?? []).Count; i++)
        {
            var workflow = manifest.Workflows![i];
            var arrays = 0;
            foreach (var (name, type) in workflow.Inputs ?? [])
            {
                var pointer = $"/workflows/{i}/inputs/{name}";
                var participantScope = workflow.Scope == "participant";
                var bound = TemplateWorkflow.SourceOfType(type) switch
                {
                    InputSource.EvaluationDate or InputSource.Contract => true,
                    InputSource.Participant => participantScope,
                    InputSource.Cohort => !participantScope && ++arrays == 1,
                    _ => participantScope && planInputs.Contains(name),
                };
                if (!bound)
                {
                    Error(UnboundInput, pointer, participantScope
                        ? $"Input '{name}' ({type}) of participant workflow '{workflow.Name}' is never given a value: a participant workflow gets date, contract, participant and the measurement of each plan point whose 'input' names it ({string.Join(", ", planInputs)}).{NameSuggestions.Hint(name, planInputs)}"
                        : $"Input '{name}' ({type}) of cohort workflow '{workflow.Name}' is never given a value: a cohort workflow gets date, contract and one array of cohort members.");
                }
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (manifest.Workflows ?? []).Count; i++)
        {
            if (!names.Add(manifest.Workflows![i].Name!))
            {
                Error(UnknownName, $"/workflows/{i}/name", $"Workflow '{manifest.Workflows[i].Name}' is listed twice.");
            }
        }
    }

    private void CheckPlan()
    {
        var points = manifest.MeasurementPlan?.Points ?? [];
        var participantInputs = (manifest.Workflows ?? []).Where(w => w.Scope == "participant")
            .SelectMany(w => w.Inputs ?? []).Where(i => TemplateWorkflow.SourceOfType(i.Value) == InputSource.Measurement)
            .Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < points.Count; i++)
        {
            var input = points[i].Input ?? points[i].Id!;
            if (!participantInputs.Contains(input))
            {
                Error(MeasurementPlanMistake, $"/measurementPlan/points/{i}/input",
                    $"Measurement point '{points[i].Id}' feeds input '{input}', which no participant workflow declares as a measurement input, so its measurements would never be read.{NameSuggestions.Hint(input, participantInputs)}");
            }
        }

        if (schemas.TryGetValue("measurement", out var measurement) && measurement.StringEnum(measurement.Find("point") is { Found: true } step ? step.Node : default) is { } allowed)
        {
            for (var i = 0; i < points.Count; i++)
            {
                if (!allowed.Contains(points[i].Id!))
                {
                    Error(MeasurementPlanMistake, $"/measurementPlan/points/{i}/id",
                        $"Measurement point '{points[i].Id}' is not a value the measurement schema's 'point' allows ({string.Join(", ", allowed)}), so no measurement could ever be recorded for it.{NameSuggestions.Hint(points[i].Id!, allowed)}");
                }
            }
        }
    }

    private void CheckParticipantFields()
    {
        var fields = manifest.ParticipantFields;
        var participant = schemas["participant"];
        void Check(string? field, string role, string pointer, bool date)
        {
            if (field is null)
            {
                return;
            }

            var step = participant.Find(field);
            if (!step.Found)
            {
                Error(ParticipantFieldMistake, pointer, $"participantFields.{role} names '{field}', which the participant schema does not declare.{NameSuggestions.Hint(field, step.Candidates)}");
                return;
            }

            var (node, _) = participant.Resolve(step.Node, step.Pointer);
            var types = SchemaDocument.Types(node);
            if (!types.Contains("string"))
            {
                Error(ParticipantFieldMistake, pointer, $"participantFields.{role} names '{field}', which is {Describe(types)} in the participant schema; it must be a string{(date ? " with format date" : "")}.");
            }
            else if (date && !(node.TryGetProperty("format", out var format) && format.GetString() == "date"))
            {
                Error(ParticipantFieldMistake, pointer, $"participantFields.{role} names '{field}', which is a string without \"format\": \"date\" in the participant schema; a date the platform compares must be one.");
            }
        }

        Check(fields?.ExitDate, "exitDate", "/participantFields/exitDate", date: true);
        Check(fields?.ExitReason, "exitReason", "/participantFields/exitReason", date: false);
    }

    private void CheckPayments()
    {
        var model = manifest.PaymentModel;
        if (model is null)
        {
            return;
        }

        var paid = new HashSet<(string, string)>();
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (model.Payments ?? []).Count; i++)
        {
            var payment = model.Payments![i];
            var pointer = $"/paymentModel/payments/{i}";
            if (!kinds.Add(payment.Kind!))
            {
                Error(PaymentModelMistake, pointer + "/kind", $"Payment kind '{payment.Kind}' is listed twice; each kind is one charge per participant, so the second would replace the first.");
            }

            if (!paid.Add((payment.Workflow!, payment.Rule!)))
            {
                Error(PaymentModelMistake, pointer + "/rule", $"Rule '{payment.Workflow}/{payment.Rule}' is paid twice.");
            }

            if (FindTopLevelRule(payment.Workflow!, payment.Rule!, pointer, "participant") is not { } rule)
            {
                continue;
            }

            if (rule.OnSuccess is not { Kind: RuleActionKind.OutputExpression })
            {
                Error(PaymentModelMistake, pointer + "/rule", $"Payment rule '{payment.Rule}' has no OnSuccess OutputExpression action, so it never produces an amount to pay.");
            }
            else if (OutputType(payment.Workflow!, payment.Rule!) is { } output && !output.IsNumeric && output.Kind != RuleTypeKind.Any)
            {
                Error(PaymentModelMistake, pointer + "/rule", $"Payment rule '{payment.Rule}' outputs {output.DisplayName}, not an amount (a number).");
            }
        }

        var caps = model.Caps;
        if (caps is null)
        {
            return;
        }

        var order = caps.Order ?? [];
        void CheckCap(string cap, string? parameter)
        {
            var pointer = $"/paymentModel/caps/{cap}Parameter";
            if (parameter is null)
            {
                if (order.Contains(cap))
                {
                    Error(PaymentModelMistake, "/paymentModel/caps/order", $"The cap order names '{cap}', but no {cap}Parameter says which contract parameter holds it.");
                }

                return;
            }

            if (!order.Contains(cap))
            {
                Error(PaymentModelMistake, pointer, $"{cap}Parameter is set, but '{cap}' is not in the cap order, so the cap would never apply.");
            }

            CheckMoney(parameter, pointer, $"The {cap} cap");
        }

        CheckCap("perProvider", caps.PerProviderParameter);
        CheckCap("perContract", caps.PerContractParameter);
        if (caps.PerProviderParameter is not null && caps.PerProviderParameter == caps.PerContractParameter)
        {
            Error(PaymentModelMistake, "/paymentModel/caps/perContractParameter", $"Both caps read '{caps.PerContractParameter}'; a per-provider and a per-contract cap are different limits.");
        }
    }

    private void CheckMoney(string parameter, string pointer, string what)
    {
        if (ResolveParameter(parameter, pointer) is not { } step)
        {
            return;
        }

        var types = SchemaDocument.Types(step.Node);
        if (!types.Contains("number") && !types.Contains("integer"))
        {
            Error(ParameterType, pointer, $"{what} reads '{parameter}', which is {Describe(types)} in the contract schema; an amount must be a number.");
        }
        else if (!step.Required)
        {
            Warning(ParameterType, pointer, $"{what} reads '{parameter}', which the contract schema does not require: a contract without it has no such cap.");
        }
    }

    private void CheckCohortTarget()
    {
        var target = manifest.CohortTarget;
        var cohortWorkflows = (manifest.Workflows ?? []).Where(w => w.Scope == "cohort").ToList();
        if (target is null)
        {
            if (cohortWorkflows.Count > 0)
            {
                Error(CohortTargetMistake, "", $"Cohort workflow '{cohortWorkflows[0].Name}' runs, but no cohortTarget says which individual outcome its members carry, so it would always see an empty cohort.");
            }

            return;
        }

        FindTopLevelRule(target.Workflow!, target.Rule!, "/cohortTarget", "cohort");
        if (target.TargetOutcome is { } outcome)
        {
            FindTopLevelRule(outcome.Workflow!, outcome.Rule!, "/cohortTarget/targetOutcome", "participant");
        }

        foreach (var workflow in cohortWorkflows)
        {
            var index = manifest.Workflows!.IndexOf(workflow);
            var (input, type) = (workflow.Inputs ?? []).FirstOrDefault(i => TemplateWorkflow.SourceOfType(i.Value) == InputSource.Cohort);
            if (input is null || !schemas.TryGetValue(type[..^2], out var member))
            {
                continue;
            }

            CheckMember(member, target, $"/workflows/{index}/inputs/{input}");
        }

        if (target.TargetShareParameter is { } share && ResolveParameter(share, "/cohortTarget/targetShareParameter") is { } shareStep)
        {
            var types = SchemaDocument.Types(shareStep.Node);
            var minimum = SchemaDocument.Number(shareStep.Node, "minimum") ?? SchemaDocument.Number(shareStep.Node, "exclusiveMinimum");
            var maximum = SchemaDocument.Number(shareStep.Node, "maximum") ?? SchemaDocument.Number(shareStep.Node, "exclusiveMaximum");
            if (!types.Contains("number"))
            {
                Error(ParameterType, "/cohortTarget/targetShareParameter", $"The target share reads '{share}', which is {Describe(types)} in the contract schema; a share is a number from 0 to 1.");
            }
            else if (minimum is null || minimum < 0 || maximum is null || maximum > 1)
            {
                Error(ParameterType, "/cohortTarget/targetShareParameter",
                    $"The target share reads '{share}', which the contract schema does not bound to 0–1 (minimum {minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, maximum {maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); a contract could then say 50 for 50 % and never reach its target.");
            }
        }

        if (target.ExcludedExitReasonsParameter is { } excluded && ResolveParameter(excluded, "/cohortTarget/excludedExitReasonsParameter") is { } excludedStep)
        {
            CheckExitReasons(excluded, excludedStep);
        }
    }

    private void CheckMember(SchemaDocument member, ManifestCohortTarget target, string inputPointer)
    {
        var status = target.MemberStatusProperty!;
        var supplied = new List<string> { "pseudonym", "providerId", status };
        if (manifest.ParticipantFields?.ExitReason is { } exitReason)
        {
            supplied.Add(exitReason);
        }

        var declared = member.PropertyNames(member.Root);
        var statusStep = member.Find(status);
        if (!statusStep.Found)
        {
            Error(CohortTargetMistake, "/cohortTarget/memberStatusProperty",
                $"Cohort members carry the target outcome's status as '{status}', which the cohort member schema ({member.DisplayPath}) does not declare.{NameSuggestions.Hint(status, declared)}");
        }
        else if (member.StringEnum(statusStep.Node) is { } allowed && Statuses.Except(allowed).ToList() is { Count: > 0 } missing)
        {
            Error(CohortTargetMistake, "/cohortTarget/memberStatusProperty",
                $"The cohort member schema's '{status}' does not allow {string.Join(", ", missing)}, which a participant's status can be.");
        }

        if (member.Root.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()).OfType<string>().Where(r => !supplied.Contains(r)))
            {
                Error(CohortTargetMistake, inputPointer,
                    $"The cohort member schema ({member.DisplayPath}) requires '{name}', which the platform never supplies (it supplies {string.Join(", ", supplied)}).{NameSuggestions.Hint(name, supplied)}");
            }
        }
    }

    private void CheckExitReasons(string parameter, SchemaStep step)
    {
        const string Pointer = "/cohortTarget/excludedExitReasonsParameter";
        var types = SchemaDocument.Types(step.Node);
        var items = step.Node.TryGetProperty("items", out var i) ? Contract.Resolve(i, step.Pointer + "/items").Node : default;
        if (!types.Contains("array") || items.ValueKind != JsonValueKind.Object || !SchemaDocument.Types(items).Contains("string"))
        {
            Error(ParameterType, Pointer, $"The excluded exit reasons read '{parameter}', which is not an array of strings in the contract schema.");
            return;
        }

        if (manifest.ParticipantFields?.ExitReason is not { } field)
        {
            Error(CohortTargetMistake, Pointer, "Excluded exit reasons need participantFields.exitReason: without it no participant has an exit reason to exclude.");
            return;
        }

        var participant = schemas["participant"];
        var reasons = participant.Find(field) is { Found: true } reasonStep ? participant.StringEnum(reasonStep.Node) : null;
        if (reasons is null)
        {
            return;
        }

        var listed = Contract.StringEnum(items);
        if (listed is null)
        {
            Warning(ParameterType, Pointer, $"The excluded exit reasons '{parameter}' are free strings; give its items the participant's exit reasons as an enum ({string.Join(", ", reasons)}) so a misspelt reason is refused.");
            return;
        }

        foreach (var reason in listed.Where(r => !reasons.Contains(r)))
        {
            Error(ParameterType, Pointer, $"The excluded exit reasons allow '{reason}', which is no exit reason of the participant schema, so it would never match.{NameSuggestions.Hint(reason, reasons)}");
        }
    }

    private void CheckDescriptiveParameters()
    {
        for (var i = 0; i < (manifest.DescriptiveParameters ?? []).Count; i++)
        {
            ResolveParameter(manifest.DescriptiveParameters![i], $"/descriptiveParameters/{i}", countAsRead: false);
        }
    }

    /// <summary>
    /// Warns about each contract-schema field that no rule expression, manifest setting or server feature reads and
    /// that is not declared descriptive: a parameter a municipality sets expecting it to govern something must not
    /// be silently ignored. A field counts as read when it, an ancestor read as a whole, or a descendant is read.
    /// </summary>
    private void CheckUnreadParameters()
    {
        if (!schemaTypes.TryGetValue("contract", out var contractType))
        {
            return;
        }

        var facts = workflows.Select(w => w.Facts).OfType<CompilationFacts>().ToList();
        var declared = new HashSet<string>(_readByManifest.Concat(ServerReadParameters).Concat(manifest.DescriptiveParameters ?? []), StringComparer.Ordinal);
        Walk(contractType, "", declared, facts);
    }

    /// <summary>
    /// Returns true when something under <paramref name="type"/> is read; when <paramref name="reportUnread"/>, reports
    /// each topmost unread field below it once.
    /// </summary>
    private bool Walk(RuleType type, string path, HashSet<string> declared, List<CompilationFacts> facts, bool reportUnread = true)
    {
        if (type.Kind == RuleTypeKind.Array && type.ElementType is { } element)
        {
            return Walk(element, path + "[]", declared, facts, reportUnread);
        }

        if (type.Properties is null)
        {
            return false;
        }

        var anyRead = false;
        foreach (var (name, fieldType) in type.Properties)
        {
            var fieldPath = path.Length == 0 ? name : $"{path}.{name}";
            var readHere = declared.Contains(fieldPath) || facts.Any(f => f.WasRead(type, name));
            var below = Walk(fieldType, fieldPath, declared, facts, reportUnread: false);
            if (!readHere && !below)
            {
                if (reportUnread)
                {
                    var step = Contract.Find(fieldPath);
                    diagnostics.Add(new Diagnostic(UnreadParameter, DiagnosticSeverity.Warning,
                        $"Contract parameter '{fieldPath}' is read by no rule, no manifest setting and not by the server, so setting it changes nothing. Read it in a rule, or list it in the manifest's descriptiveParameters if it is there for people only.",
                        Contract.Locate(step.Found ? step.Pointer : "")));
                }

                continue;
            }

            anyRead = true;

            // A field read as a whole (passed on, compared) with none of its own fields named reads all of them;
            // otherwise its unread fields are reported one level down.
            if (below && reportUnread)
            {
                Walk(fieldType, fieldPath, declared, facts, reportUnread: true);
            }
        }

        return anyRead;
    }

    private static bool HasFields(RuleType type) =>
        type.Properties is { Count: > 0 } || (type.Kind == RuleTypeKind.Array && type.ElementType is { } element && HasFields(element));

    private SchemaStep? ResolveParameter(string parameter, string pointer, bool countAsRead = true)
    {
        var step = Contract.Find(parameter);
        if (step.NotAnArray)
        {
            Error(UnresolvedParameter, pointer, $"'{parameter}' steps into '{step.Missing ?? parameter}[]', which is not an array in the contract schema.");
            return null;
        }

        if (!step.Found)
        {
            Error(UnresolvedParameter, pointer,
                $"'{parameter}' names no contract parameter: the contract schema ({Contract.DisplayPath}) has no '{step.Missing}'.{NameSuggestions.Hint(step.Missing!, step.Candidates.Select(c => Sibling(step.Missing!, c)))}");
            return null;
        }

        if (countAsRead)
        {
            _readByManifest.Add(parameter);
        }

        return step;
    }

    /// <summary>The top-level rule <paramref name="rule"/> of <paramref name="workflow"/>, reporting why when there is none.</summary>
    private RuleDefinition? FindTopLevelRule(string workflow, string rule, string pointer, string scope)
    {
        var manifestWorkflow = (manifest.Workflows ?? []).FirstOrDefault(w => w.Name == workflow);
        if (manifestWorkflow is null)
        {
            Error(UnknownName, pointer + "/workflow", $"No workflow of this template is named '{workflow}'.{NameSuggestions.Hint(workflow, (manifest.Workflows ?? []).Select(w => w.Name!))}");
            return null;
        }

        if (manifestWorkflow.Scope != scope)
        {
            Error(UnknownName, pointer + "/workflow", $"Workflow '{workflow}' runs per {manifestWorkflow.Scope}; it must run per {scope} here.");
            return null;
        }

        var rules = TopLevelRules(workflow);
        if (rules.FirstOrDefault(r => r.Name == rule) is { } found)
        {
            if (!found.Enabled)
            {
                Error(UnknownName, pointer + "/rule", $"Rule '{rule}' of workflow '{workflow}' is disabled (\"Enabled\": false), so it is never decided.");
                return null;
            }

            return found;
        }

        var nested = rule.Contains('/', StringComparison.Ordinal) || RuleDefinition.AllOf(rules).Any(r => r.Name == rule);
        Error(UnknownName, pointer + "/rule", nested
            ? $"'{rule}' is a nested rule of workflow '{workflow}'; only its top-level rules are decided, paid and counted."
            : $"Workflow '{workflow}' has no rule '{rule}'.{NameSuggestions.Hint(rule, rules.Select(r => r.Name))}");
        return null;
    }

    /// <summary>The rules a workflow's results have at the top: its own, then those of workflows it injects.</summary>
    private List<RuleDefinition> TopLevelRules(string workflow)
    {
        var result = new List<RuleDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name)
        {
            if (!seen.Add(name) || definitions.FirstOrDefault(d => d.Name == name) is not { } definition)
            {
                return;
            }

            foreach (var injected in definition.WorkflowsToInject)
            {
                Add(injected);
            }

            result.AddRange(definition.Rules);
        }

        Add(workflow);
        return result;
    }

    private RuleType? OutputType(string workflow, string rule) =>
        workflows.FirstOrDefault(w => w.Name == workflow)?.Facts?.SuccessOutputType(workflow, rule);

    /// <summary><paramref name="name"/> beside the last step of <paramref name="path"/>: caps.perProvder, perProvider → caps.perProvider.</summary>
    private static string Sibling(string path, string name) =>
        path.LastIndexOf('.') is var dot and >= 0 ? $"{path[..dot]}.{name}" : name;

    private static string Describe(IReadOnlySet<string> types) => types.Count == 0 ? "untyped" : string.Join(" or ", types.Order(StringComparer.Ordinal));
}
