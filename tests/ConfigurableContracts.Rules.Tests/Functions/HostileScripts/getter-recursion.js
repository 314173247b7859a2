// expect: fails
function attack() {
    var o = {};
    Object.defineProperty(o, "x", { get: function () { return this.x; } });
    return o.x;
}
