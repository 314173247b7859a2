// expect: fails
function attack() {
    function F() { return new F(); }
    return new F();
}
