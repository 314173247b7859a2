// expect: fails
function attack() { return Reflect.apply(Math.max, null, { length: 1e9 }); }
