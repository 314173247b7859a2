// expect: fails
function attack() {
    var o = {};
    Object.defineProperty(o, "toString", { value: String.prototype.trim });
    return o + "";
}
