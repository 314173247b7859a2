using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

/// <summary>
/// The template safety net, measured: plausible mistakes a municipality's designer makes while adapting the shipped
/// template — in the manifest, the schemas, the rules, the functions and the rule tests — each made on a fresh copy
/// of the repository. Every one must be caught by <c>contracts validate</c> or by <c>contracts test</c> run as a
/// designer's CI runs it (<c>--require-coverage --warnings-as-errors</c>, as docs/writing-templates.md recommends);
/// none may pass as a template that silently pays or decides differently.
/// </summary>
public sealed class DesignerMistakeTests
{
    private const string Manifest = "schemas/preventive-youth-support/template.json";
    private const string Contract = "schemas/preventive-youth-support/contract.schema.json";
    private const string Participant = "schemas/preventive-youth-support/participant.schema.json";
    private const string Measurement = "schemas/preventive-youth-support/measurement.schema.json";
    private const string Member = "schemas/preventive-youth-support/cohort-member.schema.json";
    private const string Individual = "rules/preventive-youth-support/individual-outcomes.json";
    private const string Cohort = "rules/preventive-youth-support/cohort-target.json";
    private const string Functions = "rules/preventive-youth-support/functions.js";
    private const string IndividualTests = "rules/preventive-youth-support/tests/individual-outcomes.tests.json";
    private const string CohortTests = "rules/preventive-youth-support/tests/cohort-target.tests.json";

