using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Conformance.Tests;

/// <summary>
/// What RulesEngine users write against JSON input (ExpandoObject), gathered from RulesEngine's documentation, samples
/// and issue threads and from Dynamic LINQ's documentation: each must give RulesEngine 6.0.1's answer here, or be
/// refused at load with a diagnostic that says how to write it (the deliberate, documented differences).
/// </summary>
public class IdiomTests
{
    private const string Inputs = """
        {
          "input1": { "country": "india", "loyaltyFactor": 2, "totalPurchasesToDate": 10000, "name": "Alva Berg", "email": "",
                      "city": "  Malmo ", "dob": "1990-05-17", "joinedOn": "2020-03-01", "lastVisit": "2021-02-15",
                      "score": 7.5, "rate": 0.25, "zero": 0, "tags": ["gold", "online"], "middleName": null,
                      "address": { "city": "Stockholm", "zip": "11122" }, "isActive": true, "count": "42", "price": "19.95",
                      "csv": "a,b,c", "seenAt": "2021-02-15T10:30:00Z",
                      "orders": [ { "id": 1, "amount": 120.5, "qty": 2, "status": "paid" },
                                  { "id": 2, "amount": 80.25, "qty": 1, "status": "open" },
                                  { "id": 3, "amount": 300.25, "qty": 5, "status": "paid" } ] },
          "input2": { "totalOrders": 5, "noOfVisitsPerMonth": 10 }
        }
        """;

