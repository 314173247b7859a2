using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using static ConfigurableContracts.Conformance.Tests.Fuzz.FuzzExpression;

namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>What an expression being generated may refer to.</summary>
/// <param name="Parameters">Global and local parameters in scope, with their types.</param>
/// <param name="Element">The lambda parameter in scope (an element of <c>p.items</c>), if any.</param>
/// <param name="Inputs">The inputs the workflow will run over, for ranges and predicates that must fit the data.</param>
/// <param name="Depth">How many more levels of operators may be nested.</param>
public sealed record FuzzScope(ImmutableArray<(string Name, FuzzType Type)> Parameters, string? Element, ImmutableArray<FuzzInput> Inputs, int Depth)
{
    public FuzzScope Deeper => this with { Depth = Depth - 1 };
}

/// <summary>
/// Type-directed FsCheck generators: one per result type, so that nearly every generated expression is well-typed
/// and means something, plus a small share of ill-typed ones that both engines must refuse. Inputs come first and
/// the workflow is generated against them, so that <c>Substring</c> ranges are valid and <c>First</c> predicates match.
/// </summary>
public static class FuzzGenerators
{
    private static readonly string[] Words = ["Alva", "alva", "Bo", "bo", "Åsa", "ärla", "Émile", "straße", "ı", "İd", " ", "x", "X", "-", "a\u00ADb", "Zoë", "0", "7"];
    private static readonly string[] Comparisons = ["==", "!=", "<", "<=", ">", ">="];
    private static readonly string[] Operators = ["And", "Or", "AndAlso", "OrElse"];
    private static readonly string[] IllTypedExpressions =
    [
        "p.name * 2", "p.age && true", "p.nosuch > 1", "p.name.NoSuchMethod()", "p.active + 1", "p.items > 3", "!p.age",
        "p.age == \"18\"", "p.name < 3", "p.active.AddMonths(1) > p.end", "p.items.Any(x => x.nosuch)", "p.age.Length > 1",
    ];

    private static Gen<(A, B)> Zip<A, B>(Gen<A> a, Gen<B> b) => from x in a from y in b select (x, y);

    private static Gen<(A, B, C)> Zip<A, B, C>(Gen<A> a, Gen<B> b, Gen<C> c) => from x in a from y in b from z in c select (x, y, z);

    private static Gen<(A, B, C, D)> Zip<A, B, C, D>(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d) =>
        from w in a from x in b from y in c from z in d select (w, x, y, z);

    // ---- inputs ----

    /// <summary>
    /// Which fields are null and whether the array is empty. The inputs of one case share it: RulesEngine types an
    /// input from its values (null as object, an empty array as a list of objects), so inputs of one shape share one
    /// compilation of the workflow.
    /// </summary>
    private sealed record Shape(ImmutableHashSet<string> NullFields, bool NoItems);

    private static readonly string[] ScalarFields =
        [.. FuzzInput.IntegerFields, .. FuzzInput.DecimalFields, .. FuzzInput.StringFields, .. FuzzInput.BooleanFields, .. FuzzInput.DateFields];

