using ConfigurableContracts.Core.Data;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ConfigurableContracts.Core.Tests.Data;

/// <summary>
/// A fact in a store test suite (<see cref="StoreTests{TDatabase}"/>). It is skipped, with the reason shown in
/// the test output, when the concrete class's database is not configured on this machine.
/// </summary>
[XunitTestCaseDiscoverer("ConfigurableContracts.Core.Tests.Data.StoreFactDiscoverer", "ConfigurableContracts.Core.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Creates store test cases whose skip reason depends on the concrete test class's database.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        yield return new StoreTestCase(
            diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}

/// <summary>A test case that asks its class which database it runs on, also after being deserialised by the runner.</summary>
public sealed class StoreTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public StoreTestCase()
    {
    }

    public StoreTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method)
        : base(sink, display, options, method)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        TestDatabase.SkipReason(ProviderOf(TestMethod.TestClass.Class.ToRuntimeType())) ?? base.GetSkipReason(factAttribute);

    private static DatabaseProvider ProviderOf(Type testClass)
    {
        for (var type = testClass; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(StoreTests<>))
            {
                var database = (IDatabaseKind)Activator.CreateInstance(type.GetGenericArguments()[0])!;
                return database.Provider;
            }
        }

        throw new InvalidOperationException($"{testClass.Name} uses [StoreFact] but does not derive from StoreTests<T>.");
    }
}