    public static TheoryData<string> Conditions => new(
    [
        "input1.country == \"india\" AND input1.loyaltyFactor <= 2 AND input1.totalPurchasesToDate >= 5000 AND input2.totalOrders > 2",
        "input1.country == \"india\" and input1.loyaltyFactor <= 2",
        "input1.country == \"india\" && input1.loyaltyFactor >= 3",
        "input1.country != \"india\" OR input1.loyaltyFactor == 2",
        "input1.country == \"india\" or input2.totalOrders > 100",
        "not (input1.country == \"sweden\")",
        "NOT(input1.isActive)",
        "!input1.isActive",
        "input1.isActive",
        "input1.isActive == true",
        "input1.totalPurchasesToDate >= 5000",
        "input1.totalPurchasesToDate > 5000.50",
        "input1.score > 7",
        "input1.score == 7.5",
        "input1.score >= input1.loyaltyFactor",
        "input1.loyaltyFactor < 1.5",
        "input1.loyaltyFactor == 2.0",
        "input1.rate * 100 == 25",
        "input1.totalPurchasesToDate / input2.totalOrders == 2000",
        "input1.totalPurchasesToDate % 2 == 0",
        "input2.totalOrders % 2 == 1",
        "input2.totalOrders / 2 == 2.5",
        "input2.totalOrders / 2.0 == 2.5",
        "input2.totalOrders / input2.noOfVisitsPerMonth == 0.5",
        "input1.loyaltyFactor + input2.totalOrders * 2 > 10",
        "-input1.loyaltyFactor < 0",
        "string.IsNullOrEmpty(input1.email)",
        "string.IsNullOrEmpty(input1.name)",
        "!string.IsNullOrEmpty(input1.name)",
        "string.IsNullOrWhiteSpace(input1.city)",
        "String.IsNullOrEmpty(input1.country)",
        "input1.name.ToLower().Contains(\"alva\")",
        "input1.name.ToUpper() == \"ALVA BERG\"",
        "input1.name.StartsWith(\"Al\")",
        "input1.name.EndsWith(\"Berg\")",
        "input1.name.Contains(\"va B\")",
        "input1.name.Contains(\"alva\")",
        "input1.name.Length > 5",
        "input1.name.Length == 9",
        "input1.city.Trim() == \"Malmo\"",
        "input1.city.TrimStart() == \"Malmo \"",
        "input1.city.TrimEnd() == \"  Malmo\"",
        "input1.name.Substring(0, 4) == \"Alva\"",
        "input1.name.Substring(5) == \"Berg\"",
        "input1.name.IndexOf(\"B\") == 5",
        "input1.name.Replace(\" \", \"\") == \"AlvaBerg\"",
        "input1.csv.Split(',').Length == 3",
        "input1.csv.Split(',').Contains(\"b\")",
        "input1.name.Split(' ')[0] == \"Alva\"",
        "input1.name + \"!\" == \"Alva Berg!\"",
        "input1.country + \"-\" + input1.loyaltyFactor == \"india-2\"",
        "string.Concat(input1.country, \"x\") == \"indiax\"",
        "input1.name.ToLower().StartsWith(\"alva\")",
        "input1.country.Equals(\"india\")",
        "input1.country.ToUpper().Equals(\"INDIA\")",
        "input1.name.Equals(\"Alva Berg\")",
        "input1.email == \"\"",
        "input1.email == string.Empty",
        "input1.name.Contains(\"Berg\") == true",
        "DateTime.Parse(input1.joinedOn) > DateTime.Parse(\"2020-01-01\")",
        "DateTime.Parse(input1.joinedOn) < DateTime.Parse(\"2020-01-01\")",
        "DateTime.Parse(input1.joinedOn) >= DateTime.Parse(\"2020-03-01\")",
        "DateTime.Parse(input1.joinedOn) == DateTime.Parse(\"2020-03-01\")",
        "DateTime.Parse(input1.joinedOn).AddMonths(3) <= DateTime.Parse(input1.lastVisit)",
        "DateTime.Parse(input1.joinedOn).AddDays(30) < DateTime.Parse(\"2020-04-01\")",
        "DateTime.Parse(input1.dob).AddYears(18) < DateTime.Parse(input1.joinedOn)",
        "DateTime.Parse(input1.lastVisit).Subtract(DateTime.Parse(input1.joinedOn)).TotalDays > 300",
        "(DateTime.Parse(input1.lastVisit) - DateTime.Parse(input1.joinedOn)).TotalDays > 300",
        "(DateTime.Parse(input1.lastVisit) - DateTime.Parse(input1.joinedOn)).TotalDays >= 351.0",
        "(DateTime.Parse(input1.lastVisit) - DateTime.Parse(input1.joinedOn)).Days == 351",
        "DateTime.Parse(input1.dob).Year < 2000",
        "DateTime.Parse(input1.dob).Month == 5",
        "DateTime.Parse(input1.dob).Day == 17",
        "Convert.ToDateTime(input1.joinedOn) > Convert.ToDateTime(\"2019-12-31\")",
        "input1.dob == \"1990-05-17\"",
        "input1.dob != \"2000-01-01\"",
        "input1.joinedOn > \"2020-01-01\"",
        "iif(input1.loyaltyFactor > 1, true, false)",
        "iif(input1.country == \"india\", input1.loyaltyFactor, 0) == 2",
        "iif(input1.score > 5, \"high\", \"low\") == \"high\"",
        "(input1.loyaltyFactor > 1 ? 10 : 20) == 10",
        "input1.loyaltyFactor > 1 ? input1.isActive : false",
        "input1.country in (\"india\", \"sweden\")",
        "input1.country in (\"norway\", \"sweden\")",
        "input1.loyaltyFactor in (1, 2, 3)",
        "input1.tags.Contains(\"gold\")",
        "input1.tags.Contains(\"silver\")",
        "input1.tags.Any(t => t.StartsWith(\"on\"))",
        "input1.tags.Count() == 2",
        "input1.tags[1] == \"online\"",
        "input1.tags.Count() > 1 and input1.tags.First() == \"gold\"",
        "input1.orders.Any(o => o.amount > 200)",
        "input1.orders.Any(it.amount > 200)",
        "input1.orders.Any(amount > 200)",
        "input1.orders.Where(status == \"paid\").Count() == 2",
        "input1.orders.Count(qty > 1 && status == \"paid\") == 2",
        "input1.orders.Sum(qty) == 8",
        "input1.orders.Max(amount) == 300.25",
        "input1.orders.OrderBy(amount).First().id == 2",
        "input1.orders.All(qty >= 1)",
        "input1.tags.Any(it == \"gold\")",
        "input1.orders.Where(amount > 100).Select(status).Distinct().Count() == 1",
        "input1.orders.FirstOrDefault(status == \"refunded\") == null",
        "input1.orders.Any(o => o.status == \"cancelled\")",
        "input1.orders.All(o => o.amount > 50)",
        "input1.orders.Any()",
        "input1.orders.Count() == 3",
        "input1.orders.Count == 3",
        "input1.orders.Count > 0",
        "input1.orders.Count(o => o.status == \"paid\") == 2",
        "input1.orders.Where(o => o.status == \"paid\").Count() == 2",
        "input1.orders.Where(o => o.status == \"paid\").Sum(o => o.amount) > 400",
        "input1.orders.Sum(o => o.qty) == 8",
        "input1.orders.Sum(o => o.amount) > 500",
        "input1.orders.Max(o => o.amount) == 300.25",
        "input1.orders.Min(o => o.qty) == 1",
        "input1.orders.Average(o => o.qty) > 2.5",
        "input1.orders.Average(o => o.amount) > 100",
        "input1.orders.First().id == 1",
        "input1.orders.First(o => o.status == \"open\").amount == 80.25",
        "input1.orders.FirstOrDefault(o => o.status == \"refunded\") == null",
        "input1.orders.FirstOrDefault(o => o.status == \"open\") != null",
        "input1.orders.Last().id == 3",
        "input1.orders.OrderBy(o => o.amount).First().id == 2",
        "input1.orders.OrderByDescending(o => o.amount).First().id == 3",
        "input1.orders.Select(o => o.status).Distinct().Count() == 2",
        "input1.orders.Any(o => o.qty > 1 && o.status == \"paid\")",
        "input1.orders.Where(o => o.amount > 100).Any(o => o.qty >= 5)",
        "input1.orders.Count(o => o.amount > 100 and o.qty > 1) == 2",
        "input1.orders.Any(o => o.status.ToLower() == \"paid\")",
        "input1.orders.Where(o => o.status == \"paid\").Max(o => o.qty) == 5",
        "input1.orders.Sum(o => o.amount * o.qty) > 1000",
        "input1.orders.Take(2).Count() == 2",
        "input1.orders.Skip(1).First().id == 2",
        "input1.orders[0].amount == 120.5",
        "input1.tags.Any(t => t == \"gold\") && input1.orders.All(o => o.qty > 0)",
        "Math.Abs(input1.loyaltyFactor - 5) == 3",
        "Math.Abs(-2.5) == 2.5",
        "Math.Round(input1.score) == 8",
        "Math.Round(2.5) == 2",
        "Math.Round(input1.rate, 1) == 0.2",
        "Math.Floor(input1.score) == 7",
        "Math.Ceiling(input1.score) == 8",
        "Math.Max(input1.loyaltyFactor, 5) == 5",
        "Math.Min(input1.score, 10) == 7.5",
        "Math.Pow(input1.loyaltyFactor, 3) == 8",
        "Math.Max(input1.score, input1.loyaltyFactor) > 7",
        "Convert.ToInt32(input1.count) == 42",
        "Convert.ToInt32(input1.count) > 40",
        "Convert.ToDecimal(input1.price) > 19.9",
        "Convert.ToDouble(input1.price) < 20",
        "Convert.ToString(input1.loyaltyFactor) == \"2\"",
        "Convert.ToInt64(input1.count) + 1 == 43",
        "Convert.ToBoolean(\"true\")",
        "int.Parse(input1.count) == 42",
        "long.Parse(input1.count) == 42",
        "decimal.Parse(input1.price) == 19.95",
        "double.Parse(input1.price) > 19",
        "input1.loyaltyFactor.ToString() == \"2\"",
        "input1.count.ToString() == \"42\"",
        "input1.middleName == null",
        "input1.address != null && input1.address.city == \"Stockholm\"",
        "input1.address.city == \"Stockholm\"",
        "input1.address.zip.StartsWith(\"111\")",
        "input1.address.city.Length == 9",
        "(input1.middleName ?? \"none\") == \"none\"",
        "(input1.name ?? \"\") == \"Alva Berg\"",
        "(input1.middleName ?? \"x\") != null",
        "input1.middleName == null && input1.isActive == true",
        "input1.middleName != null ? input1.middleName == \"y\" : true",
        "!(input1.middleName != null)",
        "np(input1.address.city) == \"Stockholm\"",
        "np(input1.middleName) == null",
        "input1.loyaltyFactor == 2 && input1.score > 7 || input2.totalOrders > 100",
        "(input1.loyaltyFactor == 3 || input1.score > 7) && input2.totalOrders > 1",
        "input1.loyaltyFactor <> 3",
        "input1.loyaltyFactor = 2",
        "true",
        "false",
        "1 == 1",
        "input1.zero == 0",
        "input1.loyaltyFactor > input1.zero",
        "input1.totalPurchasesToDate * input1.rate == 2500",
        "input1.totalPurchasesToDate * 0.1 >= 1000",
        "input1.score * 2 == 15",
        "input1.score / 2 == 3.75",
        "input2.totalOrders * 1.5 == 7.5",
        "input1.score + input1.loyaltyFactor == 9.5",
        "input1.score > 7 == true",
        "string(input1.name) == \"Alva Berg\"",
        "int(input1.loyaltyFactor) == 2",
        "double(input1.loyaltyFactor) > 1",
        "decimal(input1.score) == 7.5",
        "input1.orders.Any(o=>o.amount>200)",
        "input1 != null",
        "input1.orders.Where(o => o.amount > 200).FirstOrDefault() != null",
        "input1.isActive == true ? input1.name == \"Alva Berg\" : false",
        "input1.orders.Where(o => o.status == \"paid\").OrderByDescending(o => o.amount).Select(o => o.id).First() == 3",
        "input1.orders.Select(o => o.amount).Max() == 300.25",
        "input1.orders.Select(o => o.amount).Sum() > 500",
        "input1.orders.Min(o => o.amount) < 100",
        "input1.tags.Select(t => t.ToUpper()).Contains(\"GOLD\")",
        "input1.tags.Where(t => t.Length > 4).Count() == 1",
        "input1.orders.Any(o => o.status in (\"paid\", \"refunded\"))",
        "input1.orders.Count(o => o.amount >= 100 || o.qty > 4) == 2",
        "input1.orders.Sum(o => o.qty * 2) == 16",
        "input1.orders.Average(o => o.amount * o.qty) > 100",
        "input1.country.Length >= 5 && input1.country.Substring(0, 1) == \"i\"",
        "input1.name.Contains(\" \") ? true : false",
        "iif(input1.middleName == null, \"none\", \"some\") == \"none\"",
        "input1.totalPurchasesToDate >= 5000 == input1.isActive",
        "input1.score != 7.5 || input1.loyaltyFactor != 2",
        "!(input1.score > 8) && !(input1.loyaltyFactor < 1)",
        "Math.Round(input1.score / 3, 2) == 2.5",
        "Math.Round(input1.totalPurchasesToDate * 0.033, 2) == 330",
        "Convert.ToDecimal(input1.loyaltyFactor) / 3 > 0.66",
        "input1.orders.Select(o => o.amount).Distinct().Count() == 3",
        "input1.orders.First(o => o.id == 2).status.ToUpper() == \"OPEN\"",
        "input1.address.city.ToLower() in (\"stockholm\", \"malmo\")",
        "input1.totalPurchasesToDate.ToString().Length == 5",
        "input1.orders.Any(o => o.amount > input1.totalPurchasesToDate / 100)",
        "input2.totalOrders * input2.noOfVisitsPerMonth == 50",
        "input2.totalOrders - input2.noOfVisitsPerMonth == -5",
        "input1.orders.Last(o => o.status == \"paid\").id == 3",
        "input1.orders.Where(o => o.qty > 1).Sum(o => o.amount) / input1.orders.Count() > 100",
        "DateTime.Parse(input1.lastVisit) > DateTime.Parse(input1.joinedOn).AddYears(1)",
        "DateTime.Parse(input1.lastVisit).Year - DateTime.Parse(input1.dob).Year >= 18",
        "DateTime.Parse(input1.joinedOn).AddDays(-10) < DateTime.Parse(\"2020-03-01\")",
        "(DateTime.Parse(\"2021-01-01\") - DateTime.Parse(input1.joinedOn)).Days > 300",
        "DateTime.Parse(\"2020-02-29\").AddYears(1).Day == 28",
        "DateTime.Parse(input1.joinedOn).Month >= 3 and DateTime.Parse(input1.joinedOn).Month <= 5",
        "DateTime.Parse(input1.seenAt) > DateTime.Parse(input1.lastVisit)",
        "DateTime.Parse(input1.seenAt).AddDays(1) > DateTime.Parse(\"2021-02-16\")",
        "(DateTime.Parse(input1.seenAt) - DateTime.Parse(input1.lastVisit)).TotalDays < 1",
        "input1.orders.Sum(o => o.amount) / 3 > 100",
        "input1.orders.Count() * 1.0 / 2 == 1.5",
        "input1.loyaltyFactor / 4 == 0.5",
        "Math.Abs(input1.loyaltyFactor / 4 - 0.5) < 0.01",
        "input1.totalPurchasesToDate / 3 > 3333",
        "input1.orders.Max(o => o.qty) / 2 == 2.5",
        "input1.name.Length / 2 == 4",
        "input1.orders.Where(o => o.amount > 1000).Sum(o => o.amount) == 0",
        "input1.orders.Where(o => o.amount > 1000).Count() == 0",
        "input1.orders.Where(o => o.amount > 1000).Any() == false",
        "input1.orders.Select(o => o.qty).Min() == 1",
        "input1.country == \"INDIA\".ToLower()",
        "\"india\" == input1.country",
        "input1.tags.Contains(input1.country) == false",
        "input1.address.zip.Length == 5 && Convert.ToInt32(input1.address.zip) > 10000",
        "int.Parse(input1.address.zip) / 1000 == 11",
    ]);

