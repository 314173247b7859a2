// expect: fails
function attack() { Object.defineProperty(Array.prototype, "sum", { value: 1 }); return 1; }
