// expect: fails
function attack() { if (!Reflect.defineProperty(Object.prototype, "polluted", { value: 1 })) { throw new Error("refused"); } return 1; }