    public static TheoryData<string> Outputs => new(
    [
        "input1.totalPurchasesToDate * 0.1",
        "input1.totalPurchasesToDate * input1.rate",
        "input1.totalPurchasesToDate / input2.totalOrders",
        "input2.totalOrders / 2",
        "input2.totalOrders / 2.0",
        "input2.totalOrders / input2.noOfVisitsPerMonth",
        "input1.orders.Sum(o => o.qty) / 3",
        "input1.name.Length / 2",
        "Convert.ToInt32(input1.count) / 5",
        "7 / 2",
        "input1.score * 2",
        "input1.score + 1",
        "input1.loyaltyFactor + 1",
        "input1.loyaltyFactor * input1.score",
        "input1.orders.Sum(o => o.amount)",
        "input1.orders.Sum(o => o.qty)",
        "input1.orders.Average(o => o.amount)",
        "input1.orders.Max(o => o.amount)",
        "input1.orders.Count(o => o.status == \"paid\")",
        "input1.orders.Select(o => o.id)",
        "input1.orders.Where(o => o.status == \"paid\").Select(o => o.amount)",
        "input1.orders.Select(o => o.qty).Distinct()",
        "input1.orders.OrderBy(o => o.qty).Select(o => o.id)",
        "Math.Round(input1.orders.Average(o => o.amount), 2)",
        "Math.Round(input1.score * 1.1, 2)",
        "Math.Floor(input1.score)",
        "Math.Max(input1.loyaltyFactor, 5)",
        "Math.Abs(input1.loyaltyFactor - 10)",
        "Math.Pow(2, 10)",
        "iif(input1.loyaltyFactor > 1, input1.totalPurchasesToDate * 0.1, 0)",
        "input1.loyaltyFactor > 1 ? 100 : 0",
        "input1.name.ToUpper()",
        "input1.name + \" (\" + input1.country + \")\"",
        "\"Total: \" + input1.totalPurchasesToDate",
        "input1.country + input1.score",
        "Convert.ToString(input1.score)",
        "Convert.ToDecimal(input1.price) * 2",
        "Convert.ToInt32(input1.count) * 2",
        "input1.loyaltyFactor.ToString()",
        "input1.score.ToString()",
        "input1.address.city",
        "input1.tags",
        "input1.orders.First()",
        "input1.middleName ?? \"n/a\"",
        "DateTime.Parse(input1.joinedOn).AddMonths(3)",
        "(DateTime.Parse(input1.lastVisit) - DateTime.Parse(input1.joinedOn)).TotalDays",
        "(DateTime.Parse(input1.lastVisit) - DateTime.Parse(input1.joinedOn)).Days",
        "DateTime.Parse(input1.dob).Year",
        "input1.name.Length",
        "input1.name.Substring(0, 4)",
        "input1.csv.Split(',')",
        "input1.tags.Count()",
        "input1.orders.Sum(o => o.amount) * 0.05",
        "input1.totalPurchasesToDate >= 5000",
        "-input1.score",
        "input1.totalPurchasesToDate % 3",
        "input1.score % 2",
        "10 / 4.0",
        "1.5 + 1",
        "input1.rate * 3",
        "input1.joinedOn",
        "input1.seenAt",
        "input1.address",
        "input1.orders.Select(o => o.status)",
    ]);