    private static readonly Gen<Shape> InputShape =
        from nulls in Gen.CollectToList(ScalarFields, field => Gen.Frequency((40, Gen.Constant<string?>(null)), (1, Gen.Constant<string?>(field))))
        from noItems in Gen.Frequency((7, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new Shape(nulls.OfType<string>().ToImmutableHashSet(StringComparer.Ordinal), noItems);

    private static readonly Gen<long> IntegerValue = Gen.Frequency(
        (3, Gen.Constant(0L)), (12, Gen.Choose(-5, 40).Select(i => (long)i)), (2, Gen.Choose(100, 5000).Select(i => (long)i)));

    /// <summary>Decimals with one or two digits after the point and never a trailing zero, as people write amounts.</summary>
    private static readonly Gen<decimal> DecimalValue =
        from whole in Gen.Frequency((8, Gen.Choose(-20, 120)), (1, Gen.Choose(1000, 9999)))
        from fraction in Gen.Elements(1, 2, 25, 3, 5, 75, 05, 9, 99)
        select whole + (whole < 0 ? -1 : 1) * (fraction < 10 && fraction != 5 ? fraction / 10m : fraction / 100m);

    private static readonly Gen<string> StringValue =
        Gen.Choose(0, 3).SelectMany(n => Gen.Elements(Words).ListOf(n)).Select(parts => string.Concat(parts));

    private static readonly Gen<DateOnly> DateValue = Gen.Frequency(
        (4, Gen.Choose(0, 365 * 5).Select(d => new DateOnly(2020, 1, 1).AddDays(d))),
        (1, Gen.Elements(new DateOnly(2022, 1, 31), new DateOnly(2024, 2, 29), new DateOnly(2023, 3, 31), new DateOnly(2021, 12, 31))));

    private static readonly Gen<FuzzItem> Item =
        from k in Gen.Choose(-3, 10)
        from v in DecimalValue
        from t in StringValue
        from f in Gen.Elements(true, false)
        select new FuzzItem(k, v, t, f);

    private static Gen<ImmutableDictionary<string, T?>> Fields<T>(ImmutableArray<string> names, Gen<T> value, Shape shape) where T : struct =>
        Gen.CollectToList(names, name => shape.NullFields.Contains(name) ? Gen.Constant<T?>(null) : value.Select(v => (T?)v))
            .Select(values => names.Zip(values).ToImmutableDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));

    private static Gen<ImmutableDictionary<string, string?>> StringFields(Shape shape) =>
        Gen.CollectToList(FuzzInput.StringFields, name => shape.NullFields.Contains(name) ? Gen.Constant<string?>(null) : StringValue.Select(v => (string?)v))
            .Select(values => FuzzInput.StringFields.Zip(values).ToImmutableDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));

    private static Gen<FuzzInput> Input(Shape shape) =>
        from integers in Fields(FuzzInput.IntegerFields, IntegerValue, shape)
        from decimals in Fields(FuzzInput.DecimalFields, DecimalValue, shape)
        from strings in StringFields(shape)
        from booleans in Fields(FuzzInput.BooleanFields, Gen.Elements(true, false), shape)
        from dates in Fields(FuzzInput.DateFields, DateValue, shape)
        from count in shape.NoItems ? Gen.Constant(0) : Gen.Choose(1, 4)
        from items in Item.ListOf(count)
        select new FuzzInput(integers, decimals, strings, booleans, dates, [.. items]);

    // ---- expressions ----

    public static FuzzExpression? SimplestLiteral(FuzzType type) => type switch
    {
        FuzzType.WholeNumber => Leaf(type, FuzzOp.Literal, "", 1L),
        FuzzType.DecimalNumber => Leaf(type, FuzzOp.Literal, "", 0.5m),
        FuzzType.Text => Leaf(type, FuzzOp.Literal, "", "a"),
        FuzzType.Boolean => Leaf(type, FuzzOp.Literal, "", true),
        FuzzType.Date => Node(type, FuzzOp.DateParse, "", Leaf(FuzzType.Text, FuzzOp.Literal, "", "2022-01-01")),
        _ => null,
    };

    private static FuzzExpression Field(FuzzType type, string path, FuzzJsonKind kind) => Leaf(type, FuzzOp.Field, path, kind);

    private static Gen<FuzzExpression> Literal(FuzzType type) => type switch
    {
        FuzzType.WholeNumber => Gen.Frequency((4, Gen.Choose(0, 12)), (1, Gen.Choose(-5, -1)), (1, Gen.Choose(13, 200)))
            .Select(i => Leaf(type, FuzzOp.Literal, "", (long)i)),
        FuzzType.DecimalNumber => DecimalValue.Select(d => Leaf(type, FuzzOp.Literal, "", d)),
        FuzzType.Text => Gen.Elements(Words.Append("").Append("al").Append("A").ToArray()).Select(s => Leaf(type, FuzzOp.Literal, "", s)),
        FuzzType.Boolean => Gen.Elements(true, false).Select(b => Leaf(type, FuzzOp.Literal, "", b)),
        _ => DateValue.Select(d => Node(type, FuzzOp.DateParse, "", Leaf(FuzzType.Text, FuzzOp.Literal, "", d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))),
    };

