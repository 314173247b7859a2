// expect: fails
function attack() { return (function () { }).constructor("return 1")(); }
