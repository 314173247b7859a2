// expect: fails
function attack() { Object.defineProperty(globalThis, "Math", { value: {} }); return 1; }
