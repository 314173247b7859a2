// expect: fails
function attack() { Error.prototype.message = "polluted"; return 1; }