    /// <summary>Name, file, text to change (its first occurrence), what the designer wrote instead.</summary>
    public static TheoryData<string, string, string, string> Mistakes() => new()
    {
        // The manifest: names, paths, types and settings that can only be mistakes.
        { "cap path misspelt", Manifest, "\"caps.perProvider\"", "\"caps.perProvder\"" },
        { "caps key misspelt", Manifest, "\"caps\": {", "\"cap\": {" },
        { "target share parameter misspelt", Manifest, "\"targetShareParameter\": \"targetShare\"", "\"targetShareParameter\": \"targetShar\"" },
        { "offset months as a string", Manifest, "\"offsetMonths\": 3", "\"offsetMonths\": \"3\"" },
        { "payment rule misspelt", Manifest, "\"rule\": \"ActivityPayment\"", "\"rule\": \"ActivityPaymnt\"" },
        { "cohort workflow misspelt", Manifest, "\"workflow\": \"CohortTarget\",\n    \"rule\"", "\"workflow\": \"CohortTargt\",\n    \"rule\"" },
        { "payment kind twice", Manifest, "\"kind\": \"outcome\"", "\"kind\": \"activity\"" },
        { "payment kind capitalised", Manifest, "\"kind\": \"outcome\"", "\"kind\": \"Outcome\"" },
        { "one rule paid twice", Manifest, "\"rule\": \"OutcomePayment\"", "\"rule\": \"ActivityPayment\"" },
        { "both caps on one path", Manifest, "\"perContractParameter\": \"caps.perContract\"", "\"perContractParameter\": \"caps.perProvider\"" },
        { "cap left out of the order", Manifest, "\"order\": [\"perProvider\", \"perContract\"]", "\"order\": [\"perProvider\"]" },
        { "cap in the order without its parameter", Manifest, "\"perContractParameter\": \"caps.perContract\",", "" },
        { "member status field misspelt", Manifest, "\"memberStatusProperty\": \"brokeNegativeDevelopment\"", "\"memberStatusProperty\": \"brokeNegativeDevelopmnt\"" },
        { "target outcome renamed", Manifest, "\"rule\": \"BrokeNegativeDevelopment\" }", "\"rule\": \"BrokeNegativeDevelopmnt\" }" },
        { "target outcome a nested rule", Manifest, "\"rule\": \"BrokeNegativeDevelopment\" }", "\"rule\": \"BrokeNegativeDevelopment/NoNewPoliceReports\" }" },
        { "plan point input misspelt", Manifest, "\"input\": \"followUp6\"", "\"input\": \"followUp06\"" },
        { "plan point id twice", Manifest, "\"id\": \"followUp6\"", "\"id\": \"followUp3\"" },
        { "workflow file misspelt", Manifest, "\"file\": \"cohort-target.json\"", "\"file\": \"cohort-targets.json\"" },
        { "cohort workflow run per participant", Manifest, "\"scope\": \"cohort\"", "\"scope\": \"participant\"" },
        { "input of an unknown schema", Manifest, "\"cohort\": \"cohortMember[]\"", "\"cohort\": \"cohortmember[]\"" },
        { "measurement input type misspelt", Manifest, "\"followUp6\": \"measurement\"", "\"followUp6\": \"measurment\"" },
        { "schema file misspelt", Manifest, "\"contract\": \"contract.schema.json\"", "\"contract\": \"contracts.schema.json\"" },
        { "tests folder misspelt", Manifest, "\"tests\": \"tests\"", "\"tests\": \"test\"" },
        { "functions file misspelt", Manifest, "\"functions\": \"functions.js\"", "\"functions\": \"function.js\"" },
        { "version not semantic", Manifest, "\"version\": \"1.1.0\"", "\"version\": \"1.1\"" },
        { "currency not ISO 4217", Manifest, "\"currency\": \"SEK\"", "\"currency\": \"kr\"" },
        { "target share read from an amount", Manifest, "\"targetShareParameter\": \"targetShare\"", "\"targetShareParameter\": \"caps.perContract\"" },
        { "excluded exit reasons misspelt", Manifest, "\"excludedExitReasonsParameter\": \"excludedExitReasons\"", "\"excludedExitReasonsParameter\": \"excludedExitReason\"" },
        { "exit reason field misspelt", Manifest, "\"exitReason\": \"exitReason\" }", "\"exitReason\": \"exitReasons\" }" },
        { "exit date field not a date", Manifest, "\"exitDate\": \"exitDate\"", "\"exitDate\": \"schoolYear\"" },
        { "descriptive parameter misspelt", Manifest, "\"providers[].intervention\"", "\"providers[].interventions\"" },
        { "descriptive parameter forgotten", Manifest, "\"providers[].intervention\",\n    \"targetGroup.description\"", "\"providers[].intervention\"" },
        { "payment rule without an amount", Manifest, "\"rule\": \"OutcomePayment\"", "\"rule\": \"Eligible\"" },
        { "payment from the cohort workflow", Manifest, "{ \"kind\": \"outcome\", \"workflow\": \"IndividualOutcomes\"", "{ \"kind\": \"outcome\", \"workflow\": \"CohortTarget\"" },
        { "unknown manifest field", Manifest, "\"origin\":", "\"orign\":" },
        { "id differs from the folder", Manifest, "\"id\": \"preventive-youth-support\"", "\"id\": \"preventive-youth\"" },

        // The schemas the manifest and the rules rely on.
        { "cap parameter renamed in the contract schema", Contract, "\"perContract\": {", "\"perContractCap\": {" },
        { "target share renamed in the contract schema", Contract, "\"targetShare\": {", "\"targetShareOf\": {" },
        { "target share not bounded to 1", Contract, "\"exclusiveMinimum\": 0,\n      \"maximum\": 1,\n      \"default\": 0.5", "\"exclusiveMinimum\": 0,\n      \"maximum\": 100,\n      \"default\": 0.5" },
        { "cap typed as a string", Contract, "\"perContract\": { \"description\": \"Most the contract pays in total, in SEK.\", \"type\": \"number\"", "\"perContract\": { \"description\": \"Most the contract pays in total, in SEK.\", \"type\": \"string\"" },
        { "parameter nothing reads", Contract, "\"targetShare\": {", "\"bonusPerParticipant\": { \"type\": \"number\" },\n    \"targetShare\": {" },
        { "excluded exit reason misspelt", Contract, "\"moved-away\"", "\"moved-awy\"" },
        { "exit reason renamed in the participant schema", Participant, "\"exitReason\": { \"$ref\"", "\"exitReasons\": { \"$ref\"" },
        { "exit date loses its format", Participant, "\"type\": \"string\",\n      \"format\": \"date\"\n    },\n    \"exitReason\"", "\"type\": \"string\"\n    },\n    \"exitReason\"" },
        { "school year typed as a string", Participant, "\"schoolYear\": { \"description\": \"The participant's school year (årskurs) at enrolment.\", \"type\": \"integer\"", "\"schoolYear\": { \"description\": \"The participant's school year (årskurs) at enrolment.\", \"type\": \"string\"" },
        { "member status field renamed", Member, "\"brokeNegativeDevelopment\": {", "\"brokeNegativeDevelopmnt\": {" },
        { "member status lacks a status", Member, "\"enum\": [\"Achieved\", \"NotAchieved\", \"NotEvaluable\", \"Error\"]", "\"enum\": [\"Achieved\", \"NotAchieved\", \"Error\"]" },
        { "measurement point misspelt in its schema", Measurement, "\"followUp6\"]", "\"followup6\"]" },
        { "remote $ref", Participant, "\"$ref\": \"#/definitions/exitReason\"", "\"$ref\": \"https://example.org/exit-reason.json\"" },
        { "schema cut off", Member, "\"Error\"]", "\"Error\"" },

        // The rules: names, types and the logic the rule tests must catch.
        { "engagement threshold off by one", Individual, "\"followUp3.sessionsAttended >= criteria.minimumSessionsBy3Months\"", "\"followUp3.sessionsAttended > criteria.minimumSessionsBy3Months\"" },
        { "police reports tolerated", Individual, "\"followUp6.newPoliceReports == 0\"", "\"followUp6.newPoliceReports <= 1\"" },
        { "parameter group misspelt", Individual, "\"contract.outcomeCriteria\"", "\"contract.outcomeCriterias\"" },
        { "activity paid at the outcome price", Individual, ".prices.activityPayment\"", ".prices.outcomePayment\"" },
        { "payment rule renamed", Individual, "\"RuleName\": \"OutcomePayment\"", "\"RuleName\": \"OutcomePayments\"" },
        { "last school year left out", Individual, "participant.schoolYear <= contract.targetGroup.schoolYears.max", "participant.schoolYear < contract.targetGroup.schoolYears.max" },
        { "last day of the period left out", Individual, "participant.enrolmentDate <= contract.period.end", "participant.enrolmentDate < contract.period.end" },
        { "behaviour or attendance made both", Individual, "\"Operator\": \"OrElse\"", "\"Operator\": \"AndAlso\"" },
        { "all conditions made any", Individual, "\"Operator\": \"AndAlso\"", "\"Operator\": \"OrElse\"" },
        { "attendance threshold off by one", Individual, "\"attendanceChangePoints >= criteria.attendanceIncreasePoints\"", "\"attendanceChangePoints > criteria.attendanceIncreasePoints\"" },
        { "target share reached only above it", Cohort, "achievedShare >= contract.targetShare\"", "achievedShare > contract.targetShare\"" },
        { "denominator floor wrong", Cohort, "Math.Max(denominator, 1)", "Math.Max(denominator, 2)" },
        { "excluded exits counted instead", Cohort, "|| !contract.excludedExitReasons.Contains(m.exitReason)", "|| contract.excludedExitReasons.Contains(m.exitReason)" },
        { "status value misspelt", Cohort, "== \\\"Achieved\\\"", "== \\\"Achived\\\"" },
        { "rule reads an unknown field", Cohort, "\"denominator > 0\"", "\"contract.targetShar > 0\"" },

        // The functions.
        { "relative change divided by the later value", Functions, "return (later - baseline) / baseline;", "return (later - baseline) / later;" },
        { "function renamed", Functions, "function relativeChange(", "function relativeChang(" },
        { "function syntax error", Functions, "if (baseline === 0) {", "if (baseline === 0) {{" },
        { "function uses a feature the sandbox refuses", Functions, "if (baseline === null || later === null)", "if (baseline === null || later === null || later === 10n)" },

        // The rule tests themselves.
        { "expected status misspelt", IndividualTests, "\"Eligible\": \"Achieved\"", "\"Eligible\": \"Achived\"" },
        { "test input of the wrong type", IndividualTests, "\"schoolYear\": 7", "\"schoolYear\": \"7\"" },
        { "test input enum misspelt", IndividualTests, "\"referralSource\": \"school\"", "\"referralSource\": \"scool\"" },
        { "test input field misspelt", IndividualTests, "\"schoolYear\": 7", "\"schoolYeer\": 7" },
        { "test workflow misspelt", IndividualTests, "\"workflow\": \"IndividualOutcomes\"", "\"workflow\": \"IndividualOutcome\"" },
        { "expected amount wrong", IndividualTests, "\"output\": 22000", "\"output\": 2200" },
        { "test date not ISO", IndividualTests, "\"asOf\": \"2022-05-01\"", "\"asOf\": \"2022-5-1\"" },
        { "case expects nothing", CohortTests, "\"expect\": {", "\"expect\": {}, \"unused\": {" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Mistake_IsCaught_ByValidateOrTest(string mistake, string file, string original, string replacement)
    {
        using var repository = RepositoryCopy.Create();
        repository.ReplaceFirst(file, original, replacement);

        var validate = Invoke(ValidateCommand.Create(), "validate", repository.Root, "--template", "preventive-youth-support");
        var test = Invoke(TestCommand.Create(), "test", repository.Root, "--template", "preventive-youth-support", "--require-coverage", "--warnings-as-errors");

        Assert.True(validate.ExitCode != 0 || test.ExitCode != 0,
            $"'{mistake}' ({file}) passed both commands.\nvalidate:\n{validate.Output}\ntest:\n{test.Output}");
    }

    [Fact]
    public void Mistakes_AreAtLeastSixty_AcrossEveryKindOfTemplateFile()
    {
        var files = Mistakes().Select(row => (string)row[1]).ToList();

        Assert.True(files.Count >= 60, $"{files.Count} mistakes");
        Assert.All(new[] { Manifest, Contract, Participant, Member, Individual, Cohort, Functions, IndividualTests }, file => Assert.Contains(file, files));
    }

    [Fact]
    public void UnchangedCopy_PassesBothCommands_SoEveryCatchAboveIsTheMistakes()
    {
        using var repository = RepositoryCopy.Create();

        Assert.Equal(0, Invoke(ValidateCommand.Create(), "validate", repository.Root, "--template", "preventive-youth-support").ExitCode);
        Assert.Equal(0, Invoke(TestCommand.Create(), "test", repository.Root, "--template", "preventive-youth-support", "--require-coverage", "--warnings-as-errors").ExitCode);
    }

    private static (int ExitCode, string Output) Invoke(Command command, params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(command);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output + error.ToString());
    }
}
