// expect: fails
function attack() {
    var o = {};
    Object.defineProperty(o, "toString", { value: Object.prototype.toLocaleString });
    return String(o);
}
