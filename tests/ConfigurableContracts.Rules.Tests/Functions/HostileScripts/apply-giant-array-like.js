// expect: fails
function attack() { return String.fromCharCode.apply(null, { length: 1000000000 }); }