    [Theory]
    [MemberData(nameof(Conditions))]
    public void Condition_GivesRulesEnginesAnswer(string expression) =>
        AssertAgree(Oracle.Run(Oracle.SingleRule(expression), Inputs));

    [Theory]
    [MemberData(nameof(Outputs))]
    public void OutputExpression_GivesRulesEnginesValue(string expression) =>
        AssertAgree(Oracle.Run(Oracle.SingleOutputRule(expression), Inputs));

    private const string Numbers = """
        { "input1": { "price": 100.00, "fee": 12.50, "a": 0.1, "b": 0.2, "big": 12345678901, "neg": -3, "ratio": 0.125,
                      "tiny": 0.000001, "when": "2020-03-01", "flag": true } }
        """;

    /// <summary>Arithmetic, rounding and conversions where integers, JSON decimals and negative values meet.</summary>
    public static TheoryData<string> Arithmetic => new(
    [
        "\"b\" + input1.big",
        "\"n\" + input1.neg",
        "\"r\" + input1.ratio",
        "\"d\" + input1.when",
        "\"x\" + input1.flag",
        "input1.fee * 2",
        "input1.price / 3",
        "Math.Round(input1.price / 3, 2)",
        "\"k\" + 1.5",
        "\"k\" + 10 / 4.0",
        "input1.big * 1000",
        "Math.Pow(input1.ratio, 2)",
        "Math.Round(input1.fee * 1.15)",
        "Math.Round(input1.ratio, 2)",
        "Math.Round(-2.5)",
        "Convert.ToInt32(input1.fee)",
        "Convert.ToInt32(2.5)",
        "Convert.ToInt32(input1.ratio * 20)",
        "input1.neg % 2",
        "-7 % 3",
        "input1.neg / 2",
        "Math.Abs(input1.neg)",
        "Math.Floor(input1.neg / 2.0)",
        "Math.Ceiling(-0.5)",
    ]);

    [Theory]
    [MemberData(nameof(Arithmetic))]
    public void Arithmetic_GivesRulesEnginesValue(string expression) =>
        AssertAgree(Oracle.Run(Oracle.SingleOutputRule(expression), Numbers));

    private const string Visits = """
        { "input1": { "name": "Alva", "visits": [ { "day": "2021-01-04", "kind": "group", "scores": [3, 4], "notes": ["a", "b"] },
                                                   { "day": "2021-02-10", "kind": "solo", "scores": [5], "notes": [] },
                                                   { "day": "2021-03-15", "kind": "group", "scores": [2, 2, 2], "notes": ["c"] } ],
                      "codes": ["x", "y", "x"] } }
        """;

    /// <summary>LINQ over arrays nested in array elements, dates kept as strings by RulesEngine, arrays of strings.</summary>
    public static TheoryData<string> NestedArrays => new(
    [
        "input1.visits.SelectMany(v => v.notes).Count() == 3",
        "input1.visits.Where(v => v.kind == \"group\").ToList().Count == 2",
        "input1.visits.ToList().Count() == 3",
        "input1.visits.Select(v => v.kind).ToArray().Length == 3",
        "input1.visits.Single(v => v.kind == \"solo\").day == \"2021-02-10\"",
        "input1.visits.SingleOrDefault(v => v.kind == \"pair\") == null",
        "input1.visits.LastOrDefault(v => v.kind == \"group\").day == \"2021-03-15\"",
        "input1.visits.Any(v => v.scores.Any(s => s > 4))",
        "input1.visits.All(v => v.scores.Count() > 0)",
        "input1.visits.Max(v => v.scores.Max()) == 5",
        "input1.visits.Count(v => v.notes.Any()) == 2",
        "input1.visits.Where(v => v.notes.Contains(\"c\")).Count() == 1",
        "input1.visits.Select(v => v.scores.Count()).Sum() == 6",
        "input1.visits.Max(v => v.day) == \"2021-03-15\"",
        "input1.visits.OrderByDescending(v => v.day).First().kind == \"group\"",
        "input1.visits.Any(v => DateTime.Parse(v.day) > DateTime.Parse(\"2021-03-01\"))",
        "input1.visits.Count(v => DateTime.Parse(v.day).Month == 2) == 1",
        "input1.visits.Where(v => v.kind == \"group\").Average(v => v.scores.Count()) == 2.5",
        "input1.codes.Distinct().Count() == 2",
        "input1.codes.Count(c => c == \"x\") == 2",
        "input1.codes.Min() == \"x\"",
        "input1.codes.Contains(\"y\")",
        "input1.codes.Any(c => c.StartsWith(\"y\"))",
        "input1.codes.First() == \"x\"",
        "input1.codes.Last() == \"x\"",
        "input1.codes.Skip(1).Take(1).First() == \"y\"",
        "input1.codes.Where(c => c != \"x\").Any()",
        "input1.visits.Any(v => v.kind == \"group\" && v.scores.All(s => s >= 2))",
        "input1.visits.First(v => v.kind == \"solo\").scores.First() == 5",
        "input1.visits.Select(v => v.kind).Contains(\"solo\")",
        "input1.visits.Select(v => v.kind).Distinct().Count() == 2",
        "input1.visits.Count() - input1.visits.Count(v => v.kind == \"solo\") == 2",
        "input1.visits.Any(v => v.kind == input1.name)",
        "input1.visits.Sum(v => v.scores.Count() * 10) == 60",
    ]);

