// expect: fails
function attack() {
    var a = [];
    for (var i = 0; i < 20000; i++) { a = [a]; }
    return String(a);
}
