// expect: fails
function attack() { return new Intl.DateTimeFormat("en-US").format(); }