    [Theory]
    [MemberData(nameof(NestedArrays))]
    public void NestedArrays_GiveRulesEnginesAnswer(string expression) =>
        AssertAgree(Oracle.Run(Oracle.SingleRule(expression), Visits));

    private const string Syntax = """
        { "input1": { "name": "Alva \"A\" Berg", "score": 7.5, "count": 3, "isActive": true, "none": null, "path": "C:\\dir" } }
        """;

    /// <summary>Keywords in any case, escapes, literal suffixes, operator spacing and precedence, nested conditionals.</summary>
    public static TheoryData<string> SyntaxVariants => new(
    [
        "TRUE",
        "input1.count == 0x3",
        "input1.isActive == True",
        "input1.none == NULL",
        "input1.none == Null",
        "input1.isActive AND NOT False",
        "input1.isActive aNd input1.count > 1",
        "input1.isActive = true",
        "input1.name == \"Alva \\\"A\\\" Berg\"",
        "input1.name.Contains(\"\\\"\")",
        "input1.path == \"C:\\\\dir\"",
        "input1.count == 3L",
        "input1.score > 7.4d",
        "input1.score < 7.6f",
        "input1.score < 1e3",
        "-(input1.count) == -3",
        "!!input1.isActive",
        "!(!input1.isActive)",
        "input1.count >= 3 && input1.count <= 3",
        "(input1.count)  ==  3",
        "input1.count==3&&input1.isActive",
        "input1.count ==3 ||false",
        "input1.name.Length>5",
        "input1.count * -1 == -3",
        "input1.count - -1 == 4",
        "input1.score - input1.count == 4.5",
        "input1.count / 3 * 3 == 3",
        "10 - 2 - 3 == 5",
        "2 * 3 + 4 * 5 == 26",
        "(2 + 3) * (4 - 1) == 15",
        "10 % 4 % 3 == 2",
        "input1.count > 2 == true",
        "input1.count > 2 != false",
        "1 < 2 && 2 < 3",
        "input1.count in (1, 2, 3) && !(input1.count in (4, 5))",
        "input1.score in (7.5, 8.0)",
        "input1.score in (7.5, 8)",
        "input1.count in (3.0, 4.0)",
        "\"abc\" < \"abd\"",
        "\"abc\" == \"ABC\".ToLower()",
        "input1.name != \"\"",
        "iif(input1.none == null, 1, 2) == 1",
        "iif(input1.count > 1, iif(input1.count > 2, 3, 2), 1) == 3",
        "input1.count > 1 ? input1.count > 2 ? true : false : false",
        "(input1.none ?? \"x\") == \"x\"",
    ]);

    [Theory]
    [MemberData(nameof(SyntaxVariants))]
    public void SyntaxVariant_GivesRulesEnginesAnswer(string expression) =>
        AssertAgree(Oracle.Run(Oracle.SingleRule(expression), Syntax));

