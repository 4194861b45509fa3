// Exercises in the notebooks (see notebooks/lesson.ts): a code cell tagged "exercise" holds the learner's stub; the
// next cell, a markdown cell tagged "solution", holds the solution as a ```typescript block inside <details>.
// The test runners execute a copy with every stub replaced by its solution and STEERSYNTH_EXERCISES=solutions
// (a wrong answer is then an error), so the solutions and their checks are tested on every run.
const tags = (cell) => cell.metadata?.tags ?? [];
const sourceOf = (cell) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source);

/** The solution code of a "solution" markdown cell; throws naming the cell when the block is missing. */
export function solutionCode(cell, where) {
  const m = /```(?:typescript|ts)\n([\s\S]*?)\n```/.exec(sourceOf(cell));
  if (!m) throw new Error(`${where}: a "solution" cell needs a \`\`\`typescript block`);
  return m[1];
}

/** A copy of a parsed notebook with each exercise stub replaced by its solution; counts them. */
export function withSolutions(nb, file) {
  const cells = nb.cells.map((c) => ({ ...c }));
  let count = 0;
  cells.forEach((cell, i) => {
    if (!tags(cell).includes("exercise")) return;
    const next = cells[i + 1];
    if (!next || !tags(next).includes("solution")) throw new Error(`${file}: exercise cell #${i + 1} must be followed by a markdown cell tagged "solution"`);
    cell.source = solutionCode(next, `${file} cell #${i + 2}`);
    count++;
  });
  return { nb: { ...nb, cells }, exercises: count };
}

export const SOLUTIONS_ENV = { STEERSYNTH_EXERCISES: "solutions" };
