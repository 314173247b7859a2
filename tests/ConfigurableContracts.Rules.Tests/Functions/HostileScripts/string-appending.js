// expect: fails
function attack() {
    var s = "";
    for (;;) { s += "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; }
}
