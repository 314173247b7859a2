namespace ConfigurableContracts.Rules;

/// <summary>
/// The stable diagnostic codes of the rule engine (CCR0001–CCR0399). Each is documented with an example in
/// docs/rules-diagnostics.md; never reuse or renumber a code, add new ones at the end of their range.
/// </summary>
public static class DiagnosticCodes
{
    // Workflow files (reader): 0001–0099.
    public const string InvalidJson = "CCR0001";
    public const string FileTooLarge = "CCR0002";
    public const string NestingTooDeep = "CCR0003";
    public const string InvalidRoot = "CCR0004";
    public const string MissingField = "CCR0005";
    public const string WrongFieldType = "CCR0006";
    public const string UnknownField = "CCR0007";
    public const string LegacyField = "CCR0008";
    public const string DuplicateWorkflow = "CCR0009";
    public const string DuplicateRule = "CCR0010";
    public const string UnknownInjectedWorkflow = "CCR0011";
    public const string InvalidOperator = "CCR0012";
    public const string InvalidExpressionType = "CCR0013";
    public const string UnknownAction = "CCR0014";
    public const string ExpressionAndChildren = "CCR0015";
    public const string UnknownEvaluateRuleTarget = "CCR0016";
    public const string DuplicateParam = "CCR0017";
    public const string ExpressionTooLong = "CCR0018";
    public const string InjectionCycle = "CCR0019";
    public const string EmptyWorkflow = "CCR0020";

    // Lexer and parser: 0100–0199.
    public const string UnexpectedCharacter = "CCR0101";
    public const string UnterminatedString = "CCR0102";
    public const string InvalidEscape = "CCR0103";
    public const string InvalidNumber = "CCR0104";
    public const string ExpectedToken = "CCR0105";
    public const string UnexpectedToken = "CCR0106";
    public const string ExpressionTooDeep = "CCR0107";
    public const string ObjectCreationNotAllowed = "CCR0108";

    // Binder: 0200–0299.
    public const string UnknownName = "CCR0201";
    public const string UnknownProperty = "CCR0202";
    public const string UnknownMethod = "CCR0203";
    public const string ForbiddenMember = "CCR0204";
    public const string OperandTypes = "CCR0205";
    public const string ArgumentCount = "CCR0206";
    public const string ArgumentType = "CCR0207";
    public const string InvalidLambda = "CCR0208";
    public const string NotBoolean = "CCR0209";
    public const string UnknownFunction = "CCR0210";
    public const string NoFunctions = "CCR0211";
    public const string InvalidDate = "CCR0212";
    public const string NotIndexable = "CCR0213";
    public const string NotComparable = "CCR0214";
    public const string NotAValue = "CCR0215";
    public const string MemberOfNonObject = "CCR0216";
    public const string UnknownPlaceholder = "CCR0217";
    public const string NotInEnum = "CCR0218";
    public const string ParamShadowsInput = "CCR0219";

    // Rule test files: 0300–0399.
    public const string InvalidTestFile = "CCR0301";
    public const string TestInputNotFound = "CCR0302";
    public const string UnknownTestWorkflow = "CCR0303";
    public const string InvalidExpectation = "CCR0304";
    public const string MissingExpectation = "CCR0305";
    public const string InvalidTestInput = "CCR0306";
    public const string UnknownTestInput = "CCR0307";
    public const string NoTestFiles = "CCR0308";
    public const string MissingCoverage = "CCR0309";
}
