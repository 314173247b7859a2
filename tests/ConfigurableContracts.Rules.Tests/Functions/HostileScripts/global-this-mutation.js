// expect: fails
function attack() { globalThis.leak = 1; return globalThis.leak; }
