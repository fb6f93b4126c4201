import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const runnerToolkit = ['@actions/core', '@actions/github'].map((name) => ({
  name,
  message: 'Use @wms/core (Logger, runAction) instead: only action-runtime.ts imports the runner toolkit.',
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.wms-demo/**', '.wms/**', 'coverage/**', '.bench/**', 'infra/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Only packages/core/src/action-runtime.ts may talk to the runner.
      'no-restricted-imports': ['error', { paths: runnerToolkit }],
    },
  },
  {
    // The TF.js runtime knows nothing of the model it trains: of the workspace it uses @wms/core only.
    files: ['packages/tfjs-runtime/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: runnerToolkit,
          patterns: [
            {
              group: ['@wms/*', '!@wms/core', '!@wms/tfjs-runtime', '!@wms/tfjs-runtime/*'],
              message: '@wms/tfjs-runtime depends on @wms/core only (model → tfjs-runtime → core).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/core/src/action-runtime.ts', 'packages/github/src/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
  },
);
