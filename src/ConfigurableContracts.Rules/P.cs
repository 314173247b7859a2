namespace ConfigurableContracts.Rules; public static class Placeholder {}
