// expect: fails
function attack() { const o = { [Symbol.toPrimitive]() { return o + 1; } }; return o + 1; }
