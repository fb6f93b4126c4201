// Tests must never reach the network or inherit the runner's GitHub environment by accident.
for (const key of Object.keys(process.env)) {
  if (key.startsWith('INPUT_') || key === 'GITHUB_STEP_SUMMARY' || key === 'GITHUB_OUTPUT') {
    delete process.env[key];
  }
}
