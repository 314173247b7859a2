// expect: fails
function attack() {
    return new RegExp("^(a+)+$").test("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
}
