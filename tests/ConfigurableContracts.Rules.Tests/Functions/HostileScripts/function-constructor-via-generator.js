// expect: fails
// The generator function constructor compiles strings like Function does.
function attack() { const GeneratorFunction = Object.getPrototypeOf(function* () { }).constructor; return GeneratorFunction("yield 1")().next().value; }
