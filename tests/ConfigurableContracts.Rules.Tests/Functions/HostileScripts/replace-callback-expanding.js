// expect: fails
// A callback replacement runs script for every match, where the memory limit is checked as the result grows.
function attack() { const big = "y".repeat(500000); return "x".repeat(100000).replace(/x/g, () => big).length; }
