// expect: fails
// Replacing the array iterator would change every later spread and for-of; the prototype is frozen.
function attack() { Array.prototype[Symbol.iterator] = function* () { yield 42; }; return [...[1, 2]][0]; }
