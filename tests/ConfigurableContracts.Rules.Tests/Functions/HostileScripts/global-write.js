// expect: fails
var limit = 10;
function attack() { limit = 11; return limit; }
