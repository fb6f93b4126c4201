// Tests must never reach the network or inherit the runner's GitHub environment by accident.
for (const key of Object.keys(process.env)) {
  if (key.startsWith('INPUT_') || key === 'GITHUB_STEP_SUMMARY' || key === 'GITHUB_OUTPUT') {
    delete process.env[key];
  }
}

// TF.js's cpu backend greets every process that writes its first tensor in Node with a banner
// advising tfjs-node, which cannot install here and which tests that build tiny models on cpu do
// not need. Only that one message is dropped; every other warning still shows.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]): void => {
  if (typeof args[0] === 'string' && args[0].includes('Hi, looks like you are running TensorFlow.js in Node.js'))
    return;
  warn(...args);
};