    /// <summary>Whole workflows: parameters, nested rules, actions, messages, injection.</summary>
    public static TheoryData<string, string> Workflows => new()
    {
        {
            "LocalParams reused by the expression",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "LocalParams": [ { "Name": "paid", "Expression": "input1.orders.Where(o => o.status == \"paid\")" }, { "Name": "paidTotal", "Expression": "paid.Sum(o => o.amount)" } ], "Expression": "paid.Count() == 2 && paidTotal > 400" } ] }"""
        },
        {
            "GlobalParams reused by several rules",
            """{ "WorkflowName": "W", "GlobalParams": [ { "Name": "total", "Expression": "input1.orders.Sum(o => o.amount)" }, { "Name": "big", "Expression": "total > 400" } ], "Rules": [ { "RuleName": "Big", "Expression": "big" }, { "RuleName": "Small", "Expression": "total < 100" }, { "RuleName": "Loyal", "Expression": "big && input1.loyaltyFactor >= 2" } ] }"""
        },
        {
            "LocalParams reading GlobalParams",
            """{ "WorkflowName": "W", "GlobalParams": [ { "Name": "orders", "Expression": "input1.orders" } ], "Rules": [ { "RuleName": "R", "LocalParams": [ { "Name": "open", "Expression": "orders.Count(o => o.status == \"open\")" } ], "Expression": "open == 1" } ] }"""
        },
        {
            "Several inputs, SuccessEvent, ErrorMessage and an explicit RuleExpressionType on each rule",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "SmallBonus", "SuccessEvent": "5", "ErrorMessage": "No small bonus for $(input1.country)", "RuleExpressionType": "LambdaExpression", "Expression": "input1.country == \"india\" AND input1.loyaltyFactor <= 2 AND input1.totalPurchasesToDate >= 5000 AND input2.totalOrders > 2 AND input2.noOfVisitsPerMonth > 2" }, { "RuleName": "LargeBonus", "SuccessEvent": "15", "ErrorMessage": "No large bonus for $(input1.country)", "RuleExpressionType": "LambdaExpression", "Expression": "input1.country == \"india\" AND input1.loyaltyFactor == 3 AND input1.totalPurchasesToDate >= 10000" } ] }"""
        },
        {
            "Nested rules with And",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "Parent", "Operator": "And", "Rules": [ { "RuleName": "A", "Expression": "input1.isActive" }, { "RuleName": "B", "Expression": "input1.score > 9" } ] } ] }"""
        },
        {
            "Nested rules with Or",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "Parent", "Operator": "Or", "Rules": [ { "RuleName": "A", "Expression": "input1.score > 9" }, { "RuleName": "B", "Expression": "input1.country == \"india\"" } ] } ] }"""
        },
        {
            "Nested rules with AndAlso and OrElse, two levels",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "Top", "Operator": "AndAlso", "Rules": [ { "RuleName": "Either", "Operator": "OrElse", "Rules": [ { "RuleName": "X", "Expression": "false" }, { "RuleName": "Y", "Expression": "input2.totalOrders == 5" } ] }, { "RuleName": "Z", "Expression": "input1.tags.Contains(\"gold\")" } ] } ] }"""
        },
        {
            "OutputExpression on success and on failure",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "Paid", "Expression": "input1.totalPurchasesToDate > 5000", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "input1.totalPurchasesToDate * 0.05" } } } }, { "RuleName": "NotPaid", "Expression": "input1.totalPurchasesToDate > 50000", "Actions": { "OnFailure": { "Name": "OutputExpression", "Context": { "Expression": "input1.totalPurchasesToDate * 0.01" } } } } ] }"""
        },
        {
            "OutputExpression reading a LocalParam",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "LocalParams": [ { "Name": "paid", "Expression": "input1.orders.Where(o => o.status == \"paid\").Sum(o => o.amount)" } ], "Expression": "paid > 0", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "Math.Round(paid * 0.1, 2)" } } } } ] }"""
        },
        {
            "EvaluateRule action taking another workflow's output",
            """[ { "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "input1.isActive", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "Amounts", "ruleName": "Bonus" } } } } ] }, { "WorkflowName": "Amounts", "Rules": [ { "RuleName": "Bonus", "Expression": "input1.loyaltyFactor > 1", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "input1.totalPurchasesToDate * 0.02" } } } } ] } ]"""
        },
        {
            "ErrorMessage with a $(…) placeholder on a failing rule",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "ErrorMessage": "Country $(input1.country) has too few orders", "Expression": "input2.totalOrders > 10" } ] }"""
        },
        {
            "Enabled false leaves the rule out",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "On", "Expression": "true" }, { "RuleName": "Off", "Enabled": false, "Expression": "false" } ] }"""
        },
        {
            "WorkflowsToInject adds the base workflow's rules",
            """[ { "WorkflowName": "Base", "Rules": [ { "RuleName": "Active", "Expression": "input1.isActive" } ] }, { "WorkflowName": "W", "WorkflowsToInject": [ "Base" ], "Rules": [ { "RuleName": "Indian", "Expression": "input1.country == \"india\"" } ] } ]"""
        },
        {
            "Parent LocalParams visible to nested rules",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "P", "Operator": "And", "LocalParams": [ { "Name": "lim", "Expression": "100" } ], "Rules": [ { "RuleName": "A", "Expression": "input1.orders.Any(o => o.amount > lim)" }, { "RuleName": "B", "Expression": "input1.score < lim" } ] } ] }"""
        },
        {
            "EvaluateRule with additionalInputs",
            """[ { "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "X", "ruleName": "Y", "additionalInputs": [ { "Name": "bonus", "Expression": "input1.score * 2" } ] } } } } ] }, { "WorkflowName": "X", "Rules": [ { "RuleName": "Y", "Expression": "bonus > 10", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "bonus + 1" } } } } ] } ]"""
        },
        {
            "EvaluateRule with inputFilter",
            """[ { "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "X", "ruleName": "Y", "inputFilter": [ "input1" ] } } } } ] }, { "WorkflowName": "X", "Rules": [ { "RuleName": "Y", "Expression": "input1.score > 1", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "input1.score" } } } } ] } ]"""
        },
        {
            "OnSuccess and OnFailure on one rule",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "input1.score > 8", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "1" } }, "OnFailure": { "Name": "OutputExpression", "Context": { "Expression": "2" } } } } ] }"""
        },
        {
            "ErrorMessage on a nested rule",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "P", "Operator": "Or", "Rules": [ { "RuleName": "A", "ErrorMessage": "A failed for $(input1.country)", "Expression": "input1.score > 8" }, { "RuleName": "B", "Expression": "input1.isActive" } ] } ] }"""
        },
        {
            "Disabled nested rule left out of its parent",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "P", "Operator": "And", "Rules": [ { "RuleName": "A", "Expression": "true" }, { "RuleName": "B", "Enabled": false, "Expression": "false" } ] } ] }"""
        },
        {
            "GlobalParam read by an OutputExpression",
            """{ "WorkflowName": "W", "GlobalParams": [ { "Name": "base", "Expression": "input1.score * 10" } ], "Rules": [ { "RuleName": "R", "Expression": "base > 50", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "base * input1.rate" } } } } ] }"""
        },
        {
            "AndAlso whose first rule fails",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "P", "Operator": "AndAlso", "Rules": [ { "RuleName": "A", "Expression": "false" }, { "RuleName": "B", "Expression": "true" } ] } ] }"""
        },
        {
            "OrElse whose first rule holds",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "P", "Operator": "OrElse", "Rules": [ { "RuleName": "A", "Expression": "true" }, { "RuleName": "B", "Expression": "false" } ] } ] }"""
        },
        {
            "Explicit RuleExpressionType LambdaExpression",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "RuleExpressionType": "LambdaExpression", "Expression": "input1.isActive" } ] }"""
        },
        {
            "ErrorMessage placeholders of a nested field, a decimal and integers",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "ErrorMessage": "City $(input1.address.city), score $(input1.score), factor $(input1.loyaltyFactor), rate $(input1.rate)", "Expression": "false" } ] }"""
        },
        {
            "OutputExpression giving an object",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "input1.address" } } } } ] }"""
        },
        {
            "OutputExpression giving a filtered array of objects",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "input1.orders.Where(o => o.status == \"paid\")" } } } } ] }"""
        },
        {
            "SuccessEvent and Properties",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "SuccessEvent": "10", "Properties": { "x": 1 }, "Expression": "input1.isActive" } ] }"""
        },
        {
            "ErrorMessage placeholder naming no field",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "ErrorMessage": "Unknown $(input1.nothing)", "Expression": "false" } ] }"""
        },
        {
            "LocalParam reading an earlier LocalParam",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "LocalParams": [ { "Name": "a", "Expression": "input1.score" }, { "Name": "b", "Expression": "a * 2" } ], "Expression": "b == 15" } ] }"""
        },
        {
            "Nested Or inside And",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "Outer", "Operator": "And", "Rules": [ { "RuleName": "Inner", "Operator": "Or", "Rules": [ { "RuleName": "X", "Expression": "input1.score > 100" }, { "RuleName": "Y", "Expression": "input1.country == \"india\"" } ] }, { "RuleName": "Z", "Expression": "input2.totalOrders == 5" } ] } ] }"""
        },
    };

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Workflow_GivesRulesEnginesAnswers(string idiom, string workflowJson)
    {
        Assert.False(string.IsNullOrEmpty(idiom));
        AssertAgree(Oracle.Run(workflowJson, Inputs));
    }

    private const string Scores = """
        { "input1": { "score": 7.5, "count": 3, "isActive": true, "items": [ { "ok": true }, { "ok": true }, { "ok": false } ], "none": null, "list": [1, 2], "obj": { "a": "é", "b": false }, "name": "Åsa \"Q\"" }, "input2": { "limit": 5 } }
        """;

    /// <summary>Actions on nested rules, chained parameters and ErrorMessage placeholders of every kind of value.</summary>
    public static TheoryData<string, string> ActionsAndMessages => new()
    {
        {
            "Action on an And parent",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "P", "Operator": "And", "Rules": [ { "RuleName": "A", "Expression": "true" }, { "RuleName": "B", "Expression": "input1.count > 1" } ], "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "input1.count * 10" } } } } ] }"""
        },
        {
            "OnFailure on an Or parent",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "P", "Operator": "Or", "Rules": [ { "RuleName": "A", "Expression": "false" }, { "RuleName": "B", "Expression": "input1.count > 5" } ], "Actions": { "OnFailure": { "Name": "OutputExpression", "Context": { "Expression": "-1" } } } } ] }"""
        },
        {
            "EvaluateRule of a rule in the same workflow",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "W", "ruleName": "Amount" } } } }, { "RuleName": "Amount", "Expression": "input1.isActive", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "input1.score * 2" } } } } ] }"""
        },
        {
            "Actions on nested rules",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "P", "Operator": "And", "Rules": [ { "RuleName": "A", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "1" } } } }, { "RuleName": "B", "Expression": "input1.count == 3", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "2" } } } } ] } ] }"""
        },
        {
            "GlobalParam, parent LocalParam and child LocalParam chained",
            """{ "WorkflowName": "W", "GlobalParams": [ { "Name": "lim", "Expression": "input2.limit" } ], "Rules": [ { "RuleName": "P", "Operator": "And", "LocalParams": [ { "Name": "twice", "Expression": "lim * 2" } ], "Rules": [ { "RuleName": "A", "LocalParams": [ { "Name": "c", "Expression": "input1.count" } ], "Expression": "c < twice" } ] } ] }"""
        },
        {
            "LocalParam read by expression and action",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "LocalParams": [ { "Name": "ok", "Expression": "input1.count > 1 && input1.isActive" } ], "Expression": "ok", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "ok" } } } } ] }"""
        },
        {
            "ErrorMessage only on the rule that fails",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "input1.count > 1", "ErrorMessage": "count $(input1.count) limit $(input2.limit)" }, { "RuleName": "S", "Expression": "input1.count > 10", "ErrorMessage": "count $(input1.count) limit $(input2.limit)" } ] }"""
        },
        {
            "ErrorMessage placeholder of a whole input",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "input1.count > 10", "ErrorMessage": "No $(input1) here" } ] }"""
        },
        {
            "ErrorMessage placeholders of a boolean and a decimal",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "input1.count > 10", "ErrorMessage": "Flag $(input1.isActive) and score $(input1.score)" } ] }"""
        },
        {
            "ErrorMessage placeholders of null, array, object and a quoted string",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "input1.count > 10", "ErrorMessage": "None $(input1.none), list $(input1.list), obj $(input1.obj), name $(input1.name)" } ] }"""
        },
        {
            "ErrorMessage placeholder of a second input",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "input1.count > 10", "ErrorMessage": "Whole $(input2)" } ] }"""
        },
        {
            "Division of two Count() parameters truncates, as C# int",
            """{ "WorkflowName": "W", "GlobalParams": [ { "Name": "done", "Expression": "input1.items.Count(i => i.ok)" }, { "Name": "all", "Expression": "input1.items.Count()" } ], "Rules": [ { "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "done / all" } } } } ] }"""
        },
        {
            "Division of a data parameter is exact",
            """{ "WorkflowName": "W", "GlobalParams": [ { "Name": "n", "Expression": "input1.count" } ], "Rules": [ { "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "n / 2" } } } } ] }"""
        },
        {
            "Division by an integer-literal parameter truncates",
            """{ "WorkflowName": "W", "GlobalParams": [ { "Name": "two", "Expression": "2" } ], "Rules": [ { "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "7 / two" } } } } ] }"""
        },
        {
            "Division of a Count() LocalParam truncates",
            """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "LocalParams": [ { "Name": "c", "Expression": "input1.items.Count()" } ], "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "c / 2" } } } } ] }"""
        },
    };

    [Theory]
    [MemberData(nameof(ActionsAndMessages))]
    public void ActionsAndMessages_GiveRulesEnginesAnswers(string idiom, string workflowJson)
    {
        Assert.False(string.IsNullOrEmpty(idiom));
        AssertAgree(Oracle.Run(workflowJson, Scores));
    }

    private const string Chained = """{ "input1": { "n": 3, "s": "x" }, "input2": { "m": 4 } }""";

    /// <summary>A workflow W whose rule calls workflow T's rule with EvaluateRule.</summary>
    private static string Chain(string caller, string target) =>
        $$"""[ { "WorkflowName": "W", "Rules": [ {{caller}} ] }, { "WorkflowName": "T", "Rules": [ {{target}} ] } ]""";

    /// <summary>EvaluateRule: outputs taken from either action of the target, filters and additional inputs.</summary>
    public static TheoryData<string, string> EvaluateRuleChains => new()
    {
        {
            "EvaluateRule takes the target's OnFailure output",
            Chain("""{ "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "T", "ruleName": "A" } } } }""",
                """{ "RuleName": "A", "Expression": "input1.n > 5", "Actions": { "OnFailure": { "Name": "OutputExpression", "Context": { "Expression": "input1.n * 2" } } } }""")
        },
        {
            "EvaluateRule of a target without actions",
            Chain("""{ "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "T", "ruleName": "A" } } } }""",
                """{ "RuleName": "A", "Expression": "input1.n > 5" }""")
        },
        {
            "EvaluateRule as an OnFailure action",
            Chain("""{ "RuleName": "R", "Expression": "input1.n > 5", "Actions": { "OnFailure": { "Name": "EvaluateRule", "Context": { "workflowName": "T", "ruleName": "A" } } } }""",
                """{ "RuleName": "A", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "input2.m + 1" } } } }""")
        },
        {
            "EvaluateRule with inputFilter",
            Chain("""{ "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "T", "ruleName": "A", "inputFilter": [ "input2" ] } } } }""",
                """{ "RuleName": "A", "Expression": "input2.m == 4", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "input2.m" } } } }""")
        },
        {
            "EvaluateRule with an additional input built from the caller's",
            Chain("""{ "RuleName": "R", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "T", "ruleName": "A", "additionalInputs": [ { "Name": "k", "Expression": "input1.s + \"y\"" } ] } } } }""",
                """{ "RuleName": "A", "Expression": "k == \"xy\"", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "k" } } } }""")
        },
        {
            "EvaluateRule on a parent of nested rules",
            Chain("""{ "RuleName": "R", "Operator": "And", "Rules": [ { "RuleName": "C", "Expression": "true" } ], "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "T", "ruleName": "A" } } } }""",
                """{ "RuleName": "A", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "7" } } } }""")
        },
    };

    [Theory]
    [MemberData(nameof(EvaluateRuleChains))]
    public void EvaluateRuleChain_GivesRulesEnginesAnswers(string idiom, string workflowJson)
    {
        Assert.False(string.IsNullOrEmpty(idiom));
        AssertAgree(Oracle.Run(workflowJson, Chained));
    }

    /// <summary>Deliberate differences (README 4, 5, 8, 10, 11, 18): refused at load, saying how to write it instead.</summary>
    public static TheoryData<string, string, string> Refusals => new()
    {
        { "int(input1.score) == 7", DiagnosticCodes.UnknownMethod, "Convert.ToInt32(x)" },
        { "string(input1.loyaltyFactor) == \"2\"", DiagnosticCodes.UnknownMethod, "Convert.ToString(x)" },
        { "(int)input1.score == 7", DiagnosticCodes.UnexpectedToken, "Convert.ToInt32(x)" },
        { "input1.loyaltyFactor & 1 == 0", DiagnosticCodes.UnexpectedCharacter, "&&" },
        { "input1.isActive | false", DiagnosticCodes.UnexpectedCharacter, "||" },
        { "@input1.country == \"india\"", DiagnosticCodes.UnexpectedCharacter, "without '@'" },
        { "input1.name.CompareTo(\"Alva\") > 0", DiagnosticCodes.UnknownMethod, "compare strings with <" },
        { "string.Compare(input1.name, \"Alva\") > 0", DiagnosticCodes.UnknownMethod, "compare strings with <" },
        { "DateTime.Now > DateTime.Parse(input1.joinedOn)", DiagnosticCodes.ForbiddenMember, "'asOf'" },
        { "DateTime.Today.Year > 2000", DiagnosticCodes.ForbiddenMember, "'asOf'" },
        { "input1.ToString() != \"\"", DiagnosticCodes.ForbiddenMember, "Convert.ToString(x)" },
        { "input1.Country == \"india\"", DiagnosticCodes.UnknownProperty, "Did you mean 'country'?" },
        { "input1.joinedOn.StartsWith(\"2020\")", DiagnosticCodes.UnknownMethod, "input1.joinedOn.Year == 2021" },
        { "input1.joinedOn.Substring(0, 4) == \"2020\"", DiagnosticCodes.UnknownMethod, "ask it as a date" },
        { "new []{1, 2}.Contains(input1.loyaltyFactor)", DiagnosticCodes.ObjectCreationNotAllowed, "in (1, 2)" },
        { "(DateTime.Parse(input1.lastVisit) - DateTime.Parse(input1.joinedOn)) > TimeSpan.FromDays(30)", DiagnosticCodes.UnknownName, ".TotalDays > 30" },
        { "DateTime.Compare(DateTime.Parse(input1.lastVisit), DateTime.Parse(input1.joinedOn)) > 0", DiagnosticCodes.UnknownMethod, "compare dates with <" },
        { "input1.name.PadLeft(12).Length == 12", DiagnosticCodes.UnknownMethod, "template function, fn.name(…)" },
        { "Math.Sqrt(input1.loyaltyFactor) > 1", DiagnosticCodes.UnknownMethod, "template function, fn.name(…)" },
        { "input1.loyaltyFactor == \"2\"", DiagnosticCodes.NotComparable, "integer and string" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void DocumentedDifference_IsRefusedAtLoad_WithHowToWriteIt(string expression, string code, string hint)
    {
        var run = Oracle.Run(Oracle.SingleRule(expression), Inputs);

        var diagnostic = Assert.Single(run.Diagnostics, d => d.IsError);
        Assert.Equal(code, diagnostic.Code);
        Assert.Contains(hint, diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(RuleStatus.Error, Assert.Single(run.Ours).Status);
    }

    /// <summary>
    /// Agreement counts only where both engines decided: an idiom that RulesEngine itself cannot run proves nothing,
    /// and one that does not bind here is a refusal, which belongs in <see cref="Refusals"/>.
    /// </summary>
    private static void AssertAgree(DifferentialResult run)
    {
        Assert.True(run.Theirs.Ran, run.Theirs.Failure);
        Assert.DoesNotContain(run.Diagnostics, d => d.IsError);
        Assert.All(Flatten(run.Theirs.Results), r => Assert.False(r.HasError, $"RulesEngine failed {r.RuleName}: {r.ExceptionMessage}{r.ActionException}"));
        Assert.True(run.Agree, string.Join("\n", run.Differences));
    }

    private static IEnumerable<OracleRuleResult> Flatten(IEnumerable<OracleRuleResult> results) =>
        results.SelectMany(r => Flatten(r.Children).Prepend(r));
}
