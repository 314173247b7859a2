// expect: fails
function attack() {
    var o = { valueOf: function () { return this + 1; } };
    return o + 1;
}
