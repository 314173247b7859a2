using System.Text;
using System.Text.Json;
using ConfigurableContracts.Rules.Syntax;

namespace ConfigurableContracts.Rules.Workflows;

/// <summary>The workflows of one file and everything found wrong with it.</summary>
public sealed record WorkflowReadResult(IReadOnlyList<WorkflowDefinition> Workflows, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>Any error at all: a template with one is not loaded.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>
    /// Errors that belong to no rule's <see cref="RuleDefinition.ReadErrors"/>: the file (or a workflow in it) is not
    /// readable as a whole. Without them the workflows can run, each faulty rule reporting its own Error.
    /// </summary>
    public bool HasFileErrors
    {
        get
        {
            var ruleErrors = new HashSet<Diagnostic>(
                Workflows.SelectMany(w => RuleDefinition.AllOf(w.Rules)).SelectMany(r => r.ReadErrors), ReferenceEqualityComparer.Instance);
            return Diagnostics.Any(d => d.IsError && !ruleErrors.Contains(d));
        }
    }
}

/// <summary>
/// Reads RulesEngine workflow files (one workflow object or an array of them) into <see cref="WorkflowDefinition"/>s,
/// keeping the file position of every part. Nothing is silently dropped: unknown fields are warnings, legacy fields
/// (ErrorType, WorkflowRulesToInject) are accepted with a warning, and malformed parts are errors with locations.
/// </summary>
public static class WorkflowReader
{
    /// <summary>Larger files are refused before parsing: a rule file is hand-written, megabytes mean a mistake or an attack.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>Deeper JSON is refused by the parser itself, so no later recursion can overflow the stack.</summary>
    public const int MaxJsonDepth = 64;

