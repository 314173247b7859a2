// expect: fails
function attack() {
    var o = { get x() { return this.x + 1; } };
    return o.x;
}