    /// <summary>Fields, parameters and literals of a type: what deeper levels bottom out in.</summary>
    private static Gen<FuzzExpression> Simple(FuzzType type, FuzzScope scope)
    {
        var options = new List<(int, Gen<FuzzExpression>)> { (2, Literal(type)) };
        var (names, kind) = type switch
        {
            FuzzType.WholeNumber => (FuzzInput.IntegerFields, FuzzJsonKind.WholeNumber),
            FuzzType.DecimalNumber => (FuzzInput.DecimalFields, FuzzJsonKind.DecimalNumber),
            FuzzType.Text => (FuzzInput.StringFields, FuzzJsonKind.Text),
            FuzzType.Boolean => (FuzzInput.BooleanFields, FuzzJsonKind.Boolean),
            _ => (FuzzInput.DateFields, FuzzJsonKind.Date),
        };
        if (type == FuzzType.Date)
            options.Add((4, Gen.Elements(names.ToArray()).Select(n => Node(type, FuzzOp.DateParse, "", Field(FuzzType.Text, $"{FuzzInput.Name}.{n}", FuzzJsonKind.Date)))));
        else
            options.Add((4, Gen.Elements(names.ToArray()).Select(n => Field(type, $"{FuzzInput.Name}.{n}", kind))));
        if (scope.Element is { } x)
        {
            var elementField = type switch
            {
                FuzzType.WholeNumber => Field(type, $"{x}.k", FuzzJsonKind.WholeNumber),
                FuzzType.DecimalNumber => Field(type, $"{x}.v", FuzzJsonKind.DecimalNumber),
                FuzzType.Text => Field(type, $"{x}.t", FuzzJsonKind.Text),
                FuzzType.Boolean => Field(type, $"{x}.f", FuzzJsonKind.Boolean),
                _ => null,
            };
            if (elementField is not null) options.Add((6, Gen.Constant(elementField)));
        }
        var parameters = scope.Parameters.Where(p => p.Type == type).Select(p => p.Name).ToArray();
        if (parameters.Length > 0) options.Add((3, Gen.Elements(parameters).Select(n => Leaf(type, FuzzOp.Parameter, n))));
        return Gen.Frequency(options);
    }

    /// <summary>An expression of <paramref name="type"/>; built lazily, one level at a time, as it is drawn.</summary>
    public static Gen<FuzzExpression> Of(FuzzType type, FuzzScope scope) =>
        // Without the delay every alternative of every level would be built before one is chosen.
        Gen.Constant(0).SelectMany(_ => OneLevel(type, scope));