    /// <summary>Longest accepted expression, in characters.</summary>
    public const int MaxExpressionLength = 10_000;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = MaxJsonDepth,
    };

    /// <summary>Reads the workflow file at <paramref name="path"/> from disk.</summary>
    public static WorkflowReadResult ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxFileBytes)
            return new WorkflowReadResult([], [TooLarge(path, info.Length)]);
        return Read(path, File.ReadAllText(path));
    }

    /// <summary>Reads workflow JSON <paramref name="text"/>; <paramref name="path"/> is only used in locations.</summary>
    public static WorkflowReadResult Read(string path, string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        if (utf8.Length > MaxFileBytes) return new WorkflowReadResult([], [TooLarge(path, utf8.Length)]);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions
            {
                AllowTrailingCommas = ReaderOptions.AllowTrailingCommas,
                CommentHandling = ReaderOptions.CommentHandling,
                MaxDepth = ReaderOptions.MaxDepth,
            });
        }
        catch (JsonException e)
        {
            var error = JsonSyntaxError.Describe(utf8, ReaderOptions, e);
            var code = error.Kind == JsonSyntaxErrorKind.TooDeep ? DiagnosticCodes.NestingTooDeep : DiagnosticCodes.InvalidJson;
            return new WorkflowReadResult([], [new Diagnostic(code, DiagnosticSeverity.Error, error.Message, new SourceLocation(path, error.Line, error.Column))]);
        }

        using (document)
        {
            var reader = new FileReader(JsonPositions.Index(path, utf8, ReaderOptions));
            var root = document.RootElement;
            var workflows = new List<WorkflowDefinition>();
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    reader.AddWorkflow(workflows, root, "", isRoot: true);
                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var element in root.EnumerateArray()) reader.AddWorkflow(workflows, element, "/" + index++, isRoot: false);
                    if (index == 0) reader.Report(DiagnosticCodes.EmptyWorkflow, DiagnosticSeverity.Warning, "The file contains no workflows.", reader.Positions.ValueLocation(""));
                    break;
                default:
                    reader.Report(DiagnosticCodes.InvalidRoot, DiagnosticSeverity.Error,
                        "A workflow file must hold a workflow object or an array of workflows.", reader.Positions.ValueLocation(""));
                    break;
            }
            reader.CheckDuplicateWorkflows(workflows);
            return new WorkflowReadResult(workflows, reader.Diagnostics);
        }
    }

    private static Diagnostic TooLarge(string path, long length) => new(DiagnosticCodes.FileTooLarge, DiagnosticSeverity.Error,
        $"The file is {length} bytes; workflow files may be at most {MaxFileBytes} bytes.", new SourceLocation(path, 1, 1));

    /// <summary>Reading state for one file: its positions and the diagnostics found so far.</summary>
    private sealed class FileReader(JsonPositions positions)
    {
        private static readonly string[] WorkflowFields = ["WorkflowName", "WorkflowsToInject", "GlobalParams", "Rules", "RuleExpressionType"];
        private static readonly string[] RuleFields =
            ["RuleName", "Expression", "RuleExpressionType", "Operator", "Rules", "LocalParams", "ErrorMessage", "SuccessEvent", "Enabled", "Properties", "Actions"];
        private static readonly string[] ParamFields = ["Name", "Expression"];
        private static readonly string[] ActionsFields = ["OnSuccess", "OnFailure"];
        private static readonly string[] ActionFields = ["Name", "Context"];

        public JsonPositions Positions { get; } = positions;

        public List<Diagnostic> Diagnostics { get; } = [];

        public void Report(string code, DiagnosticSeverity severity, string message, SourceLocation location, string? ruleName = null) =>
            Diagnostics.Add(new Diagnostic(code, severity, message, location, ruleName));

        private void Error(string code, string message, string pointer, string? ruleName = null) =>
            Report(code, DiagnosticSeverity.Error, message, Positions.ValueLocation(pointer), ruleName);

        /// <summary>Fields of an object by canonical name (matched case-insensitively, as RulesEngine's deserializer does).</summary>
        private Dictionary<string, (JsonElement Value, string Pointer)> Fields(
            JsonElement element, string pointer, string[] known, string what, Dictionary<string, string>? legacy = null, bool allowSchema = false)
        {
            var fields = new Dictionary<string, (JsonElement, string)>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                var childPointer = pointer + "/" + JsonPositions.Escape(property.Name);
                var canonical = known.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
                if (canonical is not null)
                {
                    fields[canonical] = (property.Value, childPointer);
                }
                else if (legacy is not null && legacy.TryGetValue(property.Name, out var advice))
                {
                    fields[property.Name] = (property.Value, childPointer);
                    Report(DiagnosticCodes.LegacyField, DiagnosticSeverity.Warning, $"'{property.Name}' is a legacy RulesEngine field: {advice}",
                        Positions.NameLocation(childPointer));
                }
                else if (!(allowSchema && property.Name == "$schema"))
                {
                    var hint = Binding.NameSuggestions.Hint(property.Name, known);
                    Report(DiagnosticCodes.UnknownField, DiagnosticSeverity.Warning, $"Unknown field '{property.Name}' in {what} is ignored.{hint}",
                        Positions.NameLocation(childPointer));
                }
            }
            return fields;
        }

        private string? String(Dictionary<string, (JsonElement Value, string Pointer)> fields, string name, bool required, string owner, string pointer, string? ruleName = null)
        {
            if (!fields.TryGetValue(name, out var field) || field.Value.ValueKind == JsonValueKind.Null)
            {
                if (required) Error(DiagnosticCodes.MissingField, $"{owner} needs a '{name}'.", pointer, ruleName);
                return null;
            }
            if (field.Value.ValueKind == JsonValueKind.String) return field.Value.GetString();
            Error(DiagnosticCodes.WrongFieldType, $"'{name}' must be a string, not {Kind(field.Value)}.", field.Pointer, ruleName);
            return null;
        }

        private static string Kind(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };

        private IEnumerable<(JsonElement Value, string Pointer)> Array(
            Dictionary<string, (JsonElement Value, string Pointer)> fields, string name, string? ruleName = null)
        {
            if (!fields.TryGetValue(name, out var field) || field.Value.ValueKind == JsonValueKind.Null) yield break;
            if (field.Value.ValueKind != JsonValueKind.Array)
            {
                Error(DiagnosticCodes.WrongFieldType, $"'{name}' must be an array, not {Kind(field.Value)}.", field.Pointer, ruleName);
                yield break;
            }
            var index = 0;
            foreach (var item in field.Value.EnumerateArray()) yield return (item, field.Pointer + "/" + index++);
        }

        private ExpressionSource Expression(string text, string pointer) =>
            new(text, offset => Positions.StringLocation(pointer, offset));

        private ExpressionSource? ExpressionField(
            Dictionary<string, (JsonElement Value, string Pointer)> fields, string name, bool required, string owner, string pointer, string? ruleName)
        {
            var text = String(fields, name, required, owner, pointer, ruleName);
            if (text is null) return null;
            var fieldPointer = fields[name].Pointer;
            if (text.Length > MaxExpressionLength)
            {
                Error(DiagnosticCodes.ExpressionTooLong, $"The expression is {text.Length} characters long; at most {MaxExpressionLength} are allowed.", fieldPointer, ruleName);
                return null;
            }
            return Expression(text, fieldPointer);
        }

        public void AddWorkflow(List<WorkflowDefinition> workflows, JsonElement element, string pointer, bool isRoot)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                Error(DiagnosticCodes.WrongFieldType, $"A workflow must be an object, not {Kind(element)}.", pointer);
                return;
            }
            var legacy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["WorkflowRulesToInject"] = "use 'WorkflowsToInject'; read as such.",
            };
            var fields = Fields(element, pointer, WorkflowFields, "a workflow", legacy, allowSchema: isRoot);
            var name = String(fields, "WorkflowName", required: true, "A workflow", pointer);
            CheckExpressionType(fields, null);

            var inject = new List<string>();
            foreach (var key in new[] { "WorkflowsToInject", "WorkflowRulesToInject" })
            {
                var found = fields.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
                if (found is null) continue;
                foreach (var (item, itemPointer) in Array(fields, found))
                {
                    if (item.ValueKind == JsonValueKind.String) inject.Add(item.GetString()!);
                    else Error(DiagnosticCodes.WrongFieldType, $"Workflow names to inject must be strings, not {Kind(item)}.", itemPointer);
                }
            }

            var globals = Params(fields, "GlobalParams", null);
            if (!fields.ContainsKey("Rules")) Error(DiagnosticCodes.MissingField, "A workflow needs 'Rules'.", pointer);
            var rules = Rules(fields, "Rules", parentName: null);
            if (name is null) return;
            workflows.Add(new WorkflowDefinition
            {
                Name = name,
                WorkflowsToInject = inject,
                GlobalParams = globals,
                Rules = rules,
                Location = Positions.ValueLocation(pointer),
                Source = element.Clone(),
            });
        }

        private void CheckExpressionType(Dictionary<string, (JsonElement Value, string Pointer)> fields, string? ruleName)
        {
            var type = String(fields, "RuleExpressionType", required: false, "", "", ruleName);
            if (type is not null && !string.Equals(type, "LambdaExpression", StringComparison.OrdinalIgnoreCase))
                Error(DiagnosticCodes.InvalidExpressionType, $"RuleExpressionType '{type}' is not supported; only 'LambdaExpression' exists.",
                    fields["RuleExpressionType"].Pointer, ruleName);
        }

        private List<ScopedParamDefinition> Params(Dictionary<string, (JsonElement Value, string Pointer)> fields, string name, string? ruleName)
        {
            var result = new List<ScopedParamDefinition>();
            foreach (var (item, pointer) in Array(fields, name, ruleName))
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Error(DiagnosticCodes.WrongFieldType, $"Each of '{name}' must be an object with Name and Expression.", pointer, ruleName);
                    continue;
                }
                var paramFields = Fields(item, pointer, ParamFields, "a parameter");
                var paramName = String(paramFields, "Name", required: true, "A parameter", pointer, ruleName);
                var expression = ExpressionField(paramFields, "Expression", required: true, "A parameter", pointer, ruleName);
                if (paramName is null || expression is null) continue;
                if (result.Any(p => p.Name == paramName))
                    Error(DiagnosticCodes.DuplicateParam, $"Parameter '{paramName}' is defined twice.", pointer, ruleName);
                result.Add(new ScopedParamDefinition(paramName, expression, Positions.ValueLocation(pointer)));
            }
            return result;
        }

        private List<RuleDefinition> Rules(Dictionary<string, (JsonElement Value, string Pointer)> fields, string name, string? parentName)
        {
            var rules = new List<RuleDefinition>();
            foreach (var (item, pointer) in Array(fields, name, parentName))
            {
                var rule = Rule(item, pointer);
                if (rule is null) continue;
                if (rules.Any(r => r.Name == rule.Name))
                {
                    Error(DiagnosticCodes.DuplicateRule, $"Rule name '{rule.Name}' is used twice; results are reported by name, so names must be unique.", pointer, rule.Name);
                    rule = rule with { ReadErrors = [.. rule.ReadErrors, Diagnostics[^1]] };
                }
                rules.Add(rule);
            }
            return rules;
        }

        private RuleDefinition? Rule(JsonElement element, string pointer)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                Error(DiagnosticCodes.WrongFieldType, $"A rule must be an object, not {Kind(element)}.", pointer);
                return null;
            }
            var legacy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["ErrorType"] = "ignored; a rule that fails is NotAchieved, one that cannot run is Error.",
                ["WorkflowsToInject"] = "ignored on rules; inject workflows at workflow level.",
                ["WorkflowRulesToInject"] = "ignored on rules; inject workflows at workflow level.",
            };
            var start = Diagnostics.Count;
            var fields = Fields(element, pointer, RuleFields, "a rule", legacy);
            var name = String(fields, "RuleName", required: true, "A rule", pointer);
            CheckExpressionType(fields, name);

            RuleOperator? op = null;
            var operatorText = String(fields, "Operator", required: false, "A rule", pointer, name);
            if (operatorText is not null)
            {
                op = operatorText.ToUpperInvariant() switch
                {
                    "AND" or "ANDALSO" => RuleOperator.And,
                    "OR" or "ORELSE" => RuleOperator.Or,
                    _ => null,
                };
                if (op is null)
                    Error(DiagnosticCodes.InvalidOperator, $"Operator '{operatorText}' is not one of And, AndAlso, Or, OrElse.", fields["Operator"].Pointer, name);
            }

            var children = Rules(fields, "Rules", name);
            var hasChildren = fields.ContainsKey("Rules");
            ExpressionSource? expression = null;
            if (operatorText is not null)
            {
                if (children.Count == 0 && !hasChildren)
                    Error(DiagnosticCodes.ExpressionAndChildren, "A rule with an Operator needs nested 'Rules'.", pointer, name);
                if (fields.TryGetValue("Expression", out var ignored))
                    Report(DiagnosticCodes.ExpressionAndChildren, DiagnosticSeverity.Warning,
                        "The Expression of a rule with an Operator is ignored; its nested Rules decide.", Positions.ValueLocation(ignored.Pointer), name);
            }
            else
            {
                if (hasChildren)
                    Error(DiagnosticCodes.ExpressionAndChildren, "Nested 'Rules' need an 'Operator' (And, AndAlso, Or, OrElse).", fields["Rules"].Pointer, name);
                expression = ExpressionField(fields, "Expression", required: true, "A rule", pointer, name);
            }

            var enabled = true;
            if (fields.TryGetValue("Enabled", out var enabledField))
            {
                if (enabledField.Value.ValueKind is JsonValueKind.True or JsonValueKind.False) enabled = enabledField.Value.GetBoolean();
                else Error(DiagnosticCodes.WrongFieldType, $"'Enabled' must be true or false, not {Kind(enabledField.Value)}.", enabledField.Pointer, name);
            }

            JsonElement? properties = null;
            if (fields.TryGetValue("Properties", out var propertiesField) && propertiesField.Value.ValueKind != JsonValueKind.Null)
            {
                if (propertiesField.Value.ValueKind == JsonValueKind.Object) properties = propertiesField.Value.Clone();
                else Error(DiagnosticCodes.WrongFieldType, $"'Properties' must be an object, not {Kind(propertiesField.Value)}.", propertiesField.Pointer, name);
            }

            RuleActionDefinition? onSuccess = null, onFailure = null;
            if (fields.TryGetValue("Actions", out var actions) && actions.Value.ValueKind != JsonValueKind.Null)
            {
                if (actions.Value.ValueKind != JsonValueKind.Object)
                {
                    Error(DiagnosticCodes.WrongFieldType, $"'Actions' must be an object, not {Kind(actions.Value)}.", actions.Pointer, name);
                }
                else
                {
                    var actionFields = Fields(actions.Value, actions.Pointer, ActionsFields, "Actions");
                    onSuccess = Action(actionFields, "OnSuccess", name);
                    onFailure = Action(actionFields, "OnFailure", name);
                }
            }

            var localParams = Params(fields, "LocalParams", name);
            var errorMessage = String(fields, "ErrorMessage", required: false, "A rule", pointer, name);
            var successEvent = String(fields, "SuccessEvent", required: false, "A rule", pointer, name);
            if (name is null) return null;

            // Errors found since this rule began belong to it, except those its nested rules already hold: eval can
            // then report this rule as Error and run the others, where a file-wide error would stop them all.
            var ofChildren = new HashSet<Diagnostic>(RuleDefinition.AllOf(children).SelectMany(c => c.ReadErrors), ReferenceEqualityComparer.Instance);
            var own = Diagnostics.Skip(start).Where(d => d.IsError && !ofChildren.Contains(d)).ToList();
            return new RuleDefinition
            {
                Name = name,
                Expression = expression,
                Operator = op,
                Rules = children,
                LocalParams = localParams,
                ErrorMessage = errorMessage,
                SuccessEvent = successEvent,
                Enabled = enabled,
                Properties = properties,
                OnSuccess = onSuccess,
                OnFailure = onFailure,
                Location = Positions.ValueLocation(pointer),
                ReadErrors = own,
            };
        }

        private RuleActionDefinition? Action(Dictionary<string, (JsonElement Value, string Pointer)> fields, string name, string? ruleName)
        {
            if (!fields.TryGetValue(name, out var field) || field.Value.ValueKind == JsonValueKind.Null) return null;
            if (field.Value.ValueKind != JsonValueKind.Object)
            {
                Error(DiagnosticCodes.WrongFieldType, $"'{name}' must be an object with Name and Context.", field.Pointer, ruleName);
                return null;
            }
            var actionFields = Fields(field.Value, field.Pointer, ActionFields, "an action");
            var actionName = String(actionFields, "Name", required: true, "An action", field.Pointer, ruleName);
            if (actionName is null) return null;
            var context = actionFields.TryGetValue("Context", out var c) && c.Value.ValueKind == JsonValueKind.Object ? c : default;
            if (context.Pointer is null)
            {
                Error(DiagnosticCodes.MissingField, $"Action '{actionName}' needs a 'Context' object.", field.Pointer, ruleName);
                return null;
            }
            var location = Positions.ValueLocation(field.Pointer);
            switch (actionName)
            {
                case "OutputExpression":
                {
                    var contextFields = Fields(context.Value, context.Pointer, ["Expression"], "an OutputExpression context");
                    var expression = ExpressionField(contextFields, "Expression", required: true, "OutputExpression's Context", context.Pointer, ruleName);
                    return expression is null ? null : new RuleActionDefinition { Kind = RuleActionKind.OutputExpression, Expression = expression, Location = location };
                }
                case "EvaluateRule":
                {
                    var contextFields = Fields(context.Value, context.Pointer, ["workflowName", "ruleName", "inputFilter", "additionalInputs"], "an EvaluateRule context");
                    var workflowName = String(contextFields, "workflowName", required: true, "EvaluateRule's Context", context.Pointer, ruleName);
                    var targetRule = String(contextFields, "ruleName", required: true, "EvaluateRule's Context", context.Pointer, ruleName);
                    List<string>? filter = null;
                    if (contextFields.ContainsKey("inputFilter"))
                    {
                        filter = [];
                        foreach (var (item, itemPointer) in Array(contextFields, "inputFilter", ruleName))
                        {
                            if (item.ValueKind == JsonValueKind.String) filter.Add(item.GetString()!);
                            else Error(DiagnosticCodes.WrongFieldType, "inputFilter holds input names (strings).", itemPointer, ruleName);
                        }
                    }
                    var additional = Params(contextFields, "additionalInputs", ruleName);
                    if (workflowName is null || targetRule is null) return null;
                    return new RuleActionDefinition
                    {
                        Kind = RuleActionKind.EvaluateRule,
                        WorkflowName = workflowName,
                        RuleName = targetRule,
                        InputFilter = filter,
                        AdditionalInputs = additional,
                        Location = location,
                    };
                }
                default:
                    Error(DiagnosticCodes.UnknownAction,
                        $"Action '{actionName}' is not available; the built-in actions are OutputExpression and EvaluateRule.{Binding.NameSuggestions.Hint(actionName, ["OutputExpression", "EvaluateRule"])}",
                        actionFields["Name"].Pointer, ruleName);
                    return null;
            }
        }

        public void CheckDuplicateWorkflows(List<WorkflowDefinition> workflows)
        {
            foreach (var group in workflows.GroupBy(w => w.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
                foreach (var duplicate in group.Skip(1))
                    Report(DiagnosticCodes.DuplicateWorkflow, DiagnosticSeverity.Error, $"Workflow '{group.Key}' is defined more than once.", duplicate.Location);
        }
    }
}
