// expect: fails
function attack() {
    var e = new Error("x");
    Object.defineProperty(e, "message", { value: e });
    return String(e);
}