    private static Gen<FuzzExpression> OneLevel(FuzzType type, FuzzScope scope)
    {
        if (scope.Depth <= 0) return Simple(type, scope);
        var d = scope.Deeper;
        var options = new List<(int, Gen<FuzzExpression>)> { (5, Simple(type, scope)) };
        switch (type)
        {
            case FuzzType.WholeNumber:
                options.Add((4, Arithmetic(FuzzType.WholeNumber, FuzzType.WholeNumber, FuzzType.WholeNumber, d, "+", "-", "*")));
                options.Add((2, Division(FuzzType.WholeNumber, FuzzType.WholeNumber, FuzzType.WholeNumber, d)));
                options.Add((2, Of(FuzzType.Text, d).Select(s => Property(FuzzType.WholeNumber, s, "Length"))));
                options.Add((1, Zip(Of(FuzzType.Text, d), Of(FuzzType.Text, d)).Select(t => Call(FuzzType.WholeNumber, t.Item1, "IndexOf", t.Item2))));
                options.Add((1, Of(FuzzType.Date, d).SelectMany(date => Gen.Elements("Year", "Month", "Day").Select(m => Property(FuzzType.WholeNumber, date, m)))));
                options.Add((2, Conditional(FuzzType.WholeNumber, d)));
                if (scope.Element is null)
                {
                    options.Add((3, Items(d).SelectMany(items => Gen.OneOf(
                        Gen.Constant(Linq(FuzzType.WholeNumber, items, "Count")),
                        Predicate(d).Select(p => Linq(FuzzType.WholeNumber, items, "Count", p)),
                        Predicate(d).Select(p => Linq(FuzzType.WholeNumber, Linq(FuzzType.Items, items, "Where", p), "Count")),
                        Gen.Elements("Sum", "Max", "Min").Select(m => Linq(FuzzType.WholeNumber, items, m, Field(FuzzType.WholeNumber, "x.k", FuzzJsonKind.WholeNumber)))))));
                }
                break;
            case FuzzType.DecimalNumber:
                options.Add((4, Gen.Elements((FuzzType.DecimalNumber, FuzzType.DecimalNumber), (FuzzType.DecimalNumber, FuzzType.WholeNumber), (FuzzType.WholeNumber, FuzzType.DecimalNumber))
                    .SelectMany(t => Arithmetic(FuzzType.DecimalNumber, t.Item1, t.Item2, d, "+", "-", "*"))));
                options.Add((2, Gen.Elements((FuzzType.DecimalNumber, FuzzType.DecimalNumber), (FuzzType.WholeNumber, FuzzType.DecimalNumber), (FuzzType.DecimalNumber, FuzzType.WholeNumber))
                    .SelectMany(t => Division(FuzzType.DecimalNumber, t.Item1, t.Item2, d))));
                options.Add((2, Conditional(FuzzType.DecimalNumber, d)));
                if (scope.Element is null)
                    options.Add((2, Items(d).SelectMany(items => Gen.Elements("Sum", "Max", "Min")
                        .Select(m => Linq(FuzzType.DecimalNumber, items, m, Field(FuzzType.DecimalNumber, "x.v", FuzzJsonKind.DecimalNumber))))));
                break;
            case FuzzType.Text:
                options.Add((3, Of(FuzzType.Text, d).SelectMany(s => Gen.Elements("ToUpper", "ToLower", "Trim").Select(m => Call(FuzzType.Text, s, m)))));
                options.Add((3, Substring(scope)));
                options.Add((3, Gen.Elements(FuzzType.Text, FuzzType.Text, FuzzType.WholeNumber, FuzzType.DecimalNumber, FuzzType.Boolean)
                    .SelectMany(other => Zip(Of(FuzzType.Text, d), Of(other, d), Gen.Elements(true, false)))
                    .Select(t => Node(FuzzType.Text, FuzzOp.Binary, "+", t.Item3 ? [t.Item1, t.Item2] : [t.Item2, t.Item1]))));
                options.Add((1, Conditional(FuzzType.Text, d)));
                if (scope.Element is null) options.Add((2, FirstMatching(scope)));
                break;
            case FuzzType.Boolean:
                options.Add((6, Gen.Elements((FuzzType.WholeNumber, FuzzType.WholeNumber), (FuzzType.WholeNumber, FuzzType.DecimalNumber), (FuzzType.DecimalNumber, FuzzType.DecimalNumber), (FuzzType.DecimalNumber, FuzzType.WholeNumber))
                    .SelectMany(t => Zip(Of(t.Item1, d), Of(t.Item2, d), Gen.Elements(Comparisons)))
                    .Select(t => Node(FuzzType.Boolean, FuzzOp.Binary, t.Item3, t.Item1, t.Item2))));
                options.Add((2, Zip(Of(FuzzType.Text, d), Of(FuzzType.Text, d), Gen.Frequency((6, Gen.Elements("==", "!=")), (1, Gen.Elements("<", ">", "<=", ">="))))
                    .Select(t => Node(FuzzType.Boolean, FuzzOp.Binary, t.Item3, t.Item1, t.Item2))));
                options.Add((3, Zip(Of(FuzzType.Text, d), Of(FuzzType.Text, d), Gen.Elements("StartsWith", "EndsWith", "Contains"))
                    .Select(t => Call(FuzzType.Boolean, t.Item1, t.Item3, t.Item2))));
                options.Add((4, Zip(Of(FuzzType.Boolean, d), Of(FuzzType.Boolean, d), Gen.Elements("&&", "||", "and", "or", "AND", "OR"))
                    .Select(t => Node(FuzzType.Boolean, FuzzOp.Binary, t.Item3, t.Item1, t.Item2))));
                options.Add((2, Zip(Of(FuzzType.Boolean, d), Gen.Elements("!", "not ")).Select(t => Node(FuzzType.Boolean, FuzzOp.Unary, t.Item2, t.Item1))));
                options.Add((3, Zip(Of(FuzzType.Date, d), Of(FuzzType.Date, d), Gen.Elements(Comparisons))
                    .Select(t => Node(FuzzType.Boolean, FuzzOp.Binary, t.Item3, t.Item1, t.Item2))));
                options.Add((1, Zip(Gen.Elements(FuzzInput.DateFields.ToArray()), DateValue, Gen.Elements(Comparisons))
                    .Select(t => Node(FuzzType.Boolean, FuzzOp.Binary, t.Item3,
                        Field(FuzzType.RawDate, $"{FuzzInput.Name}.{t.Item1}", FuzzJsonKind.Date),
                        Leaf(FuzzType.RawDate, FuzzOp.Literal, "", t.Item2.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))))));
                options.Add((2, Gen.Elements(FuzzType.WholeNumber, FuzzType.Text, FuzzType.DecimalNumber)
                    .SelectMany(t => Zip(Of(t, d), Gen.Choose(1, 4).SelectMany(n => Of(t, d.Deeper).ListOf(n))))
                    .Select(t => Node(FuzzType.Boolean, FuzzOp.In, "in", [t.Item1, .. t.Item2]))));
                options.Add((2, Conditional(FuzzType.Boolean, d)));
                if (scope.Element is null)
                {
                    options.Add((4, Items(d).SelectMany(items => Gen.OneOf(
                        Gen.Constant(Linq(FuzzType.Boolean, items, "Any")),
                        Predicate(d).Select(p => Linq(FuzzType.Boolean, items, "Any", p)),
                        Predicate(d).Select(p => Linq(FuzzType.Boolean, items, "All", p))))));
                }
                break;
            case FuzzType.Date:
                options.Add((3, Zip(Of(FuzzType.Date, d), Gen.Choose(-14, 14)).Select(t => Call(FuzzType.Date, t.Item1, "AddMonths", Leaf(FuzzType.WholeNumber, FuzzOp.Literal, "", (long)t.Item2)))));
                options.Add((3, Zip(Of(FuzzType.Date, d), Gen.Frequency((3, Literal(FuzzType.WholeNumber)), (1, Of(FuzzType.WholeNumber, d.Deeper))))
                    .Select(t => Call(FuzzType.Date, t.Item1, "AddDays", t.Item2))));
                options.Add((1, Conditional(FuzzType.Date, d)));
                break;
        }
        return Gen.Frequency(options);
    }

    private static FuzzExpression Property(FuzzType type, FuzzExpression receiver, string name) =>
        Node(type, FuzzOp.Member, name, receiver) with { IsProperty = true };

    private static FuzzExpression Call(FuzzType type, FuzzExpression receiver, string name, params FuzzExpression[] arguments) =>
        Node(type, FuzzOp.Member, name, [receiver, .. arguments]);

    private static FuzzExpression Linq(FuzzType type, FuzzExpression items, string method, FuzzExpression? body = null) =>
        (body is null ? Node(type, FuzzOp.Linq, method, items) : Node(type, FuzzOp.Linq, method, items, body)) with { Lambda = body is null ? null : "x" };

    private static Gen<FuzzExpression> Arithmetic(FuzzType result, FuzzType left, FuzzType right, FuzzScope scope, params string[] operators) =>
        Zip(Of(left, scope), Of(right, scope), Gen.Elements(operators)).Select(t => Node(result, FuzzOp.Binary, t.Item3, t.Item1, t.Item2));

    /// <summary>Division and remainder, mostly by a non-zero literal; sometimes by an expression that may be zero.</summary>
    private static Gen<FuzzExpression> Division(FuzzType result, FuzzType left, FuzzType right, FuzzScope scope)
    {
        var divisor = Gen.Frequency((3, Literal(right).Where(l => l.Value is not (0L or 0m))), (1, Of(right, scope)));
        return Zip(Of(left, scope), divisor, Gen.Elements("/", "/", "%")).Select(t => Node(result, FuzzOp.Binary, t.Item3, t.Item1, t.Item2));
    }

    private static Gen<FuzzExpression> Conditional(FuzzType type, FuzzScope scope) =>
        Zip(Of(FuzzType.Boolean, scope), Of(type, scope), Of(type, scope), Gen.Elements("iif", "?"))
            .Select(t => Node(type, FuzzOp.Conditional, t.Item4, t.Item1, t.Item2, t.Item3));

    private static FuzzScope InLambda(FuzzScope scope) => scope with { Element = "x" };

    private static Gen<FuzzExpression> Predicate(FuzzScope scope) => Of(FuzzType.Boolean, InLambda(scope) with { Depth = Math.Min(scope.Depth, 2) });

    private static Gen<FuzzExpression> Items(FuzzScope scope)
    {
        var items = Field(FuzzType.Items, $"{FuzzInput.Name}.{FuzzInput.ItemsField}", FuzzJsonKind.Text);
        return Gen.Frequency((4, Gen.Constant(items)), (1, Predicate(scope).Select(p => Linq(FuzzType.Items, items, "Where", p))));
    }

    /// <summary><c>Substring</c> of an input string with a range valid in every input where the string is present.</summary>
    private static Gen<FuzzExpression> Substring(FuzzScope scope)
    {
        var candidates = FuzzInput.StringFields
            .Select(name => (name, lengths: scope.Inputs.Select(i => i.Strings[name]).OfType<string>().Select(s => s.Length).ToList()))
            .Where(c => c.lengths.Count > 0)
            .ToArray();
        if (candidates.Length == 0) return Simple(FuzzType.Text, scope);
        return Gen.Elements(candidates).SelectMany(c =>
        {
            var length = c.lengths.Min();
            var field = Field(FuzzType.Text, $"{FuzzInput.Name}.{c.name}", FuzzJsonKind.Text);
            return Gen.Choose(0, length).SelectMany(start => Gen.OneOf(
                Gen.Constant(Call(FuzzType.Text, field, "Substring", Leaf(FuzzType.WholeNumber, FuzzOp.Literal, "", (long)start))),
                Gen.Choose(0, length - start).Select(count => Call(FuzzType.Text, field, "Substring",
                    Leaf(FuzzType.WholeNumber, FuzzOp.Literal, "", (long)start), Leaf(FuzzType.WholeNumber, FuzzOp.Literal, "", (long)count)))));
        });
    }

    /// <summary><c>p.items.First(x => x.k == …).t</c> with a key taken from the first input, so that it matches there.</summary>
    private static Gen<FuzzExpression> FirstMatching(FuzzScope scope)
    {
        var items = scope.Inputs[0].Items;
        if (items.IsEmpty) return Simple(FuzzType.Text, scope);
        return Gen.Elements(items.ToArray()).SelectMany(item => Gen.Elements(
            Node(FuzzType.Boolean, FuzzOp.Binary, "==", Field(FuzzType.WholeNumber, "x.k", FuzzJsonKind.WholeNumber), Leaf(FuzzType.WholeNumber, FuzzOp.Literal, "", item.K)),
            Node(FuzzType.Boolean, FuzzOp.Binary, "==", Field(FuzzType.Text, "x.t", FuzzJsonKind.Text), Leaf(FuzzType.Text, FuzzOp.Literal, "", item.T))))
            .Select(predicate => Node(FuzzType.Text, FuzzOp.ElementField, "t",
                Linq(FuzzType.Items, Field(FuzzType.Items, $"{FuzzInput.Name}.{FuzzInput.ItemsField}", FuzzJsonKind.Text), "First", predicate)) with { Value = FuzzJsonKind.Text });
    }

    /// <summary>An action's output: any type, and also what only outputs show (raw ISO dates, Select sequences).</summary>
    private static Gen<FuzzExpression> Output(FuzzScope scope) => Gen.Frequency(
        (3, Of(FuzzType.WholeNumber, scope)),
        (3, Of(FuzzType.DecimalNumber, scope)),
        (3, Of(FuzzType.Text, scope)),
        (1, Of(FuzzType.Boolean, scope)),
        (2, Of(FuzzType.Date, scope)),
        (1, Gen.Elements(FuzzInput.DateFields.ToArray()).Select(n => Field(FuzzType.RawDate, $"{FuzzInput.Name}.{n}", FuzzJsonKind.Date))),
        (1, Gen.Elements(("k", FuzzJsonKind.WholeNumber), ("v", FuzzJsonKind.DecimalNumber), ("t", FuzzJsonKind.Text)).Select(f =>
            Linq(FuzzType.Sequence, Field(FuzzType.Items, $"{FuzzInput.Name}.{FuzzInput.ItemsField}", FuzzJsonKind.Text), "Select",
                Field(f.Item2 switch { FuzzJsonKind.WholeNumber => FuzzType.WholeNumber, FuzzJsonKind.DecimalNumber => FuzzType.DecimalNumber, _ => FuzzType.Text }, $"x.{f.Item1}", f.Item2)))));

    private static readonly FuzzType[] ParameterTypes = [FuzzType.WholeNumber, FuzzType.DecimalNumber, FuzzType.Text, FuzzType.Boolean, FuzzType.Date];

    // ---- workflows ----

    private static Gen<ImmutableArray<FuzzParameter>> Parameters(string prefix, int count, FuzzScope scope)
    {
        var result = Gen.Constant((Scope: scope, List: ImmutableArray<FuzzParameter>.Empty));
        for (var i = 0; i < count; i++)
        {
            var name = $"{prefix}{i}";
            result = result.SelectMany(state => Gen.Elements(ParameterTypes).SelectMany(type => Of(type, state.Scope).Select(expression => (
                state.Scope with { Parameters = state.Scope.Parameters.Add((name, type)) },
                state.List.Add(new FuzzParameter(name, expression))))));
        }
        return result.Select(state => state.List);
    }

    private static FuzzScope With(FuzzScope scope, ImmutableArray<FuzzParameter> parameters) =>
        scope with { Parameters = scope.Parameters.AddRange(parameters.Select(p => (p.Name, p.Expression.Type))) };

    private static Gen<FuzzExpression> Condition(FuzzScope scope) => Gen.Frequency(
        (60, Of(FuzzType.Boolean, scope)),
        (1, Gen.Elements(IllTypedExpressions).Select(text => Leaf(FuzzType.Boolean, FuzzOp.IllTyped, text))));

    private static Gen<FuzzRule> Rule(string name, FuzzScope scope, ImmutableArray<FuzzRule> earlier, bool nested)
    {
        // EvaluateRule targets: earlier rules that output on success and have no OnFailure, the usual way to reuse an amount.
        var evaluateTargets = earlier.Where(r => r.Enabled && r.Operator is null && r.OnSuccess?.Output is not null && r.OnFailure is null).Select(r => r.Name).ToArray();
        Gen<FuzzAction?> OnSuccess(FuzzScope inner) => Gen.Frequency(
            (8, Gen.Constant<FuzzAction?>(null)),
            (4, Output(inner).Select(o => (FuzzAction?)new FuzzAction(o, null))),
            (evaluateTargets.Length > 0 && !nested ? 1 : 0, Gen.Elements(evaluateTargets.DefaultIfEmpty("").ToArray()).Select(t => (FuzzAction?)new FuzzAction(null, t))));
        return
            from localCount in Gen.Frequency((6, Gen.Constant(0)), (2, Gen.Constant(1)), (1, Gen.Constant(2)))
            from locals in Parameters($"{name.ToLowerInvariant()}l", localCount, scope)
            let inner = With(scope, locals)
            from isParent in Gen.Frequency((nested ? 0 : 1, Gen.Constant(true)), (5, Gen.Constant(false)))
            from op in Gen.Elements(Operators)
            from childCount in Gen.Choose(1, 3)
            from children in isParent
                ? Gen.CollectToList(Enumerable.Range(0, childCount), i => Rule($"{name}c{i}", inner, [], nested: true))
                : Gen.Constant(new List<FuzzRule>())
            from expression in Condition(inner)
            from onSuccess in OnSuccess(inner)
            from onFailure in Gen.Frequency((4, Gen.Constant<FuzzAction?>(null)), (1, Output(inner).Select(o => (FuzzAction?)new FuzzAction(o, null))))
            from enabled in Gen.Frequency((30, Gen.Constant(true)), (1, Gen.Constant(false)))
            select new FuzzRule(name, isParent ? null : expression, isParent ? op : null, [.. children], locals,
                onSuccess, onFailure, enabled);
    }

    private static Gen<FuzzWorkflow> Workflow(ImmutableArray<FuzzInput> inputs, int ruleCount) =>
        from globalCount in Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, 3)))
        from depth in Gen.Choose(1, 3)
        let scope = new FuzzScope([], null, inputs, depth)
        from globals in Parameters("g", globalCount, scope)
        from rules in Rules(With(scope, globals), ruleCount)
        select new FuzzWorkflow(globals, rules);

    private static Gen<ImmutableArray<FuzzRule>> Rules(FuzzScope scope, int count)
    {
        var result = Gen.Constant(ImmutableArray<FuzzRule>.Empty);
        for (var i = 0; i < count; i++)
        {
            var name = $"R{i}";
            result = result.SelectMany(earlier => Gen.Choose(1, 3)
                .SelectMany(depth => Rule(name, scope with { Depth = depth }, earlier, nested: false))
                .Select(earlier.Add));
        }
        return result;
    }

    /// <summary>A workflow of <paramref name="ruleCount"/> rules over <paramref name="inputCount"/> inputs.</summary>
    public static Gen<FuzzCase> Case(int ruleCount, int inputCount) =>
        from shape in InputShape
        from inputs in Input(shape).ArrayOf(inputCount)
        from workflow in Workflow([.. inputs], ruleCount)
        select new FuzzCase(workflow, [.. inputs]);

    public static Arbitrary<FuzzCase> Cases(int ruleCount, int inputCount) => Arb.From(Case(ruleCount, inputCount), c => c.Shrink());
}
