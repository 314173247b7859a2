// expect: fails
// Array.from drives the iterator from .NET; every next() still runs script statements.
function attack() { const endless = { [Symbol.iterator]() { return { next() { return { done: false, value: 1 }; } }; } }; return Array.from(endless).length; }
