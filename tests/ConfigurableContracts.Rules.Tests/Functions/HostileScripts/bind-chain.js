// expect: fails
function attack() {
    var f = function () { return 1; };
    for (var i = 0; i < 20000; i++) { f = f.bind(null); }
    return f();
}
