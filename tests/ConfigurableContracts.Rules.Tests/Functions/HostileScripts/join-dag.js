// expect: fails
// An array nested as a DAG: String(a) would do 2^40 work; the bounded join stops at the string limit.
function attack() { let a = ["xxxxxxxxxx"]; for (let i = 0; i < 40; i++) { a = [a, a]; } return String(a).length; }
