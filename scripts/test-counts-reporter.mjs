// A node:test reporter for scripts/test.mjs: one JSON line per finished test, with its file, so
// that the runner can total per file (what a skipped PostgreSQL pass would have run) and list
// skips with their reasons. Suites are left out unless skipped whole (their tests then never
// declare themselves: that is counted and reported as one skip, by name), or failed by
// themselves (a hook, a file that did not load or ran out of time).
export default async function* counts(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    const suite = data.details?.type === 'suite';
    const skipped = data.skip !== undefined && data.skip !== false;
    const todo = data.todo !== undefined && data.todo !== false;
    if (suite && !(skipped || todo) && event.type === 'test:pass') continue;
    // A suite fails when one of its tests does: that failure is already counted.
    if (event.type === 'test:fail' && data.details?.error?.failureType === 'subtestsFailed') continue;
    const outcome = event.type === 'test:fail' ? 'fail' : skipped || todo ? 'skip' : 'pass';
    const reason = typeof data.skip === 'string' ? data.skip : typeof data.todo === 'string' ? `todo: ${data.todo}` : undefined;
    yield `${JSON.stringify({ file: data.file, name: data.name, outcome, ...(suite ? { suite } : {}), ...(reason ? { reason } : {}) })}\n`;
  }
}
