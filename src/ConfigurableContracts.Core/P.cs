namespace ConfigurableContracts.Core; public static class Placeholder {}
