// expect: fails
// 200 000 nested groups would take about a second to build in .NET, where no time check runs.
function attack() { const n = 200000; return new RegExp("(".repeat(n) + "a" + ")".repeat(n)).test("a"); }
