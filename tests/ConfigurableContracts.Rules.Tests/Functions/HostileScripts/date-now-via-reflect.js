// expect: fails
function attack() { return Reflect.construct(Date, []).getTime(); }
