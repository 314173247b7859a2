// expect: fails
function attack() { return Array.prototype.indexOf.call({ length: 4294967295 }, 1); }
